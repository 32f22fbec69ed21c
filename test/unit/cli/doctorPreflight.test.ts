// `sprint-runner doctor`, and `run`/`resume` refusing to start when a check fails: exit 2, no agent
// spawned, no file written. A real sample workspace (copied), a fake `claude` script that records any agent
// start, the CLI's main() in process with the uid and the environment injected.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main, type CliDeps } from '../../../src/cli/cli';
import type { DoctorCheck, DoctorReport } from '../../../src/core/doctor/DoctorCheck';
import { NodeDoctorHost } from '../../../src/infra/doctor/NodeDoctorHost';

const repo = path.resolve(__dirname, '..', '..', '..');
const ledgerRel = path.join('_bmad-output', 'implementation-artifacts', 'sprint-status.yaml');

interface Setup {
  ws: string;
  home: string;
  claude: string;
  /** Written by the fake CLI when it is started as an agent (`-p`). */
  spawnMarker: string;
}

const temps: string[] = [];
function temp(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
}

/** A fake Claude CLI: `--version`, `auth status` as `login` says, and a marker file for any agent run. */
function fakeClaude(dir: string, login: 'in' | 'out' | 'unknown', marker: string): string {
  const file = path.join(dir, 'claude');
  const auth =
    login === 'in'
      ? `echo '{"loggedIn": true, "authMethod": "claude.ai"}'; exit 0`
      : login === 'out'
        ? `echo '{"loggedIn": false, "authMethod": "none"}'; exit 1`
        : `echo "error: unknown command 'auth'" >&2; exit 1`;
  writeFileSync(
    file,
    [
      '#!/bin/sh',
      'if [ "$1" = "--version" ]; then echo "2.1.197 (Claude Code)"; exit 0; fi',
      `if [ "$1" = "auth" ] && [ "$2" = "status" ]; then ${auth}; fi`,
      `echo spawned >> '${marker}'`,
      'exit 1',
      '',
    ].join('\n'),
  );
  chmodSync(file, 0o755);
  return file;
}

