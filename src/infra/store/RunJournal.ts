// The main thread's append-only NDJSON journal of StoreOps. Appends are buffered in memory and handed
// to an asynchronous positional write at most every `flushMs` (or once 256 KB is buffered), so an event
// costs a JSON.stringify and an array push and the write itself runs on libuv's thread pool. A kill -9
// loses at most the last `flushMs` of changes (the kernel keeps what was written when a process dies).
// No fsync: power loss is not covered (docs/state.md).
//
// Positions are assigned when a chunk is queued, so the exit path can write every queued chunk
// synchronously at its own offset, even one a pool thread is writing at that moment (same bytes,
// same place): the file never gets holes or reordered lines.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { activeJournalPath } from './DatabaseFiles';

/** Queue a write once this much is buffered: bounds the main thread's string-to-bytes copy per write. */
const MAX_BUFFERED_BYTES = 256 * 1024;

interface Chunk {
  data: Buffer;
  position: number;
}

/** One journal file: the active one, or a sealed one still finishing its last writes. */
class JournalSegment {
  private readonly queue: Chunk[] = [];
  private writing = false;
  /** Callers of whenDurable(): resolved true once an fdatasync after their lines' writes succeeded. */
  private syncWaiters: ((synced: boolean) => void)[] = [];
  private syncing = false;
  private syncSettled: (() => void)[] = [];
  /** A segment that created its file fsyncs the folder once, so the new name survives a power loss. */
  private folderSynced: boolean;
  private retryTimer: NodeJS.Timeout | undefined;
  private failing = false;
  private idle: (() => void)[] = [];
  private closing = false;
  private closed = false;

  private constructor(
    private fd: number,
    private position: number,
    public file: string,
    private readonly retryMs: number,
    private readonly warn: (message: string) => void,
    created: boolean,
  ) {
    this.folderSynced = !created;
  }

  static open(file: string, retryMs: number, warn: (message: string) => void): JournalSegment {
    let fd: number;
    const existed = fs.existsSync(file);
    try {
      fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT);
    } catch (err) {
      throw new Error(`cannot open the run journal ${file}: ${(err as Error).message}. Check the state folder's permissions.`);
    }
    return new JournalSegment(fd, fs.fstatSync(fd).size, file, retryMs, warn, !existed);
  }

  /**
   * Resolves true once every chunk queued so far is written and fdatasync'd (asynchronously, on the
   * thread pool); false when that could not be done (a write or the sync failed, or the segment closed
   * first), so the caller can make its change durable another way.
   */
  whenDurable(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.syncWaiters.push(resolve);
      this.maybeSync();
    });
  }

  private maybeSync(): void {
    if (this.syncing || this.writing || this.closed || this.queue.length > 0 || this.syncWaiters.length === 0) return;
    this.syncing = true;
    const waiters = this.syncWaiters.splice(0);
    const fd = this.fd;
    const folder = path.dirname(this.file);
    fs.fdatasync(fd, (err) => {
      if (err || this.folderSynced) {
        this.afterSync(waiters, err);
        return;
      }
      syncFolder(folder, (folderErr) => {
        if (!folderErr) this.folderSynced = true;
        this.afterSync(waiters, folderErr);
      });
    });
  }

  private afterSync(waiters: ((synced: boolean) => void)[], err: Error | null): void {
    this.syncing = false;
    if (err) this.warn(`cannot fsync the run journal ${this.file}: ${err.message}; the database file is written instead.`);
    for (const w of waiters) w(err === null);
    if (this.syncWaiters.length > 0) this.maybeSync();
    if (!this.syncing) for (const r of this.syncSettled.splice(0)) r();
  }

  private whenSyncSettled(): Promise<void> {
    if (!this.syncing && this.syncWaiters.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.syncSettled.push(resolve));
  }

  enqueue(text: string): void {
    const data = Buffer.from(text, 'utf8');
    this.queue.push({ data, position: this.position });
    this.position += data.length;
    this.pump();
  }

  /** Resolves when every queued chunk is on disk (or the segment was closed). */
  whenIdle(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Writes every queued chunk now, blocking. For exit paths; returns false if a write failed. */
  writeAllSync(): boolean {
    try {
      for (const c of this.queue) fs.writeSync(this.fd, c.data, 0, c.data.length, c.position);
    } catch (err) {
      this.warn(`cannot write the run journal ${this.file}: ${(err as Error).message}`);
      return false;
    }
    return true;
  }

  /**
   * Waits for the queued writes, then closes the file. A segment whose writes keep failing gives up
   * (its lines are also in the database, which the caller is about to checkpoint).
   */
  async close(): Promise<void> {
    this.closing = true;
    if (this.failing) this.giveUp();
    await this.whenIdle();
    // A sync asked for before the seal finishes on this file (renamed or not, the fd is the same).
    await this.whenSyncSettled();
    this.closeNow();
  }

  private giveUp(): void {
    this.warn(`${this.queue.length} chunk(s) of ${this.file} could not be written; the next checkpoint is their only copy.`);
    this.queue.length = 0;
    this.closeNow();
  }

  /** Closes without waiting: only after writeAllSync, when the process is about to exit. */
  abandon(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    // An in-flight pool write may still use the fd; leave it to the process exit to close.
  }

  private closeNow(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    fs.closeSync(this.fd);
    for (const r of this.idle.splice(0)) r();
    for (const w of this.syncWaiters.splice(0)) w(false);
    for (const r of this.syncSettled.splice(0)) r();
  }

  private pump(): void {
    if (this.writing || this.closed || this.queue.length === 0) return;
    this.writing = true;
    const chunk = this.queue[0];
    fs.write(this.fd, chunk.data, 0, chunk.data.length, chunk.position, (err) => {
      this.writing = false;
      if (err) {
        if (!this.failing) this.warn(`cannot write the run journal ${this.file}: ${err.message}. Free disk space or fix permissions; retrying.`);
        this.failing = true;
        // Whoever waits for durability must not wait for the disk to recover: they checkpoint instead.
        for (const w of this.syncWaiters.splice(0)) w(false);
        if (!this.syncing) for (const r of this.syncSettled.splice(0)) r();
        if (this.closing) {
          this.giveUp();
          return;
        }
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.pump();
        }, this.retryMs);
        return;
      }
      this.failing = false;
      this.queue.shift();
      if (this.queue.length === 0) for (const r of this.idle.splice(0)) r();
      this.pump();
      this.maybeSync();
    });
  }
}

