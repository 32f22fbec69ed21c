// The database in a worker thread. The main thread only serialises ops and posts them; inserts,
// queries and the whole-database exports of checkpoints run on the worker.

import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RunQueryName } from './RunDatabase';
import type { QueryArgs, QueryResult, StoreBackend, StoreBackendOpenInfo, StoreBackendOptions } from './StoreBackend';
import type { StoreOp } from './StoreOp';
import type { FromStoreWorker, StoreWorkerData, ToStoreWorker } from './StoreWorkerProtocol';

/** The bundle (dist/store-worker.js, next to the bundle that runs us), else the TypeScript source via tsx (tests). */
export function storeWorkerEntry(): { file: string; execArgv?: string[] } {
  const bundled = path.join(__dirname, 'store-worker.js');
  if (fs.existsSync(bundled)) return { file: bundled };
  const source = path.join(__dirname, 'storeWorker.ts');
  // From sources only (tests): load tsx in the worker too. Resolved at run time from this file, so the
  // bundler does not try to resolve a dev dependency.
  if (fs.existsSync(source)) return { file: source, execArgv: ['--require', createRequire(__filename).resolve('tsx/cjs')] };
  throw new Error(
    `the state database worker was not found (looked for ${bundled} and ${source}). ` +
      'Rebuild with `npm run build`, which writes dist/store-worker.js next to the other bundles.',
  );
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class WorkerStoreBackend implements StoreBackend {
  readonly kind = 'worker';
  private readonly pending = new Map<number, Pending>();
  private nextReqId = 1;
  private dead: Error | undefined;
  onDied?: (err: Error) => void;

  private constructor(
    private readonly worker: Worker,
    private readonly warn: (message: string) => void,
  ) {
    worker.on('message', (m: FromStoreWorker) => this.onMessage(m));
    worker.on('error', (err) => this.fail(new Error(`the state database worker crashed: ${err.message}`)));
    worker.on('exit', (code) => this.fail(new Error(`the state database worker exited (code ${code})`)));
    // Idle, the worker must not keep a CLI process alive; it is ref'd while a request is outstanding.
    worker.unref();
  }

  static open(o: StoreBackendOptions): Promise<{ backend: WorkerStoreBackend; info: StoreBackendOpenInfo }> {
    const entry = storeWorkerEntry();
    const data: StoreWorkerData = {
      stateDir: o.stateDir,
      wasmBinary: o.wasmBinary,
      readOnly: o.readOnly,
      now: o.now,
      lowPriority: o.lowPriority ?? false,
      keepProgressForBatches: o.keepProgressForBatches,
      maxProgressEvents: o.maxProgressEvents,
    };
    const worker = new Worker(entry.file, { workerData: data, execArgv: entry.execArgv });
    return new Promise((resolve, reject) => {
      const onEarlyExit = (code: number): void => reject(new Error(`the state database worker exited while opening (code ${code})`));
      const onEarlyError = (err: Error): void => reject(new Error(`the state database worker failed to start: ${err.message}`));
      worker.once('exit', onEarlyExit);
      worker.once('error', onEarlyError);
      const onFirst = (m: FromStoreWorker): void => {
        if (m.kind === 'warning') {
          o.warn(m.message);
          return;
        }
        worker.off('message', onFirst);
        worker.off('exit', onEarlyExit);
        worker.off('error', onEarlyError);
        if (m.kind === 'ready') {
          resolve({ backend: new WorkerStoreBackend(worker, o.warn), info: { maxIds: m.maxIds, replayed: m.replayed } });
        } else {
          void worker.terminate();
          reject(new Error(m.kind === 'fatal' ? m.message : `unexpected message "${m.kind}" from the state database worker`));
        }
      };
      worker.on('message', onFirst);
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

  checkpointSync(timeoutMs: number): void {
    if (this.dead) throw this.dead;
    const signal = new SharedArrayBuffer(4);
    const flag = new Int32Array(signal);
    this.post({ kind: 'checkpointSync', signal });
    const waited = Atomics.wait(flag, 0, 0, timeoutMs);
    if (waited === 'timed-out') throw new Error(`the state database worker did not checkpoint within ${timeoutMs} ms`);
    if (Atomics.load(flag, 0) !== 1) throw new Error('the state database worker could not write the database file');
  }

  async close(): Promise<void> {
    if (!this.dead) await this.request((reqId) => ({ kind: 'close', reqId }));
    this.dead ??= new Error('the state database is closed');
    await this.worker.terminate();
  }

  closeSync(): void {
    this.dead ??= new Error('the state database is closed');
    // terminate() stops the thread promptly; the database file was written by checkpointSync.
    void this.worker.terminate();
  }

  private request(build: (reqId: number) => ToStoreWorker): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const reqId = this.nextReqId++;
    return new Promise((resolve, reject) => {
      this.pending.set(reqId, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.post(build(reqId));
    });
  }

  private post(m: ToStoreWorker): void {
    this.worker.postMessage(m);
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
    if (this.pending.size === 0) this.worker.unref();
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
