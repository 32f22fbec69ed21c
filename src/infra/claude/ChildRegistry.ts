// `<stateDir>/children.json`: the `claude` children this orchestrator runs, each with its step token
// (STEP_TOKEN_VARIABLE, inherited by everything the step starts) and the processes seen in its tree, each
// with its start time. An entry is written BEFORE the child is spawned (pid 0 until it runs), so no window
// exists in which a step runs unrecorded. If the orchestrator dies (SIGKILL, crash, VS Code killed), the
// next start calls reapOrphans() and ends what is still running: recorded processes matching pid AND start
// time (a reused pid is never touched), processes carrying the step's token that started after the step
// (however they were forked or re-parented), and their groups/sessions. Entries whose owner is still alive
// (another orchestrator on the same state folder) are left alone.

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../NodeFileSystem';
import { findStepProcesses, isSameProcessAlive, killProcesses, listProcesses, readProcStatSync, selectStepLeftovers, type ProcStat } from './processTree';

export interface RecordedProcess {
  pid: number;
  startTime: number;
  pgrp: number;
  session: number;
}

export interface ChildEntry {
  ownerPid: number;
  ownerStartTime: number;
  /** The `claude` process; 0 / the owner's start time while it is being spawned. */
  pid: number;
  startTime: number;
  /** Value of STEP_TOKEN_VARIABLE in the step's environment (absent in files of older versions). */
  token?: string;
  command: string;
  stepKey?: string;
  recordedAt: string;
  /** Processes seen in its tree at the last snapshot. */
  members: RecordedProcess[];
}

interface ChildFile {
  version: 1;
  children: ChildEntry[];
}

export function childRegistryPath(stateDir: string): string {
  return path.join(stateDir, 'children.json');
}

async function readChildFile(file: string): Promise<ChildFile> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, children: [] };
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<ChildFile>;
    return { version: 1, children: Array.isArray(parsed.children) ? parsed.children : [] };
  } catch {
    // A corrupt registry must not stop the run: it only helps clean up. Start over.
    return { version: 1, children: [] };
  }
}

const toRecorded = (p: ProcStat): RecordedProcess => ({ pid: p.pid, startTime: p.startTime, pgrp: p.pgrp, session: p.session });

/** Records this orchestrator's children; one instance per state folder per process. */
export class ChildRegistry {
  private readonly file: string;
  private queue: Promise<void> = Promise.resolve();
  private readonly owner: { pid: number; startTime: number };

  constructor(readonly stateDir: string) {
    this.file = childRegistryPath(stateDir);
    this.owner = { pid: process.pid, startTime: readProcStatSync(process.pid)?.startTime ?? 0 };
  }

  /** Serialises read-modify-write cycles: every write is atomic and sees the previous one. */
  private update(change: (f: ChildFile) => void): Promise<void> {
    const next = this.queue.then(async () => {
      await fsp.mkdir(this.stateDir, { recursive: true });
      const f = await readChildFile(this.file);
      change(f);
      await writeFileAtomic(this.file, `${JSON.stringify(f, null, 2)}\n`);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Records a step about to be spawned (its token; no pid yet). */
  announce(token: string, command: string, stepKey?: string): Promise<void> {
    return this.update((f) => {
      f.children = f.children.filter((c) => c.token !== token);
      f.children.push({
        ownerPid: this.owner.pid,
        ownerStartTime: this.owner.startTime,
        pid: 0,
        startTime: this.owner.startTime,
        token,
        command,
        stepKey,
        recordedAt: new Date().toISOString(),
        members: [],
      });
    });
  }

  /** The announced step's `claude` process is running. */
  started(token: string, child: ProcStat): Promise<void> {
    return this.update((f) => {
      const entry = f.children.find((c) => c.token === token);
      if (!entry) return;
      entry.pid = child.pid;
      entry.startTime = child.startTime;
      entry.members = [toRecorded(child)];
    });
  }

  /** Replaces the member list of a step with the processes of its latest snapshot (dead ones drop out). */
  setMembers(token: string, members: ProcStat[]): Promise<void> {
    return this.update((f) => {
      const entry = f.children.find((c) => c.token === token);
      if (entry) entry.members = members.map(toRecorded);
    });
  }

  /** The step and everything it left are gone. */
  remove(token: string): Promise<void> {
    return this.update((f) => {
      f.children = f.children.filter((c) => c.token !== token);
    });
  }
}

export interface ReapReport {
  /** Entries whose owner had died. */
  orphanEntries: number;
  /** Pids SIGKILLed. */
  killed: number[];
}

/**
 * Ends the processes of steps recorded by an orchestrator that is no longer running: recorded processes
 * alive with the SAME start time, processes carrying the step's token that started no earlier than the
 * step, and what shares a group or session with one of those (collected from /proc). A group id alone,
 * without a verified live member, proves nothing (it may have been recycled) and is not used.
 */
export async function reapOrphans(stateDir: string): Promise<ReapReport> {
  const file = childRegistryPath(stateDir);
  const f = await readChildFile(file);
  if (f.children.length === 0) return { orphanEntries: 0, killed: [] };
  const keep: ChildEntry[] = [];
  const orphans: ChildEntry[] = [];
  for (const c of f.children) {
    const ownerAlive = c.ownerPid !== process.pid && (await isSameProcessAlive(c.ownerPid, c.ownerStartTime));
    (ownerAlive ? keep : orphans).push(c);
  }
  const killed: number[] = [];
  if (orphans.length > 0) {
    const all = await listProcesses();
    const tokens = orphans.map((c) => c.token).filter((t): t is string => typeof t === 'string' && t.length > 0);
    const bearers = await findStepProcesses(all, tokens);
    const targets = new Map<number, ProcStat>();
    for (const c of orphans) {
      const known = [...(c.pid > 0 ? [{ pid: c.pid, startTime: c.startTime }] : []), ...(Array.isArray(c.members) ? c.members : [])];
      const tokenBearers = c.token ? (bearers.get(c.token) ?? []) : [];
      for (const p of selectStepLeftovers(all, { root: { pid: c.pid, startTime: c.startTime }, known, tokenBearers })) targets.set(p.pid, p);
    }
    killed.push(...(await killProcesses([...targets.values()])));
  }
  // Rewrite with only live owners' entries (atomic).
  await writeFileAtomic(file, `${JSON.stringify({ version: 1, children: keep }, null, 2)}\n`);
  return { orphanEntries: orphans.length, killed };
}