function syncFolder(folder: string, done: (err: Error | null) => void): void {
  fs.open(folder, fs.constants.O_RDONLY, (openErr, fd) => {
    if (openErr) {
      done(openErr);
      return;
    }
    fs.fsync(fd, (syncErr) => fs.close(fd, () => done(syncErr)));
  });
}

export class RunJournal {
  private chunks: string[] = [];
  private buffered = 0;
  private active: JournalSegment | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** While held, appended lines stay in memory: no journal file is created or written (see hold()). */
  private held: { released: Promise<void>; release: () => void } | undefined;

  constructor(
    private readonly stateDir: string,
    private seq: number,
    private readonly flushMs: number,
    private readonly warn: (message: string) => void,
  ) {}

  get file(): string {
    return activeJournalPath(this.stateDir);
  }

  append(line: string): void {
    if (this.closed) throw new Error(`the journal ${this.file} is closed`);
    this.chunks.push(line, '\n');
    this.buffered += line.length + 1;
    if (this.buffered >= MAX_BUFFERED_BYTES) this.queueBuffered();
    else this.timer ??= setTimeout(() => this.onTimer(), this.flushMs);
  }

  /** Queues what is buffered for writing (asynchronous); returns once it is on disk. */
  flush(): Promise<void> {
    this.queueBuffered();
    return this.active ? this.active.whenIdle() : Promise.resolve();
  }

  /**
   * Writes and fdatasyncs every line appended so far: resolves true once they would survive a power
   * loss, false if that failed (the caller then checkpoints the database instead). Nothing appended yet:
   * true (there is nothing to lose).
   */
  makeDurable(): Promise<boolean> {
    if (this.held) return this.held.released.then(() => this.makeDurable());
    this.queueBuffered();
    if (this.buffered > 0) return Promise.resolve(false); // the file could not be opened
    return this.active ? this.active.whenDurable() : Promise.resolve(true);
  }

  /**
   * Keeps appended lines in memory, creating and writing no journal file, until release(): while a
   * new database thread or process opens, it replays and deletes the journal files it finds, so none
   * may be written meanwhile. Durability requests wait for the release. Exit paths still write.
   */
  hold(): void {
    if (this.held) return;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.held = { released, release };
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  release(): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    held.release();
    if (this.buffered > 0) this.queueBuffered();
  }

  /**
   * Renames the active journal to `sprint-runner.journal.<n>` at once, so every line appended from
   * now on goes to a new file, and resolves with its path when its last writes are done. A checkpoint
   * that starts now covers exactly the sealed lines and may delete the file. Undefined: nothing journaled.
   * The path is known at once (`file`), so an exit path that checkpoints meanwhile can delete it too.
   */
  seal(): { file: string; written: Promise<void> } | undefined {
    const segment = this.detach();
    if (!segment) return undefined;
    return { file: segment.file, written: segment.close() };
  }

  /** seal() for exit paths: blocks until the lines are written. */
  sealSync(): string | undefined {
    const segment = this.detach(true);
    if (!segment) return undefined;
    const ok = segment.writeAllSync();
    segment.abandon();
    if (!ok) throw new Error(`cannot write the run journal ${segment.file}`);
    return segment.file;
  }

  async close(): Promise<void> {
    this.held?.release();
    this.held = undefined;
    this.queueBuffered();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const segment = this.active;
    this.active = undefined;
    await segment?.close();
  }

  closeSync(): void {
    this.queueBuffered(true);
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.active?.writeAllSync();
    this.active?.abandon();
    this.active = undefined;
  }

  private detach(force = false): JournalSegment | undefined {
    this.queueBuffered(force);
    const segment = this.active;
    if (!segment) return undefined;
    this.active = undefined;
    const sealed = path.join(this.stateDir, `${path.basename(this.file)}.${this.seq++}`);
    fs.renameSync(segment.file, sealed);
    segment.file = sealed;
    return segment;
  }

  /** Never throws: when the file cannot be opened the lines stay buffered and a retry is scheduled. */
  private queueBuffered(force = false): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.buffered === 0 || (this.held && !force)) return;
    if (!this.active) {
      try {
        this.active = JournalSegment.open(this.file, this.flushMs, this.warn);
      } catch (err) {
        this.warn((err as Error).message);
        if (!this.closed) this.timer = setTimeout(() => this.onTimer(), this.flushMs);
        return;
      }
    }
    this.active.enqueue(this.chunks.join(''));
    this.chunks = [];
    this.buffered = 0;
  }

  private onTimer(): void {
    this.timer = undefined;
    this.queueBuffered();
  }
}
