// reapOrphans with hand-written registry entries of a dead orchestrator and real processes carrying a
// step token: what started after the step is ended however it was forked; what started before it is a
// different process (its identity does not match the entry) and is never touched.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../../../src/infra/NodeFileSystem';
import { childRegistryPath, reapOrphans, type ChildEntry } from '../../../../src/infra/claude/ChildRegistry';
import { readProcStat, type ProcStat } from '../../../../src/infra/claude/processTree';
import { alive, killWithEnv, makeWorkspace, sleepers, waitFor } from './simHarness';

const TOKEN_VARIABLE = 'SPRINT_RUNNER_STEP_TOKEN';
/** No such pid: pid_max is at most 4194304. */
const DEAD_OWNER = 4_194_305;
const BOOT_ID = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

describe('ChildRegistry.reapOrphans and step tokens (real processes)', function () {
  this.timeout(15_000);
  const markers: string[] = [];
  afterEach(() => {
    for (const m of markers.splice(0)) killWithEnv(m);
  });

  /** `setsid sh -c 'sleep <n> &'` with the token: the sleep is re-parented to PID 1 in a session of its own. */
  async function doubleForkedSleep(token: string): Promise<{ pid: number; startTime: number; marker: string }> {
    const n = 6000 + Math.floor(Math.random() * 3000);
    const marker = `SR_TEST_MARKER=${randomUUID()}`;
    markers.push(marker);
    const [k, v] = marker.split('=');
    const sh = spawn('setsid', ['sh', '-c', `sleep ${n} &`], { stdio: 'ignore', env: { ...process.env, [TOKEN_VARIABLE]: token, [k]: v } });
    await new Promise((r) => sh.once('exit', r));
    await waitFor(() => sleepers(n).length === 1, 5000, `sleep ${n}`);
    const stat = await readProcStat(sleepers(n)[0]);
    assert.ok(stat && stat.ppid === 1, 'the job lost its parent');
    return { pid: stat.pid, startTime: stat.startTime, marker };
  }

  function entry(token: string, stepStartTime: number): ChildEntry {
    // The step's claude process is gone (pid 0: orchestrator killed right after announcing it) and no
    // snapshot recorded any member: only the token leads to what it left.
    return { bootId: BOOT_ID, uid: process.getuid!(), ownerPid: DEAD_OWNER, ownerStartTime: 1, pid: 0, startTime: stepStartTime, token, command: 'claude', recordedAt: '', members: [] };
  }

  /** A process the runner never started: its own session, a child in it, no step token. */
  async function stranger(): Promise<{ leader: ProcStat; member: ProcStat; marker: string }> {
    const n = 6000 + Math.floor(Math.random() * 3000);
    const marker = `SR_TEST_MARKER=${randomUUID()}`;
    markers.push(marker);
    const [k, v] = marker.split('=');
    const sh = spawn('setsid', ['sh', '-c', `sleep ${n} & wait`], { stdio: 'ignore', detached: false, env: { ...process.env, [k]: v } });
    sh.unref();
    await waitFor(() => sleepers(n).length === 1, 5000, `sleep ${n}`);
    const member = (await readProcStat(sleepers(n)[0])) as ProcStat;
    const leader = (await readProcStat(member.ppid)) as ProcStat;
    assert.equal(leader.session, leader.pid, 'the stranger leads its own session');
    return { leader, member, marker };
  }

  it('ends token bearers that started after the step, never one that started before it (a different process)', async () => {
    const ws = makeWorkspace();
    const ours = randomUUID();
    const older = randomUUID();
    const after = await doubleForkedSleep(ours);
    const before = await doubleForkedSleep(older);
    mkdirSync(ws.stateDir, { recursive: true });
    await writeFileAtomic(
      childRegistryPath(ws.stateDir),
      JSON.stringify({
        version: 1,
        children: [
          entry(ours, after.startTime - 1),
          // Claims a step that started 5 s after this process: whatever carries the token, it is not that step's.
          entry(older, before.startTime + 500),
        ],
      }),
    );
    const report = await reapOrphans(ws.stateDir);
    assert.equal(report.orphanEntries, 2);
    assert.deepEqual(report.killed, [after.pid]);
    await waitFor(() => !alive(after.pid), 3000, 'the reaped job to die');
    assert.equal(alive(before.pid), true, 'the process older than its entry is left alone');
  });

  it('an entry without boot id, user and token (an older version, or a crafted file) is dropped and nothing is signalled', async () => {
    const ws = makeWorkspace();
    const job = await doubleForkedSleep(randomUUID());
    mkdirSync(ws.stateDir, { recursive: true });
    const legacy = { ownerPid: DEAD_OWNER, ownerStartTime: 1, pid: DEAD_OWNER + 1, startTime: job.startTime - 1, command: 'claude', recordedAt: '', members: [{ pid: job.pid, startTime: job.startTime, pgrp: job.pid, session: job.pid }] };
    await writeFileAtomic(childRegistryPath(ws.stateDir), JSON.stringify({ version: 1, children: [legacy] }));
    const report = await reapOrphans(ws.stateDir);
    assert.deepEqual(report, { orphanEntries: 0, ignoredEntries: 1, killed: [] });
    assert.equal(alive(job.pid), true, 'the process the entry names is left alone');
    assert.deepEqual(JSON.parse(readFileSync(childRegistryPath(ws.stateDir), 'utf8')).children, [], 'the entry is dropped');
  });

  it('a crafted entry naming a stranger exactly (this boot, this user, pid + start time, its group and session) kills nothing', async () => {
    const ws = makeWorkspace();
    const s = await stranger();
    mkdirSync(ws.stateDir, { recursive: true });
    const members = [s.leader, s.member].map((p) => ({ pid: p.pid, startTime: p.startTime, pgrp: p.pgrp, session: p.session }));
    const crafted = { ...entry(randomUUID(), s.leader.startTime), pid: s.leader.pid, startTime: s.leader.startTime, members };
    const otherBoot = { ...crafted, bootId: randomUUID(), token: randomUUID() };
    await writeFileAtomic(childRegistryPath(ws.stateDir), JSON.stringify({ version: 1, children: [crafted, otherBoot] }));
    const report = await reapOrphans(ws.stateDir);
    assert.deepEqual(report.killed, [], 'nothing is signalled: no live process carries the entry\'s step token');
    assert.equal(report.ignoredEntries, 1, 'the entry of another boot is not even considered');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(alive(s.leader.pid), true, 'the stranger survives');
    assert.equal(alive(s.member.pid), true, 'its session mate survives');
  });
});
