// Entry of the worker thread that owns the run database (bundled as dist/store-worker.js). It applies
// ops in transactions and does the exports, so neither blocks the editor's event loop.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { loadSqlJs } from '../sqlJsLoader';
import { dbPath, openDatabase, writeCheckpoint } from './DatabaseFiles';
import type { RunDatabase } from './RunDatabase';
import { parseStoreOp, type StoreOp } from './StoreOp';
import type { FromStoreWorker, StoreWorkerData, ToStoreWorker } from './StoreWorkerProtocol';

const port = parentPort;
if (!port) throw new Error('storeWorker must run in a worker thread (it is started by SqlJsRunStore).');
const data = workerData as StoreWorkerData;

function post(m: FromStoreWorker): void {
  port?.postMessage(m);
}

function warn(message: string): void {
  post({ kind: 'warning', message });
}

/**
 * Database work is background work: under CPU contention the thread that runs the editor (or the CLI's
 * engine) should win. Linux lets a thread have its own nice value; elsewhere this does nothing.
 */
function lowerThreadPriority(): void {
  try {
    const tid = Number(path.basename(fs.readlinkSync('/proc/thread-self')));
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, Math.max(os.getPriority(tid), 10));
  } catch {
    // No /proc/thread-self (not Linux) or not permitted: run at the process's priority.
  }
}

async function start(): Promise<void> {
  if (data.lowPriority) lowerThreadPriority();
  let db: RunDatabase;
  try {
    const SQL = await loadSqlJs(data.wasmBinary);
    const opened = openDatabase({ SQL, stateDir: data.stateDir, readOnly: data.readOnly, now: data.now, warn, keepProgressForBatches: data.keepProgressForBatches, maxProgressEvents: data.maxProgressEvents });
    db = opened.db;
    post({ kind: 'ready', maxIds: db.maxIds(), replayed: opened.replayed });
  } catch (err) {
    post({ kind: 'fatal', message: (err as Error).message });
    return;
  }
  const file = data.stateDir && !data.readOnly ? dbPath(data.stateDir) : undefined;
  port?.on('message', (m: ToStoreWorker) => handle(db, file, m));
}

function handle(db: RunDatabase, file: string | undefined, m: ToStoreWorker): void {
  switch (m.kind) {
    case 'ops': {
      const ops: StoreOp[] = [];
      for (const line of m.lines) {
        const op = parseStoreOp(line);
        if (typeof op === 'string') warn(`could not store a change (${op})`);
        else ops.push(op);
      }
      db.applyEach(ops, (op, err) => warn(`could not store "${op.op}": ${err.message}`));
      return;
    }
    case 'query':
      reply(m.reqId, () => {
        const fn = db[m.name] as (...args: unknown[]) => unknown;
        return fn.apply(db, m.args);
      });
      return;
    case 'checkpoint':
      reply(m.reqId, () => {
        if (file) writeCheckpoint(db, file);
        return undefined;
      });
      return;
    case 'checkpointSync': {
      const flag = new Int32Array(m.signal);
      try {
        if (file) writeCheckpoint(db, file);
        Atomics.store(flag, 0, 1);
      } catch (err) {
        warn(`checkpoint at exit failed: ${(err as Error).message}`);
        Atomics.store(flag, 0, 2);
      }
      Atomics.notify(flag, 0);
      return;
    }
    case 'close':
      reply(m.reqId, () => {
        db.close();
        return undefined;
      });
      return;
    default: {
      const never: never = m;
      warn(`unknown message ${JSON.stringify(never)}`);
    }
  }
}

function reply(reqId: number, work: () => unknown): void {
  try {
    post({ kind: 'reply', reqId, ok: true, value: work() });
  } catch (err) {
    post({ kind: 'reply', reqId, ok: false, message: (err as Error).message });
  }
}

void start();
