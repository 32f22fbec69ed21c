// `<stateDir>/children.json`: the `claude` children this orchestrator runs, each with its step token
// (STEP_TOKEN_VARIABLE, inherited by everything the step starts) and the processes seen in its tree, each
// with its start time. An entry is written BEFORE the child is spawned (pid 0 until it runs), so no window
// exists in which a step runs unrecorded. If the orchestrator dies (SIGKILL, crash, VS Code killed), the
// next start calls reapOrphans() and ends what is still running.
//
// The file lives in the state folder, which by default is inside the workspace: a repository can ship one,
// and an old one outlives a reboot. So the file is only a hint, never a licence to kill: an entry counts only
// when it was written in this boot (boot id) by this user (uid) and names a step token; what is ended is
// what is found LIVE carrying that token in its environment (and what those processes started), each
// process re-verified (pid + start time) just before it is signalled, one by one — never a whole group or
// session on the strength of the file. Where environments cannot be read (Windows), only the recorded
// `claude` process itself, alive with the recorded creation time, and its tree are ended. Entries whose
// owner is still alive (another orchestrator on the same state folder) are left alone.

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../NodeFileSystem';
import { processControlFor, type ProcessControl } from './ProcessControl';
import { childrenByParent, type ProcStat } from './processTree';

export interface RecordedProcess {
  pid: number;
  startTime: number;
  pgrp: number;
  session: number;
}

export interface ChildEntry {
  /** The boot in which the entry was written (Linux: /proc/sys/kernel/random/boot_id); absent in old files. */
  bootId?: string;
  /** The user who ran the orchestrator (-1 where there are no uids). */
  uid?: number;
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

function currentUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : -1;
}

interface Owner {
  pid: number;
  startTime: number;
  bootId?: string;
  uid: number;
}

/** Records this orchestrator's children; one instance per state folder per process. */
export class ChildRegistry {
  private readonly file: string;
  private queue: Promise<void> = Promise.resolve();
  private owner?: Owner;

  constructor(
    readonly stateDir: string,
    private readonly os: ProcessControl = processControlFor(),
  ) {
    this.file = childRegistryPath(stateDir);
  }

  private async identify(): Promise<Owner> {
    this.owner ??= {
      pid: process.pid,
      startTime: (await this.os.stat(process.pid))?.startTime ?? 0,
      bootId: await this.os.bootId(),
      uid: currentUid(),
    };
    return this.owner;
  }

  /** Serialises read-modify-write cycles: every write is atomic and sees the previous one. */
  private update(change: (f: ChildFile, owner: Owner) => void): Promise<void> {
    const next = this.queue.then(async () => {
      const owner = await this.identify();
      await fsp.mkdir(this.stateDir, { recursive: true });
      const f = await readChildFile(this.file);
      change(f, owner);
      await writeFileAtomic(this.file, `${JSON.stringify(f, null, 2)}\n`);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Records a step about to be spawned (its token; no pid yet). */
  announce(token: string, command: string, stepKey?: string): Promise<void> {
    return this.update((f, owner) => {
      f.children = f.children.filter((c) => c.token !== token);
      f.children.push({
        bootId: owner.bootId,
        uid: owner.uid,
        ownerPid: owner.pid,
        ownerStartTime: owner.startTime,
        pid: 0,
        startTime: owner.startTime,
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
  /** Entries of ours whose owner had died. */
  orphanEntries: number;
  /** Entries dropped unread: another boot, another user, no step token, or unreadable. */
  ignoredEntries: number;
  /** Pids SIGKILLed. */
  killed: number[];
}

/** True when the entry was written by this user in this boot and names a step token. */
function isOurs(c: ChildEntry, bootId: string | undefined, uid: number): boolean {
  return (
    typeof c === 'object' && c !== null &&
    typeof c.token === 'string' && c.token.length > 0 &&
    bootId !== undefined && c.bootId === bootId &&
    c.uid === uid &&
    Number.isInteger(c.ownerPid) && Number.isInteger(c.pid) && Number.isFinite(c.startTime)
  );
}

/** `roots` and every live process descending from one of them (by parent pid), none older than `notBefore`. */
export function withDescendants(all: ProcStat[], roots: ProcStat[], notBefore: number): ProcStat[] {
  const byParent = childrenByParent(all);
  const selected = new Map<number, ProcStat>();
  const queue = [...roots];
  while (queue.length > 0) {
    const p = queue.pop() as ProcStat;
    if (selected.has(p.pid) || p.state === 'Z' || p.startTime < notBefore || p.pid <= 1 || p.pid === process.pid) continue;
    selected.set(p.pid, p);
    queue.push(...(byParent.get(p.pid) ?? []));
  }
  return [...selected.values()];
}

/**
 * Ends the processes of steps recorded by an orchestrator of ours that is no longer running (see the top of
 * this file for what counts as ours and what is ended). Entries that are not ours are dropped unread.
 */
export async function reapOrphans(stateDir: string, os: ProcessControl = processControlFor()): Promise<ReapReport> {
  const file = childRegistryPath(stateDir);
  const f = await readChildFile(file);
  if (f.children.length === 0) return { orphanEntries: 0, ignoredEntries: 0, killed: [] };
  const bootId = await os.bootId();
  const uid = currentUid();
  const keep: ChildEntry[] = [];
  const orphans: ChildEntry[] = [];
  let ignoredEntries = 0;
  for (const c of f.children) {
    if (!isOurs(c, bootId, uid)) {
      ignoredEntries++;
      continue;
    }
    const owner = c.ownerPid !== process.pid && c.ownerPid > 1 ? await os.stat(c.ownerPid) : undefined;
    const ownerAlive = owner !== undefined && owner.startTime === c.ownerStartTime && owner.state !== 'Z';
    (ownerAlive ? keep : orphans).push(c);
  }
  let killed: number[] = [];
  if (orphans.length > 0) {
    const all = await os.list();
    const byPid = new Map(all.map((p) => [p.pid, p]));
    const bearers = await os.tokenBearers(all, orphans.map((c) => c.token as string));
    const targets = new Map<number, ProcStat>();
    for (const c of orphans) {
      let roots: ProcStat[];
      if (bearers) {
        roots = (bearers.get(c.token as string) ?? []).filter((p) => p.startTime >= c.startTime);
      } else {
        // No environments to read: only the recorded `claude` process, alive with its recorded start time.
        const root = c.pid > 1 ? byPid.get(c.pid) : undefined;
        roots = root && root.startTime === c.startTime && root.state !== 'Z' ? [root] : [];
      }
      for (const p of withDescendants(all, roots, c.startTime)) targets.set(p.pid, p);
    }
    killed = await os.killEach([...targets.values()]);
  }
  // Rewrite with only live owners' entries (atomic).
  await writeFileAtomic(file, `${JSON.stringify({ version: 1, children: keep }, null, 2)}\n`);
  return { orphanEntries: orphans.length, ignoredEntries, killed };
}
