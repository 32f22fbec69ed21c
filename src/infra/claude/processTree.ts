// Finding and ending every process a `claude` child started. The Bash tool starts its commands in their own
// session / process group, and after SIGTERM/SIGKILL of the CLI they are re-parented to PID 1, so the
// parent chain alone loses them: we collect descendants by ppid AND everything sharing a process group or
// session with a descendant, from /proc/*/stat, before signalling anything. Linux only (the CLI's home).

import { promises as fsp, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  session: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot): with the pid, identifies a process uniquely. */
  startTime: number;
  state: string;
}

/** Parses /proc/<pid>/stat text. The command name may hold spaces and parentheses: split after the last `)`. */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close === -1) return undefined;
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): field k is rest[k - 3].
  const stat: ProcStat = {
    pid,
    state: rest[0],
    ppid: Number(rest[1]),
    pgrp: Number(rest[2]),
    session: Number(rest[3]),
    startTime: Number(rest[19]),
  };
  return Number.isInteger(stat.pid) && Number.isFinite(stat.startTime) ? stat : undefined;
}

export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(await fsp.readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function readProcStatSync(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Every process visible in /proc (zombies included; callers treat state `Z` as gone). */
export async function listProcesses(): Promise<ProcStat[]> {
  let names: string[];
  try {
    names = await fsp.readdir('/proc');
  } catch {
    return [];
  }
  const pids = names.filter((n) => /^\d+$/.test(n)).map(Number);
  const out: ProcStat[] = [];
  // Small batches: a few hundred tiny reads, without flooding the thread pool.
  for (let i = 0; i < pids.length; i += 64) {
    const batch = await Promise.all(pids.slice(i, i + 64).map(readProcStat));
    for (const s of batch) if (s) out.push(s);
  }
  return out;
}

/** Groups and sessions the orchestrator must never signal: its own, init's, the kernel's. */
function protectedIds(): Set<number> {
  const self = readProcStatSync(process.pid);
  const ids = new Set<number>([0, 1, process.pid]);
  if (self) {
    ids.add(self.pgrp);
    ids.add(self.session);
  }
  return ids;
}

/**
 * The processes belonging to the tree of `rootPid`: its descendants by ppid, then (repeatedly) anything in
 * a process group or session of one of them. `extraGroups` adds groups/sessions known from earlier
 * snapshots (a tool's session whose members were already re-parented to PID 1).
 */
export function collectTree(all: ProcStat[], rootPid: number, extraGroups: Iterable<number> = []): ProcStat[] {
  const banned = protectedIds();
  const byParent = new Map<number, ProcStat[]>();
  for (const p of all) {
    const list = byParent.get(p.ppid);
    if (list) list.push(p);
    else byParent.set(p.ppid, [p]);
  }
  const members = new Map<number, ProcStat>();
  const groups = new Set<number>();
  for (const g of extraGroups) if (!banned.has(g)) groups.add(g);
  const root = all.find((p) => p.pid === rootPid);
  const queue: ProcStat[] = root ? [root] : [];
  let changed = true;
  while (changed) {
    changed = false;
    while (queue.length > 0) {
      const p = queue.pop() as ProcStat;
      if (members.has(p.pid) || p.pid === process.pid || p.pid === 1) continue;
      members.set(p.pid, p);
      changed = true;
      if (!banned.has(p.pgrp)) groups.add(p.pgrp);
      if (!banned.has(p.session)) groups.add(p.session);
      for (const c of byParent.get(p.pid) ?? []) queue.push(c);
    }
    for (const p of all) {
      if (!members.has(p.pid) && (groups.has(p.pgrp) || groups.has(p.session)) && p.pid !== process.pid && p.pid !== 1) {
        queue.push(p);
      }
    }
    if (queue.length > 0) changed = true;
  }
  return [...members.values()];
}

function trySignal(target: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(target, signal);
    return true;
  } catch {
    return false;
  }
}

/** True when `pid` still runs the process that started at `startTime` (never a reused pid). */
export async function isSameProcessAlive(pid: number, startTime: number): Promise<boolean> {
  const s = await readProcStat(pid);
  return s !== undefined && s.startTime === startTime && s.state !== 'Z';
}

/**
 * SIGKILLs the process groups of `members` and then each member still alive with the same start time.
 * Returns the pids that were signalled.
 */
export async function killProcesses(members: ProcStat[]): Promise<number[]> {
  const banned = protectedIds();
  const killed: number[] = [];
  const alive: ProcStat[] = [];
  for (const m of members) if (await isSameProcessAlive(m.pid, m.startTime)) alive.push(m);
  const groups = new Set<number>();
  for (const m of alive) if (!banned.has(m.pgrp)) groups.add(m.pgrp);
  for (const g of groups) trySignal(-g, 'SIGKILL');
  for (const m of alive) {
    if (banned.has(m.pid)) continue;
    if (trySignal(m.pid, 'SIGKILL')) killed.push(m.pid);
  }
  return killed;
}

export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  return trySignal(pid, signal);
}
