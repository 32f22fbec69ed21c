// Messages between SqlJsRunStore's WorkerStoreBackend / ProcessStoreBackend and storeWorker (the thread or
// process that owns the sql.js database). Ports and the IPC channel are FIFO, so `ops` posted before a
// request are applied before it.

import type { RunQueryName } from './RunDatabase';
import type { MaxIds } from './RunReadModels';

export interface StoreWorkerData {
  stateDir?: string;
  wasmBinary?: Uint8Array;
  readOnly: boolean;
  now: number;
  /** Run the worker thread at a lower CPU priority (nice 10) than the thread that opened the store. */
  lowPriority: boolean;
  keepProgressForBatches: number;
  maxProgressEvents: number;
}

export type ToStoreWorker =
  /** Journal lines (JSON StoreOps). */
  | { kind: 'ops'; lines: string[] }
  | { kind: 'query'; reqId: number; name: RunQueryName; args: unknown[] }
  | { kind: 'checkpoint'; reqId: number }
  /** `signal[0]` goes 0 → 1 (done) or 2 (failed, message in a `warning`); the main thread Atomics.waits on it. */
  | { kind: 'checkpointSync'; signal: SharedArrayBuffer }
  /** The same for a database process: it writes `done` or `failed: <why>` to `marker` when finished. */
  | { kind: 'checkpointToMarker'; marker: string }
  | { kind: 'close'; reqId: number };

export type FromStoreWorker =
  | { kind: 'ready'; maxIds: MaxIds; replayed: number }
  | { kind: 'fatal'; message: string }
  | { kind: 'warning'; message: string }
  | { kind: 'reply'; reqId: number; ok: true; value: unknown }
  | { kind: 'reply'; reqId: number; ok: false; message: string };
