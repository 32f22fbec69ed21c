// Entry of the thread or process that owns the run database (bundled as dist/store-worker.js). It
// applies ops in transactions and does the exports, so neither blocks the editor's event loop.
//
// Two ways to run it, same messages (StoreWorkerProtocol): a worker thread (WorkerStoreBackend: the CLI),
// or a child process forked with advanced serialisation (ProcessStoreBackend: the extension host, so
// sql.js' memory is not the editor's). As a process it takes its StoreWorkerData in a first `init`
// message, and when its parent goes away (exit, crash, kill -9) it checkpoints what it has and exits:
// it never outlives the process that started it.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { writeFileAtomicSync } from '../NodeFileSystem';
import { loadSqlJs } from './sqlJsLoader';
import { dbPath, openDatabase, writeCheckpoint } from './DatabaseFiles';
import type { RunDatabase } from './RunDatabase';
import { parseStoreOp, type StoreOp } from './StoreOp';
import type { FromStoreWorker, StoreWorkerData, ToStoreWorker } from './StoreWorkerProtocol';

const port = parentPort;
const asProcess = !port && typeof process.send === 'function';
if (!port && !asProcess) throw new Error('storeWorker must run in a worker thread or a forked process (it is started by SqlJsRunStore).');

function post(m: FromStoreWorker): void {
  if (port) port.postMessage(m);
  else if (process.connected) process.send?.(m);
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

let started = false;

async function start(data: StoreWorkerData): Promise<void> {
  started = true;
  if (data.lowPriority && port) lowerThreadPriority(); // a process is reniced by its parent
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
  if (port) {
    port.on('message', (m: ToStoreWorker) => handle(db, file, m));
    return;
  }
  process.on('message', (m: ToStoreWorker) => handle(db, file, m));
  if (!process.connected) process.exit(0); // the parent died while the database was opening
  // The parent is gone (its IPC channel closed: exit, crash or kill -9). Every message it sent was
  // delivered before this; what it could not send is in its journal, which the next open replays.
  process.once('disconnect', () => {
    try {
      if (file && !closed) writeCheckpoint(db, file);
    } catch {
      // Nobody to tell: the journal keeps the changes.
    }
    process.exit(0);
  });
}

let closed = false;

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
    case 'checkpointToMarker': {
      // The process form of checkpointSync: the parent cannot wait for a message while blocked, so it
      // polls for this file (written after the database file, or with the error).
      let outcome = 'done';
      try {
        if (file) writeCheckpoint(db, file);
      } catch (err) {
        outcome = `failed: ${(err as Error).message}`;
        warn(`checkpoint at exit failed: ${(err as Error).message}`);
      }
      try {
        writeFileAtomicSync(m.marker, outcome);
      } catch {
        // The parent times out and keeps its journal.
      }
      return;
    }
    case 'close':
      reply(m.reqId, () => {
        db.close();
        closed = true;
        return undefined;
      });
      if (asProcess) setImmediate(() => process.exit(0));
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

if (port) void start(workerData as StoreWorkerData);
else {
  process.once('message', (m: { kind: 'init'; data: StoreWorkerData }) => {
    if (m.kind === 'init') void start(m.data);
  });
  // Before init arrives, a parent that dies leaves nothing to save.
  process.once('disconnect', () => {
    if (!started) process.exit(0);
  });
}
