// One runner per state folder: <state-dir>/sprint-runner.lock, created exclusively (`wx`), holding who
// took it. A lock whose process is gone, or whose pid now belongs to another process (different start
// time), is stale and taken over. Also the stop request `sprint-runner stop` leaves for the runner.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Disposable } from '../../core/Emitter';
import { writeFileAtomicSync } from '../NodeFileSystem';
import { pidExists, readProcessStartTime } from './ProcessIdentity';

export const LOCK_FILE = 'sprint-runner.lock';
export const STOP_REQUEST_FILE = 'stop-request';

export interface StateLockInfo {
  pid: number;
  /** /proc/<pid>/stat field 22 of the holder; null where /proc is not available. */
  processStartTime: string | null;
  hostname: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** What the holder does (`run`, `resume`, `extension`). */
  purpose: string;
}

export type LockHolderState = 'alive' | 'dead' | 'pid-reused' | 'other-host';

export class StateLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly holder: StateLockInfo,
    readonly holderState: 'alive' | 'other-host' = 'alive',
  ) {
    super(
      `${lockFile}: another Sprint Runner (${holder.purpose}, pid ${holder.pid} on ${holder.hostname}, since ${holder.startedAt}) ` +
        'is using this state folder. Stop it with `sprint-runner stop` (or the Stop command in the editor) and try again, ' +
        'or wait for it to finish.' +
        (holderState === 'other-host'
          ? ` It runs on another machine, so it cannot be checked from here; if it no longer runs there, delete ${lockFile}.`
          : ''),
    );
    this.name = 'StateLockedError';
  }
}

export interface StopRequest {
  requestedAt: string;
  requestedBy: number;
  reason: string;
}

function lockPath(stateDir: string): string {
  return path.join(stateDir, LOCK_FILE);
}

function stopRequestPath(stateDir: string): string {
  return path.join(stateDir, STOP_REQUEST_FILE);
}

export class StateLock {
  private released = false;

  private constructor(
    readonly stateDir: string,
    readonly info: StateLockInfo,
    /** Set when a stale lock was taken over: who held it and why it was stale. */
    readonly tookOverFrom: { holder: StateLockInfo; state: Exclude<LockHolderState, 'alive'> } | undefined,
  ) {}

  get file(): string {
    return lockPath(this.stateDir);
  }

  /** Whether a stale lock was taken over (its holder died or its pid was reused). */
  get tookOver(): boolean {
    return this.tookOverFrom !== undefined;
  }

  /**
   * Takes the lock or throws StateLockedError naming the holder. A lock file that cannot be parsed
   * (a crash while it was being written) counts as stale.
   */
  static acquire(stateDir: string, opts: { purpose: string; now?: () => number }): StateLock {
    fs.mkdirSync(stateDir, { recursive: true });
    const file = lockPath(stateDir);
    const info: StateLockInfo = {
      pid: process.pid,
      processStartTime: readProcessStartTime(process.pid) ?? null,
      hostname: os.hostname(),
      startedAt: new Date(opts.now ? opts.now() : Date.now()).toISOString(),
      purpose: opts.purpose,
    };
    let tookOverFrom: StateLock['tookOverFrom'];
    // Two attempts: the second after removing a stale lock (someone else may win that race: then we lose cleanly).
    for (let attempt = 0; attempt < 2; attempt++) {
      if (createExclusive(file, info)) return new StateLock(stateDir, info, tookOverFrom);
      const holder = StateLock.read(stateDir);
      if (!holder) {
        // Unreadable or vanished between our create and read: treat as stale.
        fs.rmSync(file, { force: true });
        tookOverFrom = { holder: unreadableHolder(), state: 'dead' };
        continue;
      }
      const state = holderState(holder);
      if (state === 'alive' || state === 'other-host') throw new StateLockedError(file, holder, state);
      removeIfUnchanged(file, holder);
      tookOverFrom = { holder, state };
    }
    const holder = StateLock.read(stateDir);
    if (holder) throw new StateLockedError(file, holder, holderState(holder) === 'other-host' ? 'other-host' : 'alive');
    throw new Error(`${file}: could not take the state lock (it keeps changing). Is another Sprint Runner starting right now?`);
  }

