// Where the RunDatabase lives, seen from SqlJsRunStore: on the caller's thread (in-memory stores) or in a
// worker thread (stores with a state folder, so exports of a big database never block the event loop).

import type { RunQueries, RunQueryName } from './RunDatabase';
import type { MaxIds } from './RunReadModels';
import type { StoreOp } from './StoreOp';

export type QueryArgs<K extends RunQueryName> = Parameters<RunQueries[K]>;
export type QueryResult<K extends RunQueryName> = ReturnType<RunQueries[K]>;

export interface StoreBackendOpenInfo {
  maxIds: MaxIds;
  /** Ops replayed from journals while opening. */
  replayed: number;
}

export interface StoreBackend {
  readonly kind: 'in-process' | 'worker' | 'process';
  /**
   * Ordered before every later call; failures are reported as warnings. `lines` are the same ops as
   * journal lines (a worker takes the strings: cheaper to post than object graphs).
   */
  apply(ops: StoreOp[], lines: string[]): void;
  query<K extends RunQueryName>(name: K, args: QueryArgs<K>): Promise<QueryResult<K>>;
  /** Writes the database file (temp + fsync + rename). No-op without a state folder. */
  checkpoint(): Promise<void>;
  /** Same, blocking the calling thread, for exit paths. Throws when it did not complete. */
  checkpointSync(timeoutMs: number): void;
  /** Frees the database (no checkpoint: the store does that first). */
  close(): Promise<void>;
  closeSync(): void;
  /** Called once if the thread or process holding the database dies on its own (not after close). */
  onDied?: (err: Error) => void;
}

export interface StoreBackendOptions {
  stateDir?: string;
  wasmBinary?: Uint8Array;
  readOnly: boolean;
  now: number;
  warn: (message: string) => void;
  /** See SqlJsRunStoreOptions.keepProgressForBatches. */
  keepProgressForBatches: number;
  /** See SqlJsRunStoreOptions.maxProgressEvents. */
  maxProgressEvents: number;
  /** Worker or process: lower the database's CPU priority (nice 10; default false). */
  lowPriority?: boolean;
}