function setup(o: { git?: boolean; login?: 'in' | 'out' | 'unknown' } = {}): Setup {
  const ws = temp('sr-doctor-ws-');
  cpSync(path.join(repo, 'sample-workspace'), ws, { recursive: true });
  if (o.git !== false) {
    const git = (...args: string[]) => spawnSync('git', args, { cwd: ws, stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-q', '-m', 'init');
  }
  const bin = temp('sr-doctor-bin-');
  const spawnMarker = path.join(bin, 'spawned.txt');
  return { ws, home: temp('sr-doctor-home-'), claude: fakeClaude(bin, o.login ?? 'in', spawnMarker), spawnMarker };
}

/** Every file under `dir` with its size and mtime, to show that nothing was written. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.push(`${path.relative(dir, p)} ${st.size} ${st.mtimeMs}`);
    }
  };
  walk(dir);
  return out.sort();
}

interface Outcome {
  code: number;
  out: string;
  err: string;
}

async function cli(s: Setup, argv: string[], o: { env?: NodeJS.ProcessEnv; uid?: number; checks?: DoctorCheck[] } = {}): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  // A clean environment: no API key, an empty HOME (no credentials file), a sandbox declared unless a test says otherwise.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: s.home, IS_SANDBOX: '1', ...o.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const deps: CliDeps = {
    doctorHost: (e) => new NodeDoctorHost({ env: e, uid: o.uid ?? 1000, platform: 'linux', homeDir: s.home }),
    ...(o.checks ? { doctorChecks: o.checks } : {}),
  };
  const signals = { onSignal: () => () => undefined, exit: (c: number): never => { throw new Error(`exit ${c}`); } };
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env, cwd: s.ws }, signals, deps);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Runs `run` and `resume` and checks both refuse with exit 2, spawn nothing and write nothing. */
async function assertRefused(s: Setup, extraArgs: string[], o: Parameters<typeof cli>[2], why: RegExp): Promise<void> {
  const before = snapshot(s.ws);
  for (const command of ['run', 'resume']) {
    const r = await cli(s, [command, '--claude', s.claude, ...extraArgs], o);
    assert.equal(r.code, 2, `${command}: ${r.err}`);
    assert.match(r.err, why);
    assert.match(r.err, /Fix: /);
    assert.match(r.err, /nothing was started and nothing was written/);
  }
  assert.equal(existsSync(s.spawnMarker), false, 'an agent was started');
  assert.equal(existsSync(path.join(s.ws, '.sprint-runner')), false, 'the state folder was created');
  assert.deepEqual(snapshot(s.ws), before, 'a file in the workspace changed');
}

describe('sprint-runner doctor and the checks before a run', function () {
  this.timeout(60_000);
  after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('passes a complete setup: exit 0, every check in --json with its id', async () => {
    const s = setup();
    const r = await cli(s, ['doctor', '--json', '--claude', s.claude]);
    assert.equal(r.code, 0, r.out);
    const report = JSON.parse(r.out) as DoctorReport;
    assert.equal(report.ok, true);
    const byId = new Map(report.checks.map((c) => [c.id, c]));
    for (const id of ['claude.cli', 'claude.version', 'claude.login', 'claude.permissions', 'bmad', 'ledger', 'git', 'platform']) assert.ok(byId.has(id), `no ${id} check`);
    assert.equal(byId.get('claude.version')!.detail, '2.1.197');
    assert.equal(byId.get('ledger')!.status, 'ok');
    assert.equal(byId.get('git')!.status, 'ok');
  });

  it('a missing CLI fails the doctor and refuses run/resume', async () => {
    const s = setup();
    const missing = path.join(s.home, 'no-such-claude');
    const d = await cli(s, ['doctor', '--claude', missing]);
    assert.equal(d.code, 2);
    assert.match(d.out, /FAIL {2}Claude Code CLI: .*no-such-claude does not exist/);
    assert.match(d.out, /Fix: Install Claude Code/);
    s.claude = missing;
    await assertRefused(s, [], {}, /Claude Code CLI: .*does not exist/);
  });

  it('a claude on PATH is found, and a name not on PATH fails', async () => {
    const s = setup();
    const onPath = await cli(s, ['doctor', '--json', '--claude', 'claude'], { env: { PATH: `${path.dirname(s.claude)}${path.delimiter}${process.env.PATH}` } });
    assert.equal((JSON.parse(onPath.out) as DoctorReport).checks.find((c) => c.id === 'claude.cli')!.detail, s.claude);
    const off = await cli(s, ['doctor', '--claude', 'claude-not-installed-here']);
    assert.equal(off.code, 2);
    assert.match(off.out, /"claude-not-installed-here" was not found on PATH/);
  });

  it('a CLI that is not executable fails and refuses run/resume', async () => {
    const s = setup();
    chmodSync(s.claude, 0o644);
    await assertRefused(s, [], {}, /may not be executed by this user[\s\S]*chmod \+x/);
  });

  it('an unauthenticated CLI without an API key fails and refuses run/resume; a key in the environment passes', async () => {
    const s = setup({ login: 'out' });
    await assertRefused(s, [], {}, /not logged in, and no API key is set[\s\S]*claude auth login/);
    const withKey = await cli(s, ['doctor', '--json', '--claude', s.claude], { env: { ANTHROPIC_API_KEY: 'sk-ant-test-not-real' } });
    assert.equal(withKey.code, 0, withKey.out);
    assert.doesNotMatch(withKey.out, /sk-ant-test-not-real/, 'the key itself must never be printed');
  });

  it('a login state that cannot be read is a warning, not a failure', async () => {
    const s = setup({ login: 'unknown' });
    const r = await cli(s, ['doctor', '--claude', s.claude]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /warn {2}Claude Code login: Could not tell/);
  });

  it('root without IS_SANDBOX under bypassPermissions fails and refuses run/resume; another mode passes', async () => {
    const s = setup();
    await assertRefused(s, [], { uid: 0, env: { IS_SANDBOX: undefined } }, /root with bypassPermissions[\s\S]*IS_SANDBOX=1/);
    const sandbox = await cli(s, ['doctor', '--claude', s.claude], { uid: 0, env: { IS_SANDBOX: '1' } });
    assert.equal(sandbox.code, 0, sandbox.out);
    const acceptEdits = await cli(s, ['doctor', '--claude', s.claude, '--permission-mode', 'acceptEdits'], { uid: 0, env: { IS_SANDBOX: undefined } });
    assert.equal(acceptEdits.code, 0, acceptEdits.out);
  });

  it('a BMAD install lacking a workflow the run needs (an injected check) refuses run/resume', async () => {
    const s = setup();
    const missingWorkflow: DoctorCheck = {
      id: 'bmad',
      run: async () => ({
        id: 'bmad',
        title: 'BMAD install',
        status: 'fail',
        detail: 'Claude Code has BMAD commands but no dev-story workflow.',
        fix: 'Re-install BMAD with --shims.',
      }),
    };
    const d = await cli(s, ['doctor', '--json', '--claude', s.claude], { checks: [missingWorkflow] });
    assert.equal(d.code, 2);
    const bmad = (JSON.parse(d.out) as DoctorReport).checks.filter((c) => c.id === 'bmad');
    assert.equal(bmad.length, 1, 'the injected check replaces the built-in one');
    await assertRefused(s, [], { checks: [missingWorkflow] }, /no dev-story workflow[\s\S]*Fix: Re-install BMAD/);
  });

  it('no ledger fails, naming --ledger, and refuses run/resume; run --init is allowed to create it', async () => {
    const s = setup();
    rmSync(path.join(s.ws, ledgerRel));
    const d = await cli(s, ['doctor', '--claude', s.claude]);
    assert.equal(d.code, 2);
    assert.match(d.out, /No sprint-status\.yaml found[\s\S]*--ledger FILE[\s\S]*sprint-runner run --init/);
    await assertRefused(s, [], {}, /No sprint-status\.yaml found/);
    const wrong = await cli(s, ['doctor', '--claude', s.claude, '--ledger', 'nowhere/sprint-status.yaml']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.out, /nowhere/);
    // With --init the missing ledger is what the run creates: the checks pass, the ledger is written, the agent starts.
    const init = await cli(s, ['run', '--init', '--cycles', '1', '--claude', s.claude]);
    // This fake agent prints no session, so the run itself ends as "agent not usable"; the checks did not refuse it.
    assert.doesNotMatch(init.err, /No sprint-status\.yaml found/, init.err);
    assert.equal(existsSync(path.join(s.ws, ledgerRel)), true);
    assert.equal(existsSync(s.spawnMarker), true);
  });

  it('a failing check refuses --init too, before the ledger is created', async () => {
    const s = setup();
    rmSync(path.join(s.ws, ledgerRel));
    const r = await cli(s, ['run', '--init', '--claude', path.join(s.home, 'absent')]);
    assert.equal(r.code, 2);
    assert.equal(existsSync(path.join(s.ws, ledgerRel)), false);
  });

  it('no git repository is a warning only', async () => {
    const s = setup({ git: false });
    const r = await cli(s, ['doctor', '--json', '--claude', s.claude]);
    assert.equal(r.code, 0, r.out);
    const git = (JSON.parse(r.out) as DoctorReport).checks.find((c) => c.id === 'git')!;
    assert.equal(git.status, 'warn');
    assert.match(git.detail, /not in a git repository/);
  });

  it('git not installed is a warning only', async () => {
    const s = setup();
    // A PATH with only the fake CLI on it: no git to be found.
    const r = await cli(s, ['doctor', '--json', '--claude', s.claude], { env: { PATH: path.dirname(s.claude) } });
    assert.equal(r.code, 0, r.out);
    const git = (JSON.parse(r.out) as DoctorReport).checks.find((c) => c.id === 'git')!;
    assert.equal(git.status, 'warn');
    assert.match(git.detail, /git is not installed/);
  });
});
