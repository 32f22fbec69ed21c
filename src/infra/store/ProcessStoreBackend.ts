// The database in a child process (the same entry as the worker thread, forked with advanced
// serialisation). For the extension host: sql.js keeps the whole database in wasm memory and its
// allocator keeps what it once used, so in a thread of the extension host the editor's process would
// grow by ~50 MB over a long run (issue 6, B7). In its own process that memory is not the editor's,
// and a crash of it (out of memory) cannot take the extension host down. The child exits when its
// parent does (IPC channel closed), after writing the database file; it never outlives us.

import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunQueryName } from './RunDatabase';
import type { QueryArgs, QueryResult, StoreBackend, StoreBackendOpenInfo, StoreBackendOptions } from './StoreBackend';
import type { StoreOp } from './StoreOp';
import type { FromStoreWorker, StoreWorkerData, ToStoreWorker } from './StoreWorkerProtocol';
import { storeWorkerEntry } from './WorkerStoreBackend';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** How often checkpointSync looks for the child's marker file while it blocks. */
const MARKER_POLL_MS = 5;

export class ProcessStoreBackend implements StoreBackend {
  readonly kind = 'process';
  private readonly pending = new Map<number, Pending>();
  private nextReqId = 1;
  private dead: Error | undefined;
  onDied?: (err: Error) => void;
  private markerSeq = 0;

  private constructor(
    private readonly child: ChildProcess,
    private readonly stateDir: string | undefined,
    private readonly warn: (message: string) => void,
  ) {
    child.on('message', (m: FromStoreWorker) => this.onMessage(m));
    child.on('error', (err) => this.fail(new Error(`the state database process failed: ${err.message}`)));
    child.on('exit', (code, signal) => this.fail(new Error(`the state database process exited (${signal ?? `code ${code}`})`)));
    // Idle, the child must not keep a CLI process alive; it is ref'd while a request is outstanding.
    this.unref();
  }

  /** The child's pid, for diagnostics and the memory benchmark. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  static open(o: StoreBackendOptions): Promise<{ backend: ProcessStoreBackend; info: StoreBackendOpenInfo }> {
    const entry = storeWorkerEntry();
    const data: StoreWorkerData = {
      stateDir: o.stateDir,
      wasmBinary: o.wasmBinary,
      readOnly: o.readOnly,
      now: o.now,
      lowPriority: false,
      keepProgressForBatches: o.keepProgressForBatches,
      maxProgressEvents: o.maxProgressEvents,
    };
    const child = fork(entry.file, [], {
      execArgv: entry.execArgv ?? [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // Not the workspace: the child needs no files but its own and the state folder.
      cwd: os.tmpdir(),
      // In the extension host process.execPath is the editor's runtime; this makes it plain Node
      // (as vscode-languageclient does for forked servers). Plain Node ignores it.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (stderr.length < 4000) stderr += chunk;
    });
    if (o.lowPriority && child.pid !== undefined) {
      try {
        os.setPriority(child.pid, 10);
      } catch {
        // Not permitted: it runs at our priority.
      }
    }
    return new Promise((resolve, reject) => {
      const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null): void =>
        reject(new Error(`the state database process exited while opening (${signal ?? `code ${code}`})${stderr ? `: ${stderr.trim()}` : ''}`));
      const onEarlyError = (err: Error): void => reject(new Error(`the state database process failed to start: ${err.message}`));
      child.once('exit', onEarlyExit);
      child.once('error', onEarlyError);
      const onFirst = (m: FromStoreWorker): void => {
        if (m.kind === 'warning') {
          o.warn(m.message);
          return;
        }
        child.off('message', onFirst);
        child.off('exit', onEarlyExit);
        child.off('error', onEarlyError);
        if (m.kind === 'ready') {
          resolve({ backend: new ProcessStoreBackend(child, o.stateDir, o.warn), info: { maxIds: m.maxIds, replayed: m.replayed } });
        } else {
          child.kill('SIGKILL');
          reject(new Error(m.kind === 'fatal' ? m.message : `unexpected message "${m.kind}" from the state database process`));
        }
      };
      child.on('message', onFirst);
      child.send({ kind: 'init', data });
    });
  }

  apply(_ops: StoreOp[], lines: string[]): void {
    if (this.dead || lines.length === 0) return;
    this.post({ kind: 'ops', lines });
  }

  query<K extends RunQueryName>(name: K, args: QueryArgs<K>): Promise<QueryResult<K>> {
    return this.request((reqId) => ({ kind: 'query', reqId, name, args: args as unknown[] })) as Promise<QueryResult<K>>;
  }

  async checkpoint(): Promise<void> {
    await this.request((reqId) => ({ kind: 'checkpoint', reqId }));
  }

  /**
   * Blocks until the child has written the database file: it cannot answer a message while this
   * thread waits, so it writes a marker file that this polls for (5 ms sleeps, up to `timeoutMs`).
   */
  checkpointSync(timeoutMs: number): void {
    if (this.dead) throw this.dead;
    if (!this.stateDir) return;
    const marker = path.join(this.stateDir, `.checkpoint-${process.pid}-${++this.markerSeq}.done`);
    this.post({ kind: 'checkpointToMarker', marker });
    const sleep = new Int32Array(new SharedArrayBuffer(4));
    const deadline = Date.now() + timeoutMs;
    while (!fs.existsSync(marker)) {
      if (Date.now() > deadline) throw new Error(`the state database process did not checkpoint within ${timeoutMs} ms`);
      Atomics.wait(sleep, 0, 0, MARKER_POLL_MS);
    }
    let outcome = '';
    for (let i = 0; i < 20 && outcome === ''; i++) {
      outcome = fs.readFileSync(marker, 'utf8');
      if (outcome === '') Atomics.wait(sleep, 0, 0, 1); // created, not yet written
    }
    fs.rmSync(marker, { force: true });
    if (outcome !== 'done') throw new Error(`the state database process could not write the database file (${outcome || 'no answer'})`);
  }

  async close(): Promise<void> {
    if (!this.dead) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      await this.request((reqId) => ({ kind: 'close', reqId }));
      this.dead = new Error('the state database is closed');
      // It exits by itself after answering; a child that does not is stopped.
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    this.dead ??= new Error('the state database is closed');
  }

  closeSync(): void {
    this.dead ??= new Error('the state database is closed');
    // checkpointSync wrote the file; closing the channel makes the child exit (it checkpoints again, harmlessly).
    if (this.child.connected) this.child.disconnect();
  }

  private request(build: (reqId: number) => ToStoreWorker): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const reqId = this.nextReqId++;
    return new Promise((resolve, reject) => {
      this.pending.set(reqId, { resolve, reject });
      if (this.pending.size === 1) this.ref();
      this.post(build(reqId));
    });
  }

  private post(m: ToStoreWorker): void {
    if (this.child.connected) this.child.send(m);
  }

  private ref(): void {
    this.child.ref();
    (this.child.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  private unref(): void {
    this.child.unref();
    (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  private onMessage(m: FromStoreWorker): void {
    if (m.kind === 'warning') {
      this.warn(m.message);
      return;
    }
    if (m.kind !== 'reply') return;
    const p = this.pending.get(m.reqId);
    if (!p) return;
    this.pending.delete(m.reqId);
    if (this.pending.size === 0) this.unref();
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(m.message));
  }

  private fail(err: Error): void {
    const wasAlive = !this.dead;
    this.dead ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    if (wasAlive) {
      this.warn(`${err.message}; changes keep going to the journal and are replayed on the next open.`);
      this.onDied?.(err);
    }
  }
}
