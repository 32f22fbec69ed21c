// Check Setup (Doctor) in the editor: each failing check fails the report and names its fix; warnings
// do not fail it. Programs are faked here; the real-host suite runs the real sim-claude and git.
import { strict as assert } from 'node:assert';
import { formatDoctorReport, runHostDoctor, type HostDoctorPorts, type ProgramResult } from '../../../src/vscode/doctor/hostDoctorChecks';

const ROOT = '/ws/project';

function ports(over: Partial<HostDoctorPorts> = {}, programs: Record<string, ProgramResult> = {}, files: string[] = []): HostDoctorPorts {
  const existing = new Set([`${ROOT}/_bmad/bmm/config.yaml`, `${ROOT}/.claude/commands`, '/home/u/.claude/.credentials.json', ...files]);
  return {
    claude: { command: 'claude', args: [], source: 'default' },
    permissionMode: 'bypassPermissions',
    env: {},
    isRoot: false,
    platform: 'linux',
    homeDir: '/home/u',
    run: async (command, args) => programs[[command, ...args].join(' ')] ?? { exitCode: 0, stdout: command === 'git' ? 'true\n' : '2.1.197 (Claude Code)\n', stderr: '' },
    exists: async (p) => existing.has(p),
    workspaceRoot: ROOT,
    ledgerPath: `${ROOT}/_bmad-output/implementation-artifacts/sprint-status.yaml`,
    ...over,
  };
}

const statusOf = (r: Awaited<ReturnType<typeof runHostDoctor>>, id: string) => r.checks.find((c) => c.id === id)?.status;

describe('Check Setup (Doctor) in the editor', () => {
  it('passes a complete setup and reports the CLI version', async () => {
    const r = await runHostDoctor(ports());
    assert.equal(r.ok, true, formatDoctorReport(r));
    assert.ok(r.checks.every((c) => c.status === 'ok'), formatDoctorReport(r));
    assert.match(r.checks[0].message, /2\.1\.197 \(Claude Code\)/);
  });

  it('fails when the claude CLI is missing, naming the install command', async () => {
    const r = await runHostDoctor(ports({}, { 'claude --version': { exitCode: null, stdout: '', stderr: '', errorCode: 'ENOENT' } }));
    assert.equal(r.ok, false);
    const c = r.checks.find((x) => x.id === 'claude-cli')!;
    assert.equal(c.status, 'fail');
    assert.match(c.fix ?? '', /npm install -g @anthropic-ai\/claude-code/);
    assert.match(formatDoctorReport(r), /✗ claude-cli: claude was not found/);
  });

  it('fails a CLI that is not executable or exits non-zero', async () => {
    assert.equal(statusOf(await runHostDoctor(ports({}, { 'claude --version': { exitCode: null, stdout: '', stderr: '', errorCode: 'EACCES' } })), 'claude-cli'), 'fail');
    const r = await runHostDoctor(ports({}, { 'claude --version': { exitCode: 1, stdout: '', stderr: 'boom\n' } }));
    assert.equal(statusOf(r, 'claude-cli'), 'fail');
    assert.match(r.checks[0].message, /exited with 1: boom/);
  });

  it('fails root without IS_SANDBOX under bypassPermissions, and only then', async () => {
    assert.equal(statusOf(await runHostDoctor(ports({ isRoot: true })), 'sandbox'), 'fail');
    assert.equal(statusOf(await runHostDoctor(ports({ isRoot: true, env: { IS_SANDBOX: '1' } })), 'sandbox'), 'ok');
    assert.equal(statusOf(await runHostDoctor(ports({ isRoot: true, permissionMode: 'acceptEdits' })), 'sandbox'), 'ok');
  });

  it('fails without a ledger, and names the three ways to get one', async () => {
    const r = await runHostDoctor(ports({ ledgerPath: undefined }));
    assert.equal(r.ok, false);
    const c = r.checks.find((x) => x.id === 'ledger')!;
    assert.match(c.fix ?? '', /sprint-planning.*Create sprint-status\.yaml from Template.*sprintRunner\.ledger\.path/);
  });

  it('only warns about an unknown login, a missing BMAD, no git and another platform', async () => {
    const r = await runHostDoctor(
      ports(
        { homeDir: '/home/nobody', workspaceRoot: '/ws/bare', platform: 'darwin' },
        { 'git rev-parse --is-inside-work-tree': { exitCode: 128, stdout: '', stderr: 'fatal: not a git repository' } },
      ),
    );
    assert.equal(r.ok, true, 'warnings do not fail');
    for (const id of ['claude-login', 'bmad', 'git', 'platform']) assert.equal(statusOf(r, id), 'warn', id);
    assert.ok(r.checks.filter((c) => c.status === 'warn').every((c) => c.fix), 'every warning says what to do');
  });

  it('takes an API key in the environment as a login', async () => {
    assert.equal(statusOf(await runHostDoctor(ports({ homeDir: '/home/nobody', env: { ANTHROPIC_API_KEY: 'x' } })), 'claude-login'), 'ok');
  });
});
