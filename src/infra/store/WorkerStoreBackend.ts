// The database in a worker thread. The main thread only serialises ops and posts them; inserts,
// queries and the whole-database exports of checkpoints run on the worker.

import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { RemoteStoreBackend, storeWorkerData, whenReady } from './RemoteStoreBackend';
import type { StoreBackendOpenInfo, StoreBackendOptions } from './StoreBackend';
import type { FromStoreWorker, ToStoreWorker } from './StoreWorkerProtocol';

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

export class WorkerStoreBackend extends RemoteStoreBackend {
  readonly kind = 'worker';

  private constructor(
    private readonly worker: Worker,
    warn: (message: string) => void,
  ) {
    super(warn);
    worker.on('message', (m: FromStoreWorker) => this.onMessage(m));
    worker.on('error', (err) => this.fail(new Error(`the state database worker crashed: ${err.message}`)));
    worker.on('exit', (code) => this.fail(new Error(`the state database worker exited (code ${code})`)));
    // Idle, the worker must not keep a CLI process alive; it is ref'd while a request is outstanding.
    worker.unref();
  }

  static async open(o: StoreBackendOptions): Promise<{ backend: WorkerStoreBackend; info: StoreBackendOpenInfo }> {
    const entry = storeWorkerEntry();
    const worker = new Worker(entry.file, { workerData: storeWorkerData(o, o.lowPriority ?? false), execArgv: entry.execArgv });
    const info = await whenReady(worker, 'worker', o.warn, (code) => `code ${String(code)}`, () => void worker.terminate());
    return { backend: new WorkerStoreBackend(worker, o.warn), info };
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

  protected post(m: ToStoreWorker): void {
    this.worker.postMessage(m);
  }

  protected ref(): void {
    this.worker.ref();
  }

  protected unref(): void {
    this.worker.unref();
  }
}
