// The macOS and Windows paths of process control, run here: their parsers on recorded output, and the
// whole stop / sweep / reap paths of ClaudeAgent and reapOrphans with the platform injected and its tools
// (`ps`, `sysctl`, PowerShell, `taskkill`) answered from this machine's /proc (foreignPlatforms.ts), so
// the processes ended are real. The Linux path is the one the rest of the suite runs.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { ClaudeAgent } from '../../../../src/infra/claude/ClaudeAgent';
import { childRegistryPath, reapOrphans, type ChildEntry } from '../../../../src/infra/claude/ChildRegistry';
import { darwinProcessControl, parseLstart, parsePsTable, pidsWithEnvEntry } from '../../../../src/infra/claude/darwinProcessControl';
import { linuxProcessControl, processControlFor, type ProcessControl } from '../../../../src/infra/claude/ProcessControl';
import { fileTimeToEpochMs, parseWin32Table, win32ProcessControl } from '../../../../src/infra/claude/win32ProcessControl';
import { writeFileAtomic } from '../../../../src/infra/NodeFileSystem';
import { fakeDarwinTools, fakeWindowsTools, lstart, type Invocation } from './foreignPlatforms';
import { aRequest, alive, killWithEnv, makeWorkspace, processesWithEnv, waitFor, type Workspace } from './simHarness';

const FIXTURE = path.join(__dirname, 'leftoverClaude.mjs');

describe('ProcessControl: one port, chosen by platform', () => {
  it('picks /proc on linux, ps on darwin, PowerShell + taskkill on win32', () => {
    assert.equal(processControlFor('linux'), linuxProcessControl);
    assert.equal(processControlFor('darwin').platform, 'darwin');
    assert.equal(processControlFor('win32').platform, 'win32');
    assert.equal(processControlFor('freebsd').platform, 'darwin', 'other POSIX systems use the ps walk');
  });

  it('parses macOS ps output (lstart in the C locale, UTC) and environments printed by ps -E', () => {
    const recorded = [
      '    1     0     1 Ss   Mon Dec  1 08:00:01 2026',
      '  412     1   412 Ss   Fri Dec  4 18:13:48 2026',
      '  413   412   412 S+   Fri Dec  4 18:13:49 2026',
      '  999   412   412 Z    Fri Dec  4 18:13:50 2026',
      'garbage line',
    ].join('\n');
    const table = parsePsTable(recorded);
    assert.deepEqual(
      table.map((p) => [p.pid, p.ppid, p.pgrp, p.state]),
      [
        [1, 0, 1, 'S'],
        [412, 1, 412, 'S'],
        [413, 412, 412, 'S'],
        [999, 412, 412, 'Z'],
      ],
    );
    assert.equal(table[1].startTime, Date.UTC(2026, 11, 4, 18, 13, 48) / 1000);
    assert.equal(parseLstart('Fri Dec  4 18:13:48'), undefined);
    const env = ['  412 node claude.js PATH=/usr/bin SPRINT_RUNNER_STEP_TOKEN=abc HOME=/x', '  413 sleep 9 SPRINT_RUNNER_STEP_TOKEN=abcd', '  414 sleep 9 SPRINT_RUNNER_STEP_TOKEN=abc'].join('\n');
    assert.deepEqual([...pidsWithEnvEntry(env, 'SPRINT_RUNNER_STEP_TOKEN=abc')], [412, 414], 'whole entries only');
  });

  it('parses the Windows process table (FILETIME creation times to epoch milliseconds)', () => {
    const table = parseWin32Table('4 0 0\r\n5120 4 134091404280000000\r\n\r\nnoise\r\n');
    assert.deepEqual(table.map((p) => [p.pid, p.ppid, p.pgrp, p.session]), [[4, 0, 0, 0], [5120, 4, 0, 0]]);
    assert.equal(fileTimeToEpochMs(116_444_736_000_000_000), 0);
    assert.equal(table[1].startTime, fileTimeToEpochMs(134091404280000000));
  });

  it('the emulated ps prints start times macOS-style and they parse back to the second', () => {
    assert.equal(lstart(Date.UTC(2026, 11, 4, 8, 3, 9, 700)), 'Fri Dec  4 08:03:09 2026');
    assert.equal(parseLstart(lstart(Date.UTC(2026, 11, 4, 8, 3, 9, 700))), Date.UTC(2026, 11, 4, 8, 3, 9) / 1000);
  });
});

