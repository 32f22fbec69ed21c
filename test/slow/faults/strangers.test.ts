// A crafted or stale `.sprint-runner/children.json` (a repository can ship one: the CLI's default state
// folder is inside the workspace) names a process the runner never started — by its exact pid and start
// time, its group and session, even with this boot's id and this user's uid. `run` must not signal it,
// whether the ledger is valid (the run goes on) or not (exit 2 before anything is reaped).

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readProcStat, type ProcStat } from '../../../src/infra/claude/processTree';
import { FaultRecorder } from './support/FaultRecorder';
import { FaultWorkspace, processesWithMarker } from './support/FaultWorkspace';

const FINDING = 'A crafted or stale children.json made run/resume SIGKILL processes that were not ours, and their sessions, before the ledger was read';
const rec = new FaultRecorder('Process ownership');
const workspaces: FaultWorkspace[] = [];
const strangers: string[] = [];
afterEach(async () => {
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
  for (const marker of strangers.splice(0)) for (const p of processesWithMarker(marker)) process.kill(p.pid, 'SIGKILL');
});

/** `setsid sh -c 'sleep N & wait'`: a session leader and its child, started by the test, not by the runner. */
async function startStranger(): Promise<{ leader: ProcStat; member: ProcStat; marker: string }> {
  const marker = `SR_STRANGER=${randomUUID()}`;
  strangers.push(marker);
  const [k, v] = marker.split('=');
  spawn('setsid', ['sh', '-c', 'sleep 600 & wait'], { stdio: 'ignore', env: { ...process.env, [k]: v } }).unref();
  const until = Date.now() + 5000;
  for (;;) {
    const found = processesWithMarker(marker).filter((p) => p.cmdline.startsWith('sleep'));
    if (found.length === 1) {
      const member = (await readProcStat(found[0].pid)) as ProcStat;
      const leader = (await readProcStat(member.ppid)) as ProcStat;
      return { leader, member, marker };
    }
    if (Date.now() > until) throw new Error('the stranger did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function craftChildren(ws: FaultWorkspace, s: { leader: ProcStat; member: ProcStat }): void {
  const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const members = [s.leader, s.member].map((p) => ({ pid: p.pid, startTime: p.startTime, pgrp: p.pgrp, session: p.session }));
  const entry = {
    bootId,
    uid: process.getuid!(),
    ownerPid: 4_194_305, // no such pid: the "owner" looks dead
    ownerStartTime: 1,
    pid: s.leader.pid,
    startTime: s.leader.startTime,
    token: randomUUID(),
    command: 'claude',
    recordedAt: new Date().toISOString(),
    members,
  };
  mkdirSync(ws.stateDir, { recursive: true });
  writeFileSync(path.join(ws.stateDir, 'children.json'), JSON.stringify({ version: 1, children: [entry] }));
}

describe('fault injection: a children.json naming processes that are not ours', function () {
  this.timeout(60_000);

  for (const ledger of ['valid', 'malformed'] as const) {
    rec.case({
      id: `crafted-children-${ledger}-ledger`,
      title: `children.json names a stranger's session exactly (this boot, this uid, pid + start time); ${ledger} ledger`,
      finding: FINDING,
      expected: `the stranger and its session mate survive; ${ledger === 'valid' ? 'the run completes (exit 0)' : 'the run is refused (exit 2)'}`,
      run: async () => {
        const ws = await FaultWorkspace.create(ledger === 'malformed' ? { ledgerText: 'development_status:\n  1-1-first: backlog\n   bad: [\n' } : {});
        workspaces.push(ws);
        const s = await startStranger();
        craftChildren(ws, s);
        const r = await ws.run(['run', '--cycles', '1']);
        assert.equal(r.code, ledger === 'valid' ? 0 : 2, `exit ${r.code}: ${r.stderr.slice(-400)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        const alive = processesWithMarker(s.marker).map((p) => p.pid).sort();
        assert.deepEqual(alive, [s.leader.pid, s.member.pid].sort(), 'the stranger and its session mate are alive');
        return `exit ${r.code}; stranger session (pids ${s.leader.pid}, ${s.member.pid}) untouched`;
      },
    });
  }
});
