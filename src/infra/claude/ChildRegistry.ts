// `<stateDir>/children.json`: the `claude` children this orchestrator runs and the processes seen in their
// trees, each with its start time. If the orchestrator dies (SIGKILL, crash, VS Code killed), the next start
// calls reapOrphans() and ends what is still running, matching pid AND start time so a reused pid is never
// touched, and skipping entries whose owner is still alive (another orchestrator on the same state folder).

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../NodeFileSystem';
import { collectTree, isSameProcessAlive, killProcesses, listProcesses, readProcStatSync, type ProcStat } from './processTree';

export interface RecordedProcess {
  pid: number;
  startTime: number;
  pgrp: number;
  session: number;
}

export interface ChildEntry {
  ownerPid: number;
  ownerStartTime: number;
  /** The `claude` process. */
  pid: number;
  startTime: number;
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

  add(child: ProcStat, command: string, stepKey?: string): Promise<void> {
    return this.update((f) => {
      f.children = f.children.filter((c) => !(c.pid === child.pid && c.startTime === child.startTime));
      f.children.push({
        ownerPid: this.owner.pid,
        ownerStartTime: this.owner.startTime,
        pid: child.pid,
        startTime: child.startTime,
        command,
        stepKey,
        recordedAt: new Date().toISOString(),
        members: [toRecorded(child)],
      });
    });
  }

  /** Replaces the member list of a child with a new snapshot (merged: a member seen once stays recorded). */
  setMembers(child: { pid: number; startTime: number }, members: ProcStat[]): Promise<void> {
    return this.update((f) => {
      const entry = f.children.find((c) => c.pid === child.pid && c.startTime === child.startTime);
      if (!entry) return;
      const known = new Map(entry.members.map((m) => [`${m.pid}:${m.startTime}`, m]));
      for (const m of members) known.set(`${m.pid}:${m.startTime}`, toRecorded(m));
      entry.members = [...known.values()];
    });
  }

  remove(child: { pid: number; startTime: number }): Promise<void> {
    return this.update((f) => {
      f.children = f.children.filter((c) => !(c.pid === child.pid && c.startTime === child.startTime));
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
 * Ends the processes of children recorded by an orchestrator that is no longer running. A recorded process
 * is only killed if it is alive with the SAME start time; its group/session-mates are collected from /proc
 * (a tool's background job started after the last snapshot is still in the recorded group).
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
    const byPid = new Map(all.map((p) => [p.pid, p]));
    const targets = new Map<number, ProcStat>();
    for (const c of orphans) {
      const recorded = [{ pid: c.pid, startTime: c.startTime }, ...c.members];
      const groups = new Set<number>();
      for (const r of recorded) {
        const live = byPid.get(r.pid);
        if (!live || live.startTime !== r.startTime || live.state === 'Z') continue;
        targets.set(live.pid, live);
        groups.add(live.pgrp);
        groups.add(live.session);
      }
      // Only groups vouched for by a verified live member: a recycled group id alone proves nothing.
      for (const root of [...targets.values()]) for (const p of collectTree(all, root.pid, groups)) targets.set(p.pid, p);
    }
    killed.push(...(await killProcesses([...targets.values()])));
  }
  // Rewrite with only live owners' entries (atomic).
  await writeFileAtomic(file, `${JSON.stringify({ version: 1, children: keep }, null, 2)}\n`);
  return { orphanEntries: orphans.length, killed };
}
