// One runner per ledger, whatever its state folder: the CLI and the extension (or two CLIs with
// different `--state-dir`) would otherwise work the same stories at the same time and pay twice.
//
// Where: `<cache>/sprint-runner/ledger-locks/<sha256 of the ledger's real path>/sprint-runner.lock`,
// `<cache>` being $XDG_CACHE_HOME or ~/.cache. Both front ends of one user see it (the extension's
// state folder is in the editor's storage, the CLI's in the workspace), it follows symlinks to the
// same file, and it is never inside the project, so no commit (the agent's `git add`, the engine's
// staged paths) can pick it up. The lock file itself is a StateLock (created exclusively, holder
// identified by pid + process start time, stale ones taken over).

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StateLock, StateLockedError, type StateLockInfo } from './store/StateLock';

/** Another runner works this ledger now. A StateLockedError, so every front end treats it the same (exit 2). */
export class LedgerLockedError extends StateLockedError {
  constructor(lockFile: string, holder: StateLockInfo, holderState: 'alive' | 'other-host', ledgerPath: string) {
    super(lockFile, holder, holderState);
    this.name = 'LedgerLockedError';
    this.message =
      `${ledgerPath}: another Sprint Runner is working on this ledger (${holder.purpose}, pid ${holder.pid} on ${holder.hostname}, since ${holder.startedAt}). ` +
      'Two runners on one ledger would run the same stories twice. Stop that one (`sprint-runner stop` with its --state-dir, or the Stop command in the editor) ' +
      `or wait for it to finish.${holderState === 'other-host' ? ` It runs on another machine; if it no longer runs there, delete ${lockFile}.` : ''}`;
  }
}

export function ledgerLocksRoot(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(cache, 'sprint-runner', 'ledger-locks');
}

/** Used only when the cache folder cannot be created: `<tmp>/sprint-runner-<uid>/ledger-locks`. */
function fallbackLocksRoot(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : os.userInfo().username;
  return path.join(os.tmpdir(), `sprint-runner-${uid}`, 'ledger-locks');
}

/** The folder holding the lock of `ledgerPath` (its real path, so a symlink and its target share one lock). */
export function ledgerLockDir(ledgerPath: string, root = ledgerLocksRoot()): string {
  let real: string;
  try {
    real = fs.realpathSync(ledgerPath);
  } catch {
    real = path.resolve(ledgerPath);
  }
  return path.join(root, createHash('sha256').update(real).digest('hex').slice(0, 32));
}

export class LedgerLock {
  private constructor(private readonly lock: StateLock) {}

  get tookOver(): boolean {
    return this.lock.tookOver;
  }

  /** Takes the ledger's lock or throws LedgerLockedError naming the holder (pid, host, front end, since). */
  static acquire(ledgerPath: string, opts: { purpose: string; root?: string }): LedgerLock {
    let dir = ledgerLockDir(ledgerPath, opts.root);
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      // A read-only or missing home (some CI containers): the per-user temp folder still serves this machine.
      if (opts.root) throw err;
      dir = ledgerLockDir(ledgerPath, fallbackLocksRoot());
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return new LedgerLock(StateLock.acquire(dir, { purpose: opts.purpose }));
      } catch (err) {
        if (err instanceof StateLockedError) throw new LedgerLockedError(err.lockFile, err.holder, err.holderState, ledgerPath);
        // A runner releasing this ledger removed the (empty) folder between our mkdir and our create: again.
        if (attempt < 3 && !fs.existsSync(dir)) {
          fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
          continue;
        }
        throw err;
      }
    }
  }

  /** Who holds the lock of `ledgerPath`, if anyone does. */
  static read(ledgerPath: string, root?: string): StateLockInfo | undefined {
    return StateLock.read(ledgerLockDir(ledgerPath, root)) ?? (root ? undefined : StateLock.read(ledgerLockDir(ledgerPath, fallbackLocksRoot())));
  }

  release(): void {
    this.lock.release();
    // The per-ledger folder goes with its lock, so locks of old ledgers do not pile up; a runner that
    // created its lock there meanwhile keeps the folder (not empty), one that is about to retries.
    try {
      fs.rmdirSync(this.lock.stateDir);
    } catch {
      // Not empty (another runner's lock) or already gone.
    }
  }
}
