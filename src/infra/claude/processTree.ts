// Finding and ending every process a `claude` child started. The Bash tool starts its commands in their own
// session / process group, and after SIGTERM/SIGKILL of the CLI they are re-parented to PID 1, so the
// parent chain alone loses them: we collect descendants by ppid AND everything sharing a process group or
// session with a descendant, from /proc/*/stat, before signalling anything. A job whose parent already
// exited cannot be found by ppid at all, so every step's environment also carries a token unique to the
// step (STEP_TOKEN_VARIABLE) that every process it starts inherits, found again in /proc/<pid>/environ.
// Linux only (the CLI's home): this is the /proc side of ProcessControl; macOS and Windows have their own.

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

/**
 * Clock ticks since boot now, in the unit of ProcStat.startTime (USER_HZ, 100 on Linux), rounded down: a
 * process started after this call has a start time at least this. 0 when /proc/uptime is unreadable.
 */
export async function readBootTicks(): Promise<number> {
  try {
    const seconds = Number((await fsp.readFile('/proc/uptime', 'utf8')).split(' ')[0]);
    return Number.isFinite(seconds) ? Math.max(0, Math.floor(seconds * 100) - 1) : 0;
  } catch {
    return 0;
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

/** Environment variable holding the step's token; every process the step starts inherits it. */
export const STEP_TOKEN_VARIABLE = 'SPRINT_RUNNER_STEP_TOKEN';

/** True when the NUL-separated environment block holds exactly the entry `NAME=value`. */
export function environHasEntry(environ: Buffer, entry: string): boolean {
  const needle = Buffer.from(`${entry}\0`, 'utf8');
  let at = environ.indexOf(needle);
  while (at !== -1) {
    if (at === 0 || environ[at - 1] === 0) return true;
    at = environ.indexOf(needle, at + 1);
  }
  // The last entry of a block written by a process that rewrote its environment may lack the final NUL.
  const tail = Buffer.from(entry, 'utf8');
  const end = environ.length - tail.length;
  return end >= 0 && environ.subarray(end).equals(tail) && (end === 0 || environ[end - 1] === 0);
}

/**
 * The live processes of `all` whose environment holds `STEP_TOKEN_VARIABLE=<token>`, per token asked for.
 * /proc/<pid>/environ is the environment the process was started with, so a child that forked, double
 * forked, called setsid or was re-parented to PID 1 still shows it (unless it exec'd with a scrubbed
 * environment). Unreadable entries (another user's processes, gone meanwhile) are skipped. Reads are async,
 * in small batches: a few hundred small files, a few milliseconds.
 */
export async function findStepProcesses(all: ProcStat[], tokens: string[]): Promise<Map<string, ProcStat[]>> {
  const found = new Map<string, ProcStat[]>(tokens.map((t) => [t, []]));
  if (tokens.length === 0) return found;
  const entries = tokens.map((t) => [t, `${STEP_TOKEN_VARIABLE}=${t}`] as const);
  const candidates = all.filter((p) => p.state !== 'Z' && p.pid !== process.pid && p.pid > 1);
  for (let i = 0; i < candidates.length; i += 32) {
    const batch = candidates.slice(i, i + 32);
    const blocks = await Promise.all(batch.map((p) => fsp.readFile(`/proc/${p.pid}/environ`).catch(() => undefined)));
    batch.forEach((p, k) => {
      const block = blocks[k];
      if (!block || block.length === 0) return;
      for (const [token, entry] of entries) if (environHasEntry(block, entry)) found.get(token)?.push(p);
    });
  }
  return found;
}

export interface StepLeftoverQuery {
  /** The step's `claude` process. Nothing that started before it is ever selected. */
  root: { pid: number; startTime: number };
  /** Processes recorded while the step ran: selected only when alive with the same start time. */
  known: Iterable<{ pid: number; startTime: number }>;
  /** Processes found carrying the step's token. */
  tokenBearers: Iterable<ProcStat>;
  /**
   * Group/session ids taken as the step's without a live verified member: only the root's own, right after
   * it exited (a pid cannot be reused while processes still have it as their group or session, and the
   * sweep runs within seconds of the exit, long before the pid space wraps).
   */
  trustedGroups?: Iterable<number>;
}

/**
 * What is left of a step: its verified processes (recorded pid + start time, or carrying its token), every
 * process sharing a group or session with one of them (a group holding one of the step's processes lies in
 * one of the step's sessions: sessions cannot be joined), and their descendants, all started no earlier
 * than the step. The orchestrator's own group and session, PID 1 and the orchestrator are never selected.
 */
export function selectStepLeftovers(all: ProcStat[], q: StepLeftoverQuery): ProcStat[] {
  const banned = protectedIds();
  const notBefore = q.root.startTime;
  const eligible = (p: ProcStat): boolean => p.state !== 'Z' && p.startTime >= notBefore && p.pid !== process.pid && p.pid > 1 && !banned.has(p.pid);
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const selected = new Map<number, ProcStat>();
  const seeds: ProcStat[] = [];
  for (const k of q.known) {
    const live = byPid.get(k.pid);
    if (live && live.startTime === k.startTime && eligible(live)) seeds.push(live);
  }
  for (const t of q.tokenBearers) {
    const live = byPid.get(t.pid);
    if (live && live.startTime === t.startTime && eligible(live)) seeds.push(live);
  }
  const groups = new Set<number>();
  for (const g of q.trustedGroups ?? []) if (!banned.has(g)) groups.add(g);
  const byParent = new Map<number, ProcStat[]>();
  for (const p of all) {
    const list = byParent.get(p.ppid);
    if (list) list.push(p);
    else byParent.set(p.ppid, [p]);
  }
  const queue = [...seeds];
  for (;;) {
    while (queue.length > 0) {
      const p = queue.pop() as ProcStat;
      if (selected.has(p.pid) || !eligible(p)) continue;
      selected.set(p.pid, p);
      if (!banned.has(p.pgrp)) groups.add(p.pgrp);
      if (!banned.has(p.session)) groups.add(p.session);
      for (const c of byParent.get(p.pid) ?? []) queue.push(c);
    }
    for (const p of all) if (!selected.has(p.pid) && (groups.has(p.pgrp) || groups.has(p.session)) && eligible(p)) queue.push(p);
    if (queue.length === 0) break;
  }
  return [...selected.values()];
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
  const byParent = childrenByParent(all);
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

/** Parent pid → its child processes, for walking a tree downwards. */
export function childrenByParent(all: readonly ProcStat[]): Map<number, ProcStat[]> {
  const byParent = new Map<number, ProcStat[]>();
  for (const p of all) {
    const list = byParent.get(p.ppid);
    if (list) list.push(p);
    else byParent.set(p.ppid, [p]);
  }
  return byParent;
}

/** Sends a signal; false when the target is gone (or not ours to signal). */
export function trySignal(target: number, signal: NodeJS.Signals): boolean {
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
 * Returns the pids of the members that were alive and signalled (by their group or on their own: a member
 * killed through its group may be gone before its own signal, and still counts).
 */
export async function killProcesses(members: ProcStat[]): Promise<number[]> {
  const banned = protectedIds();
  const alive: ProcStat[] = [];
  for (const m of members) if (await isSameProcessAlive(m.pid, m.startTime)) alive.push(m);
  const signalledGroups = new Set<number>();
  for (const g of new Set(alive.map((m) => m.pgrp))) if (!banned.has(g) && trySignal(-g, 'SIGKILL')) signalledGroups.add(g);
  const killed: number[] = [];
  for (const m of alive) {
    if (banned.has(m.pid)) continue;
    if (trySignal(m.pid, 'SIGKILL') || signalledGroups.has(m.pgrp)) killed.push(m.pid);
  }
  return killed;
}

export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  return trySignal(pid, signal);
}
