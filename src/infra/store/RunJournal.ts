// The main thread's append-only NDJSON journal of StoreOps. Appends are buffered in memory and written
// with one write call at most every `flushMs` (and at every checkpoint and close), so an event costs a
// JSON.stringify and an array push; a kill -9 loses at most the last `flushMs` of changes (the kernel
// keeps what was written even when the process dies). No fsync: power loss is not covered (docs/state.md).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { activeJournalPath } from './DatabaseFiles';

/** Above this many buffered bytes the journal writes at once instead of waiting for the timer. */
const MAX_BUFFERED_BYTES = 1 << 20;

export class RunJournal {
  private chunks: string[] = [];
  private buffered = 0;
  private fd: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private closed = false;

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
    if (this.buffered >= MAX_BUFFERED_BYTES) this.flushSync();
    else this.timer ??= setTimeout(() => this.onTimer(), this.flushMs);
  }

  /** Writes what is buffered. On failure the lines stay buffered and the next flush retries. */
  flushSync(): boolean {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.buffered === 0) return true;
    const text = this.chunks.join('');
    try {
      this.fd ??= fs.openSync(this.file, 'a');
      fs.writeSync(this.fd, text);
    } catch (err) {
      if (!this.failing) {
        this.warn(`cannot write the run journal ${this.file}: ${(err as Error).message}. Free disk space or fix permissions; retrying.`);
      }
      this.failing = true;
      this.chunks = [text];
      if (!this.closed) this.timer ??= setTimeout(() => this.onTimer(), this.flushMs);
      return false;
    }
    this.failing = false;
    this.chunks = [];
    this.buffered = 0;
    return true;
  }

  /**
   * Flushes and renames the active journal to `sprint-runner.journal.<n>` so a checkpoint can delete
   * exactly the lines it covers. Returns the sealed path, or undefined when nothing was journaled.
   */
  seal(): string | undefined {
    if (!this.flushSync()) throw new Error(`cannot write the run journal ${this.file}; the checkpoint is not possible`);
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
    if (!fs.existsSync(this.file)) return undefined;
    const sealed = path.join(this.stateDir, `${path.basename(this.file)}.${this.seq++}`);
    fs.renameSync(this.file, sealed);
    return sealed;
  }

  close(): void {
    this.flushSync();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private onTimer(): void {
    this.timer = undefined;
    this.flushSync();
  }
}
