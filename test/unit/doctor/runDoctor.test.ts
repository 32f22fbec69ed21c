// The doctor's core with a hand-written host: which checks run, how an injected check takes a built-in
// one's place, a check that throws, and reading `claude auth status`.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAuthStatus } from '../../../src/core/doctor/claudeChecks';
import { CLI_VOCABULARY, type DoctorContext } from '../../../src/core/doctor/DoctorCheck';
import type { DoctorHost, ProgramOutput } from '../../../src/core/doctor/DoctorHost';
import { formatDoctorReport, runDoctor } from '../../../src/core/doctor/runDoctor';
import { NodeFileSystem } from '../../../src/infra/NodeFileSystem';

function host(o: Partial<DoctorHost> & { answers?: Record<string, ProgramOutput> } = {}): DoctorHost {
  return {
    platform: o.platform ?? 'linux',
    uid: 'uid' in o ? o.uid : 1000,
    env: o.env ?? {},
    homeDir: o.homeDir ?? '/nonexistent-home',
    locate: o.locate ?? (async (c) => ({ path: `/bin/${c}`, executable: true })),
    run:
      o.run ??
      (async (command, args) => o.answers?.[[command, ...args].join(' ')] ?? { exitCode: 0, stdout: '', stderr: '' }),
  };
}

describe('runDoctor', () => {
  let ws: string;
  beforeEach(() => (ws = mkdtempSync(path.join(os.tmpdir(), 'sr-doctor-core-'))));
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  const context = (h: DoctorHost, extra: Partial<DoctorContext> = {}): DoctorContext => ({
    workspaceRoot: ws,
    claude: { command: 'claude', args: [] },
    permissionMode: 'bypassPermissions',
    containers: false,
    vocabulary: CLI_VOCABULARY,
    host: h,
    fs: new NodeFileSystem(),
    ...extra,
  });

  it('reports every failure with a fix, and ok only when nothing failed', async () => {
    const report = await runDoctor(context(host({ answers: { 'claude --version': { exitCode: 0, stdout: '2.1.330 (Claude Code)\n', stderr: '' }, 'claude auth status': { exitCode: 0, stdout: '{"loggedIn":true}', stderr: '' } } })));
    assert.equal(report.ok, false, 'the empty folder has no ledger');
    for (const c of report.checks.filter((x) => x.status === 'fail')) assert.ok(c.fix, `${c.id} fails without a fix`);
    assert.equal(report.checks.find((c) => c.id === 'claude.version')!.detail, '2.1.330');
    assert.deepEqual(report.checks.find((c) => c.id === 'ledger')!.status, 'fail');
    assert.equal(report.counts.fail, report.checks.filter((c) => c.status === 'fail').length);
  });

  it('an injected check with a built-in id replaces it; a throwing check is a failure, not a crash', async () => {
    const report = await runDoctor(context(host()), [
      { id: 'platform', run: async () => ({ id: 'platform', title: 'Platform', status: 'ok', detail: 'replaced' }) },
      { id: 'custom', run: async () => { throw new Error('boom'); } },
    ]);
    assert.deepEqual(report.checks.filter((c) => c.id === 'platform').map((c) => c.detail), ['replaced']);
    const custom = report.checks.find((c) => c.id === 'custom')!;
    assert.equal(custom.status, 'fail');
    assert.match(custom.detail, /boom/);
  });

  it('skips version and login when the CLI is missing, and containers skip the host CLI checks', async () => {
    const missing = await runDoctor(context(host({ locate: async () => ({ executable: false }) })));
    assert.deepEqual(missing.checks.filter((c) => c.id.startsWith('claude.')).map((c) => c.id), ['claude.cli', 'claude.permissions']);
    const inContainer = await runDoctor(context(host({ uid: 0, locate: async () => ({ executable: false }) }), { containers: true }));
    assert.deepEqual(inContainer.checks.filter((c) => c.id.startsWith('claude.')).map((c) => c.status), ['ok']);
  });

  it('an old or unreadable version is a warning', async () => {
    const old = await runDoctor(context(host({ answers: { 'claude --version': { exitCode: 0, stdout: '1.0.128 (Claude Code)', stderr: '' } } })));
    assert.equal(old.checks.find((c) => c.id === 'claude.version')!.status, 'warn');
    const unreadable = await runDoctor(context(host({ answers: { 'claude --version': { exitCode: 1, stdout: '', stderr: 'boom' } } })));
    const v = unreadable.checks.find((c) => c.id === 'claude.version')!;
    assert.equal(v.status, 'warn');
    assert.match(v.detail, /exit 1: boom/);
  });

  it('other platforms are a warning', async () => {
    const report = await runDoctor(context(host({ platform: 'darwin' })));
    assert.equal(report.checks.find((c) => c.id === 'platform')!.status, 'warn');
  });

  it('formats one line per check, fixes indented, and a count', async () => {
    const lines = formatDoctorReport({
      ok: false,
      counts: { ok: 1, warn: 0, fail: 1 },
      checks: [
        { id: 'a', title: 'A', status: 'ok', detail: 'fine', fix: 'unused' },
        { id: 'b', title: 'B', status: 'fail', detail: 'broken', fix: 'mend it' },
      ],
    });
    assert.deepEqual(lines, ['ok    A: fine', 'FAIL  B: broken', '      Fix: mend it', '1 ok, 0 warnings, 1 failed']);
  });
  it('BMAD 6.12 installed without --shims: the bmad-workflows check fails naming the missing workflows and the fix, unless runner prompts are chosen', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const put = (rel: string, text: string) => {
      mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
      writeFileSync(path.join(ws, rel), text);
    };
    put('_bmad/_config/manifest.yaml', 'installation:\n  version: 6.12.0\n  installShims: false\nmodules:\n  - name: bmm\n    version: 6.12.0\n');
    for (const n of ['bmad-build', 'bmad-code-review', 'bmad-review', 'bmad-spec', 'bmad-project-context', 'bmad-sprint-planning']) {
      put(`.claude/skills/${n}/SKILL.md`, `---\nname: ${n}\n---\n`);
    }
    const refused = (await runDoctor(context(host()))).checks.find((c) => c.id === 'bmad-workflows')!;
    assert.equal(refused.status, 'fail', refused.detail);
    assert.match(refused.detail, /create-story/);
    assert.match(refused.detail, /dev-story/);
    assert.match(refused.fix ?? '', /--shims/);
    const mapped = (await runDoctor(context(host(), { bmadMissingWorkflows: 'runner-prompt' }))).checks.find((c) => c.id === 'bmad-workflows')!;
    assert.notEqual(mapped.status, 'fail', mapped.detail);
  });
});

describe('parseAuthStatus', () => {
  it('reads the JSON of current CLIs and the words of others', () => {
    assert.equal(parseAuthStatus('{"loggedIn": true, "authMethod": "claude.ai"}', ''), true);
    assert.equal(parseAuthStatus('{"loggedIn": false}', ''), false);
    assert.equal(parseAuthStatus('', 'Not logged in · Please run /login'), false);
    assert.equal(parseAuthStatus('Logged in as someone@example.com', ''), true);
    assert.equal(parseAuthStatus('', "error: unknown command 'auth'"), undefined);
  });

});