  /** The current holder, or undefined when there is no lock (or it cannot be parsed). */
  static read(stateDir: string): StateLockInfo | undefined {
    const v = readJsonFile<StateLockInfo>(lockPath(stateDir));
    if (!v || v === 'unparsable' || typeof v.pid !== 'number' || typeof v.hostname !== 'string') return undefined;
    return {
      pid: v.pid,
      processStartTime: typeof v.processStartTime === 'string' ? v.processStartTime : null,
      hostname: v.hostname,
      startedAt: String(v.startedAt ?? ''),
      purpose: String(v.purpose ?? 'unknown'),
    };
  }

  /** Whether the holder of a lock still runs: for `sprint-runner status` and `stop`. */
  static holderState(holder: StateLockInfo): LockHolderState {
    return holderState(holder);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    const current = StateLock.read(this.stateDir);
    // Only remove our own lock: after a takeover by someone else (we were presumed dead), it is theirs.
    if (current && current.pid === this.info.pid && current.startedAt === this.info.startedAt) {
      fs.rmSync(this.file, { force: true });
    }
  }
}

function createExclusive(file: string, info: StateLockInfo): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`${file}: cannot create the state lock: ${(err as Error).message}. Check the state folder's permissions.`);
  }
  try {
    fs.writeSync(fd, `${JSON.stringify(info, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function holderState(holder: StateLockInfo): LockHolderState {
  if (holder.hostname !== os.hostname()) return 'other-host';
  if (!pidExists(holder.pid)) return 'dead';
  if (holder.processStartTime) {
    const now = readProcessStartTime(holder.pid);
    if (now !== undefined && now !== holder.processStartTime) return 'pid-reused';
  }
  return 'alive';
}

function removeIfUnchanged(file: string, holder: StateLockInfo): void {
  const again = StateLock.read(path.dirname(file));
  if (again && (again.pid !== holder.pid || again.startedAt !== holder.startedAt)) return;
  fs.rmSync(file, { force: true });
}

function unreadableHolder(): StateLockInfo {
  return { pid: 0, processStartTime: null, hostname: os.hostname(), startedAt: '', purpose: 'unreadable lock file' };
}

/** Asks the runner of `stateDir` to stop gracefully (it polls for this file). */
export function requestStop(stateDir: string, reason = 'sprint-runner stop'): void {
  fs.mkdirSync(stateDir, { recursive: true });
  const request: StopRequest = { requestedAt: new Date().toISOString(), requestedBy: process.pid, reason };
  writeFileAtomicSync(stopRequestPath(stateDir), `${JSON.stringify(request)}\n`);
}

export function readStopRequest(stateDir: string): StopRequest | undefined {
  const v = readJsonFile<StopRequest>(stopRequestPath(stateDir));
  if (!v) return undefined;
  // Written atomically, so unparsable means someone wrote it by hand: still a request to stop.
  if (v === 'unparsable') return { requestedAt: '', requestedBy: 0, reason: 'stop requested' };
  return { requestedAt: String(v.requestedAt ?? ''), requestedBy: Number(v.requestedBy ?? 0), reason: String(v.reason ?? 'stop requested') };
}

/** A small JSON file's fields (to be checked by the caller); undefined when it cannot be read. */
function readJsonFile<T>(file: string): Partial<T> | 'unparsable' | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as Partial<T>) : 'unparsable';
  } catch {
    return 'unparsable';
  }
}

/** Removes the request once the runner has honoured it (and before a new run starts). */
export function clearStopRequest(stateDir: string): void {
  fs.rmSync(stopRequestPath(stateDir), { force: true });
}

/**
 * Calls `onStop` once when a stop request appears (polling every `intervalMs`, at most 500 ms).
 * The timer does not keep the process alive.
 */
export function watchStopRequest(stateDir: string, onStop: (request: StopRequest) => void, intervalMs = 250): Disposable {
  let done = false;
  const timer = setInterval(() => {
    if (done) return;
    const request = readStopRequest(stateDir);
    if (!request) return;
    done = true;
    clearInterval(timer);
    onStop(request);
  }, Math.min(intervalMs, 500));
  timer.unref();
  return {
    dispose() {
      done = true;
      clearInterval(timer);
    },
  };
}