describe('ProcessControl on darwin and win32 (platform injected, real processes)', function () {
  this.timeout(30_000);
  const markers: string[] = [];
  afterEach(() => {
    for (const m of markers.splice(0)) killWithEnv(m);
  });

  function marker(): string {
    const m = `SR_TEST_MARKER=${randomUUID()}`;
    markers.push(m);
    return m;
  }

  function agentFor(ws: Workspace, control: ProcessControl, mode: string, mark: string): ClaudeAgent {
    const [k, v] = mark.split('=');
    const base = 7000 + Math.floor(Math.random() * 900) * 3;
    return new ClaudeAgent({
      command: FIXTURE,
      logDir: ws.logDir,
      stateDir: ws.stateDir,
      snapshotIntervalMs: 60_000,
      timeouts: { stopGraceMs: 1000 },
      processControl: control,
      env: { LEFTOVER_CLAUDE_MODE: mode, LEFTOVER_CLAUDE_SECONDS: [base, base + 1, base + 2].join(','), [k]: v },
    });
  }

  const tails = (mark: string) => processesWithEnv(mark).filter((p) => p.cmdline === 'tail -f /dev/null');

  /** `setsid sh -c 'sleep N & wait'` started by the test, optionally carrying a step token. */
  async function session(mark: string, token?: string): Promise<{ leader: number; member: number }> {
    const [k, v] = mark.split('=');
    const env = { ...process.env, [k]: v, ...(token ? { SPRINT_RUNNER_STEP_TOKEN: token } : {}) };
    spawn('setsid', ['sh', '-c', `sleep ${8000 + Math.floor(Math.random() * 999)} & wait`], { stdio: 'ignore', env }).unref();
    await waitFor(() => processesWithEnv(mark).length === 2, 5000, 'the session');
    const [a, b] = processesWithEnv(mark);
    return a.cmdline.startsWith('sh') ? { leader: a.pid, member: b.pid } : { leader: b.pid, member: a.pid };
  }

  async function entryFor(control: ProcessControl, over: Partial<ChildEntry>): Promise<ChildEntry> {
    return {
      bootId: await control.bootId(),
      uid: process.getuid!(),
      ownerPid: 4_194_305,
      ownerStartTime: 1,
      pid: 0,
      startTime: 0,
      token: randomUUID(),
      command: 'claude',
      recordedAt: '',
      members: [],
      ...over,
    };
  }

  it('darwin: stop while tools run `tail -f` in their own sessions ends the CLI and both tails (ps walk + ps -E tokens)', async () => {
    const ws = makeWorkspace();
    const mark = marker();
    const calls: Invocation[] = [];
    const ac = new AbortController();
    const run = agentFor(ws, darwinProcessControl(fakeDarwinTools(calls)), 'hang', mark).execute(aRequest(ws, { signal: ac.signal }));
    await waitFor(() => tails(mark).length === 2, 10_000, 'the two tails');
    ac.abort();
    const res = await run;
    assert.equal(res.outcome, 'cancelled');
    await waitFor(() => processesWithEnv(mark).length === 0, 2000, 'nothing of the step left');
    assert.ok(calls.some((c) => c.args.join(' ') === '-A -o pid=,ppid=,pgid=,stat=,lstart='), 'the table came from ps');
    assert.ok(calls.some((c) => c.args.includes('-E')), 'the token was searched with ps -E');
  });

  it('darwin: a normal exit still ends double-forked jobs (re-parented to PID 1) found by their token', async () => {
    const ws = makeWorkspace();
    const mark = marker();
    const res = await agentFor(ws, darwinProcessControl(fakeDarwinTools()), 'exit-normally', mark).execute(aRequest(ws));
    assert.equal(res.outcome, 'success', res.message);
    await waitFor(() => processesWithEnv(mark).length === 0, 2000, 'nothing of the step left');
  });

  it('darwin: reapOrphans ends the token bearers of a dead owner, never a stranger named by pid + start time', async () => {
    const ws = makeWorkspace();
    const control = darwinProcessControl(fakeDarwinTools());
    const token = randomUUID();
    const oursMark = marker();
    const strangerMark = marker();
    const floor = await control.startTimeFloor();
    const ours = await session(oursMark, token);
    const stranger = await session(strangerMark);
    const s = (await control.stat(stranger.leader))!;
    mkdirSync(ws.stateDir, { recursive: true });
    const entries = [await entryFor(control, { token, startTime: floor }), await entryFor(control, { pid: s.pid, startTime: s.startTime, members: [{ pid: s.pid, startTime: s.startTime, pgrp: s.pgrp, session: s.session }] })];
    await writeFileAtomic(childRegistryPath(ws.stateDir), JSON.stringify({ version: 1, children: entries }));
    const report = await reapOrphans(ws.stateDir, control);
    assert.deepEqual(report.killed.sort(), [ours.leader, ours.member].sort());
    await waitFor(() => !alive(ours.leader) && !alive(ours.member), 2000, 'our leftovers to die');
    assert.ok(alive(stranger.leader) && alive(stranger.member), 'the stranger and its session mate survive');
  });

  it('win32: stop asks the tree to close (taskkill /T), then forces it (taskkill /T /F); the CLI and its child are ended', async () => {
    const ws = makeWorkspace();
    const mark = marker();
    const calls: Invocation[] = [];
    const ac = new AbortController();
    const run = agentFor(ws, win32ProcessControl(fakeWindowsTools(calls)), 'hang', mark).execute(aRequest(ws, { signal: ac.signal }));
    await waitFor(() => tails(mark).length === 2, 10_000, 'the two tails');
    const direct = tails(mark).map((t) => t.pid);
    ac.abort();
    const res = await run;
    assert.equal(res.outcome, 'cancelled');
    const taskkills = calls.filter((c) => c.file === 'taskkill').map((c) => c.args.slice(0, -1).join(' '));
    assert.deepEqual(taskkills.slice(0, 2), ['/T /PID', '/T /F /PID'], 'graceful first (refused by a console program), then forced');
    const claudePid = Number(calls.find((c) => c.file === 'taskkill')!.args.at(-1));
    assert.equal(alive(claudePid), false, 'the CLI is gone');
    // The tail started by the CLI itself was in its tree; the double-forked one had lost its parent before
    // any snapshot (Windows cannot read environments to find it by token): see README, supported platforms.
    const left = tails(mark).map((t) => t.pid);
    assert.ok(left.length < direct.length, `taskkill /T ended the CLI's direct child (left: ${left.join(', ')})`);
  });

  it('win32: reapOrphans ends the recorded CLI (same creation time) and its tree with taskkill, and leaves a stranger whose creation time differs', async () => {
    const ws = makeWorkspace();
    const calls: Invocation[] = [];
    const control = win32ProcessControl(fakeWindowsTools(calls));
    const oursMark = marker();
    const strangerMark = marker();
    const ours = await session(oursMark);
    const stranger = await session(strangerMark);
    const o = (await control.stat(ours.leader))!;
    const s = (await control.stat(stranger.leader))!;
    mkdirSync(ws.stateDir, { recursive: true });
    const entries = [await entryFor(control, { pid: o.pid, startTime: o.startTime }), await entryFor(control, { pid: s.pid, startTime: s.startTime - 1 })];
    await writeFileAtomic(childRegistryPath(ws.stateDir), JSON.stringify({ version: 1, children: entries }));
    const report = await reapOrphans(ws.stateDir, control);
    assert.deepEqual(report.killed.sort(), [ours.leader, ours.member].sort());
    assert.deepEqual(
      calls.filter((c) => c.file === 'taskkill').map((c) => c.args.join(' ')).sort(),
      [`/F /PID ${ours.leader}`, `/F /PID ${ours.member}`].sort(),
      'one forced taskkill per verified process, no /T on file data',
    );
    await waitFor(() => !alive(ours.leader) && !alive(ours.member), 2000, 'the orphans to die');
    assert.ok(alive(stranger.leader) && alive(stranger.member), 'the stranger survives');
  });
});
