// The database on the caller's thread. Used for in-memory stores (tests, previews) and when asked for;
// with a state folder, checkpoint() blocks the thread for the export (see docs/state.md for figures).

import { loadSqlJs } from './sqlJsLoader';
import { dbPath, openDatabase, writeCheckpoint } from './DatabaseFiles';
import type { RunDatabase, RunQueryName } from './RunDatabase';
import type { QueryArgs, QueryResult, StoreBackend, StoreBackendOpenInfo, StoreBackendOptions } from './StoreBackend';
import type { StoreOp } from './StoreOp';

export class InProcessStoreBackend implements StoreBackend {
  readonly kind = 'in-process';

  private constructor(
    private readonly db: RunDatabase,
    private readonly file: string | undefined,
    private readonly warn: (message: string) => void,
  ) {}

  static async open(o: StoreBackendOptions): Promise<{ backend: InProcessStoreBackend; info: StoreBackendOpenInfo }> {
    const SQL = await loadSqlJs(o.wasmBinary);
    const opened = openDatabase({ SQL, stateDir: o.stateDir, readOnly: o.readOnly, now: o.now, warn: o.warn, keepProgressForBatches: o.keepProgressForBatches, maxProgressEvents: o.maxProgressEvents });
    const file = o.stateDir && !o.readOnly ? dbPath(o.stateDir) : undefined;
    const backend = new InProcessStoreBackend(opened.db, file, o.warn);
    return { backend, info: { maxIds: opened.db.maxIds(), replayed: opened.replayed } };
  }

  apply(ops: StoreOp[], _lines: string[]): void {
    this.db.applyEach(ops, (op, err) => this.warn(`could not store "${op.op}": ${err.message}`));
  }

  query<K extends RunQueryName>(name: K, args: QueryArgs<K>): Promise<QueryResult<K>> {
    try {
      const fn = this.db[name] as (...a: QueryArgs<K>) => QueryResult<K>;
      return Promise.resolve(fn.apply(this.db, args));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  checkpoint(): Promise<void> {
    try {
      this.checkpointSync();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  checkpointSync(): void {
    if (this.file) writeCheckpoint(this.db, this.file);
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }

  closeSync(): void {
    this.db.close();
  }
}
