// The pieces the leftover sweep is built from: exact environment matching, the selection rules (identity by
// pid + start time, groups vouched for by a verified member, nothing older than the step, never the
// orchestrator's own group), boot ticks, and the /proc environment scan on real processes.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  environHasEntry,
  findStepProcesses,
  listProcesses,
  readBootTicks,
  readProcStat,
  readProcStatSync,
  selectStepLeftovers,
  STEP_TOKEN_VARIABLE,
  type ProcStat,
} from '../../../../src/infra/claude/processTree';

const env = (...entries: string[]): Buffer => Buffer.from(`${entries.join('\0')}\0`);

function proc(pid: number, over: Partial<ProcStat> = {}): ProcStat {
  return { pid, ppid: 1, pgrp: pid, session: pid, startTime: 1000, state: 'S', ...over };
}

describe('processTree', () => {
  it('environHasEntry matches whole NAME=value entries only', () => {
    const block = env('PATH=/bin', 'SPRINT_RUNNER_STEP_TOKEN=abc', 'XSPRINT_RUNNER_STEP_TOKEN=zzz');
    assert.equal(environHasEntry(block, 'SPRINT_RUNNER_STEP_TOKEN=abc'), true);
    assert.equal(environHasEntry(block, 'SPRINT_RUNNER_STEP_TOKEN=ab'), false, 'a prefix of the value');
    assert.equal(environHasEntry(env('SPRINT_RUNNER_STEP_TOKEN=abcd'), 'SPRINT_RUNNER_STEP_TOKEN=abc'), false);
    assert.equal(environHasEntry(block, 'SPRINT_RUNNER_STEP_TOKEN=zzz'), false, 'a longer name ending the same way');
    assert.equal(environHasEntry(Buffer.from('A=1\0SPRINT_RUNNER_STEP_TOKEN=abc'), 'SPRINT_RUNNER_STEP_TOKEN=abc'), true, 'last entry without its NUL');
    assert.equal(environHasEntry(Buffer.alloc(0), 'SPRINT_RUNNER_STEP_TOKEN=abc'), false);
  });

  describe('selectStepLeftovers', () => {
    const self = readProcStatSync(process.pid) as ProcStat;
    const root = { pid: 500, startTime: 1000 };

    it('selects recorded processes only with the same start time (a reused pid is never selected)', () => {
      const all = [proc(600, { startTime: 1200 }), proc(601, { startTime: 1300 })];
      const got = selectStepLeftovers(all, { root, known: [{ pid: 600, startTime: 1200 }, { pid: 601, startTime: 1250 }], tokenBearers: [] });
      assert.deepEqual(got.map((p) => p.pid), [600]);
    });

    it('adds group/session mates and descendants of verified processes, but nothing older than the step', () => {
      const all = [
        proc(700, { startTime: 1100 }), // token bearer, leads group and session 700
        proc(701, { pgrp: 700, session: 700, startTime: 1101 }), // its group mate, re-parented to 1, no token (scrubbed env)
        proc(702, { ppid: 701, pgrp: 702, session: 702, startTime: 1102 }), // child of the mate, in a session of its own
        proc(703, { pgrp: 700, session: 700, startTime: 900 }), // in the group but older than the step: not ours to judge
        proc(800, { startTime: 1100 }), // unrelated
      ];
      const got = selectStepLeftovers(all, { root, known: [], tokenBearers: [all[0]] });
      assert.deepEqual(got.map((p) => p.pid).sort(), [700, 701, 702]);
    });

    it('a recorded group id without a verified live member proves nothing (it may be recycled), unless trusted', () => {
      const all = [proc(900, { pgrp: 555, session: 555, startTime: 1500 })];
      const known = [{ pid: 555, startTime: 1001 }]; // the recorded leader is gone
      assert.deepEqual(selectStepLeftovers(all, { root, known, tokenBearers: [] }), []);
      assert.deepEqual(selectStepLeftovers(all, { root, known, tokenBearers: [], trustedGroups: [555] }).map((p) => p.pid), [900]);
    });

    it('never selects the orchestrator, its group or session, PID 1, or zombies', () => {
      const all = [
        proc(1, { startTime: 1 }),
        { ...self },
        proc(650, { pgrp: self.pgrp, session: self.session, startTime: 2000 }),
        proc(651, { startTime: 2000, state: 'Z' }),
      ];
      const got = selectStepLeftovers(all, {
        root: { pid: 500, startTime: 0 },
        known: [],
        tokenBearers: [all[0], all[1], all[3]],
        trustedGroups: [self.pgrp, self.session, 1],
      });
      assert.deepEqual(got, []);
    });
  });

  it('readBootTicks is a lower bound of the start time of a process spawned after it', async () => {
    const ticks = await readBootTicks();
    assert.ok(ticks > 0);
    const child = spawn('sleep', ['5'], { stdio: 'ignore' });
    try {
      const stat = await readProcStat(child.pid as number);
      assert.ok(stat && stat.startTime >= ticks, `${stat?.startTime} >= ${ticks}`);
      assert.ok(stat.startTime - ticks < 500, 'and close to it (clock ticks at 100 Hz)');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('findStepProcesses finds the processes started with a token in their environment, per token', async () => {
    const token = randomUUID();
    const other = randomUUID();
    const withToken = spawn('sleep', ['5'], { stdio: 'ignore', env: { ...process.env, [STEP_TOKEN_VARIABLE]: token } });
    const withOther = spawn('sleep', ['5'], { stdio: 'ignore', env: { ...process.env, [STEP_TOKEN_VARIABLE]: other } });
    const without = spawn('sleep', ['5'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const found = await findStepProcesses(await listProcesses(), [token, other, randomUUID()]);
      assert.deepEqual(found.get(token)?.map((p) => p.pid), [withToken.pid]);
      assert.deepEqual(found.get(other)?.map((p) => p.pid), [withOther.pid]);
      assert.equal([...found.values()].flat().length, 2);
      assert.ok(![...found.values()].flat().some((p) => p.pid === without.pid));
    } finally {
      for (const c of [withToken, withOther, without]) c.kill('SIGKILL');
    }
  });
});
