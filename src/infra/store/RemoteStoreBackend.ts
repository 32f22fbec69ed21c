// What the worker-thread and child-process backends share: the database lives on the other side of a
// message channel (storeWorker.ts, StoreWorkerProtocol), requests are numbered and answered in order,
// and a channel that dies rejects what is outstanding and reports it once.

import type { EventEmitter } from 'node:events';
import type { RunQueryName } from './RunDatabase';
import type { QueryArgs, QueryResult, StoreBackend, StoreBackendOpenInfo, StoreBackendOptions } from './StoreBackend';
import type { StoreOp } from './StoreOp';
import type { FromStoreWorker, StoreWorkerData, ToStoreWorker } from './StoreWorkerProtocol';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export abstract class RemoteStoreBackend implements StoreBackend {
  abstract readonly kind: 'worker' | 'process';
  private readonly pending = new Map<number, Pending>();
  private nextReqId = 1;
  protected dead: Error | undefined;
  onDied?: (err: Error) => void;

  protected constructor(protected readonly warn: (message: string) => void) {}

  /** Sends one message to the database side (FIFO with every earlier one). */
  protected abstract post(m: ToStoreWorker): void;
  /** Keeps this process alive while a request is outstanding; idle, the database side must not. */
  protected abstract ref(): void;
  protected abstract unref(): void;

  abstract checkpointSync(timeoutMs: number): void;
  abstract close(): Promise<void>;
  abstract closeSync(): void;

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

  protected request(build: (reqId: number) => ToStoreWorker): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const reqId = this.nextReqId++;
    return new Promise((resolve, reject) => {
      this.pending.set(reqId, { resolve, reject });
      if (this.pending.size === 1) this.ref();
      this.post(build(reqId));
    });
  }

  protected onMessage(m: FromStoreWorker): void {
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

  protected fail(err: Error): void {
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

/**
 * Waits for the database side's first answer: `ready` (with the ids and replay count), or why it could
 * not open. Warnings before it are passed on. `what` names the side in messages ("worker", "process").
 */
export function whenReady(
  source: EventEmitter,
  what: string,
  warn: (message: string) => void,
  exitReason: (...exitArgs: unknown[]) => string,
  onFailure: () => void,
): Promise<StoreBackendOpenInfo> {
  return new Promise((resolve, reject) => {
    const onEarlyExit = (...args: unknown[]): void => reject(new Error(`the state database ${what} exited while opening (${exitReason(...args)})`));
    const onEarlyError = (err: Error): void => reject(new Error(`the state database ${what} failed to start: ${err.message}`));
    const onFirst = (m: FromStoreWorker): void => {
      if (m.kind === 'warning') {
        warn(m.message);
        return;
      }
      source.off('message', onFirst);
      source.off('exit', onEarlyExit);
      source.off('error', onEarlyError);
      if (m.kind === 'ready') {
        resolve({ maxIds: m.maxIds, replayed: m.replayed });
      } else {
        onFailure();
        reject(new Error(m.kind === 'fatal' ? m.message : `unexpected message "${m.kind}" from the state database ${what}`));
      }
    };
    source.once('exit', onEarlyExit);
    source.once('error', onEarlyError);
    source.on('message', onFirst);
  });
}

/** What the database side needs to open (the worker's workerData, the process's `init` message). */
export function storeWorkerData(o: StoreBackendOptions, lowPriority: boolean): StoreWorkerData {
  return {
    stateDir: o.stateDir,
    wasmBinary: o.wasmBinary,
    readOnly: o.readOnly,
    now: o.now,
    lowPriority,
    keepProgressForBatches: o.keepProgressForBatches,
    maxProgressEvents: o.maxProgressEvents,
  };
}
