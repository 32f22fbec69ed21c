// The files of a state folder and what happens to them on open and checkpoint:
//   sprint-runner.db            complete SQLite file, replaced atomically at each checkpoint
//   sprint-runner.journal       NDJSON StoreOps appended since the last checkpoint (active)
//   sprint-runner.journal.<n>   journals sealed by a checkpoint that has not finished yet
// Runs where the database lives (the store's worker thread, or the caller's thread for in-process stores).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { writeFileAtomicSync } from '../NodeFileSystem';
import { CorruptDatabaseError, RunDatabase } from './RunDatabase';
import { parseStoreOp, type StoreOp } from './StoreOp';

export const DB_FILE = 'sprint-runner.db';
export const JOURNAL_FILE = 'sprint-runner.journal';

export function dbPath(stateDir: string): string {
  return path.join(stateDir, DB_FILE);
}

export function activeJournalPath(stateDir: string): string {
  return path.join(stateDir, JOURNAL_FILE);
}

/** Sealed journals, oldest first, then the active one if it exists: the replay order. */
export function journalFiles(stateDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(stateDir);
  } catch {
    return [];
  }
  const sealed = names
    .map((n) => /^sprint-runner\.journal\.(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => path.join(stateDir, m[0]));
  const active = activeJournalPath(stateDir);
  return fs.existsSync(active) ? [...sealed, active] : sealed;
}

export function nextJournalSeq(stateDir: string): number {
  let max = 0;
  for (const f of journalFiles(stateDir)) {
    const m = /\.journal\.(\d+)$/.exec(f);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

export interface OpenedDatabase {
  db: RunDatabase;
  /** Ops replayed from journals. */
  replayed: number;
  /** Journal files that were replayed (deleted after the first checkpoint unless read-only). */
  journals: string[];
}

export interface OpenDatabaseOptions {
  SQL: SqlJsStatic;
  stateDir?: string;
  readOnly: boolean;
  now: number;
  warn: (message: string) => void;
  /** Progress events of older batches are deleted on open (not read-only); Infinity keeps all. */
  keepProgressForBatches: number;
  /** At most about this many progress events are kept while open (not read-only); Infinity keeps all. */
  maxProgressEvents: number;
}

/** Loads the database file (moving a corrupt one aside), replays the journals, checkpoints. */
export function openDatabase(o: OpenDatabaseOptions): OpenedDatabase {
  if (!o.stateDir) {
    const db = RunDatabase.create(o.SQL);
    db.capProgressEvents(o.maxProgressEvents);
    return { db, replayed: 0, journals: [] };
  }
  if (!o.readOnly) {
    fs.mkdirSync(o.stateDir, { recursive: true });
    removeStaleTempFiles(o.stateDir);
  }
  const file = dbPath(o.stateDir);
  const db = loadDatabaseFile(o, file);
  const journals = journalFiles(o.stateDir);
  let replayed = 0;
  for (const journal of journals) replayed += replayJournal(db, journal, o.warn);
  if (!o.readOnly) {
    db.pruneProgressEvents(o.keepProgressForBatches);
    db.capProgressEvents(o.maxProgressEvents);
    writeCheckpoint(db, file);
    for (const journal of journals) fs.rmSync(journal, { force: true });
  }
  return { db, replayed, journals };
}

/**
 * Temp files of atomic writes a killed process left behind (`.sprint-runner.db.<pid>.<time>.<n>.tmp`).
 * Only the writer opens the store (it holds the state lock), so none of them is being written now.
 */
function removeStaleTempFiles(stateDir: string): void {
  for (const name of fs.readdirSync(stateDir)) {
    if (/^\.sprint-runner\.db\.\d+\.\d+\.\d+\.tmp$/.test(name)) fs.rmSync(path.join(stateDir, name), { force: true });
  }
}

function loadDatabaseFile(o: OpenDatabaseOptions, file: string): RunDatabase {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return RunDatabase.create(o.SQL);
    throw new Error(`cannot read ${file}: ${(err as Error).message}. Check the state folder's permissions.`);
  }
  try {
    return RunDatabase.fromBytes(o.SQL, bytes);
  } catch (err) {
    if (!(err instanceof CorruptDatabaseError)) throw new Error(`${file}: ${(err as Error).message}`);
    if (o.readOnly) {
      o.warn(
        `${file} is ${err.message}: its run history cannot be read (only the journal is shown; nothing is changed in read-only mode). ` +
          'Fix: restore the file from a backup, or let the next `sprint-runner run` / `resume` move it aside and start a fresh history (the ledger is not affected).',
      );
      return RunDatabase.create(o.SQL);
    }
    const aside = `${file}.corrupt-${new Date(o.now).toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(file, aside);
    o.warn(
      `${file} is ${err.message}. It was moved to ${aside} and a fresh database was created; ` +
        'the run journal (if any) is replayed into it. Inspect or delete the moved file.',
    );
    return RunDatabase.create(o.SQL);
  }
}

/** Applies every readable line of a journal; a corrupt line (e.g. cut by a kill) is skipped with a warning. */
export function replayJournal(db: RunDatabase, journal: string, warn: (message: string) => void): number {
  const text = fs.readFileSync(journal, 'utf8');
  const ops: StoreOp[] = [];
  const lineOf = new Map<StoreOp, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const parsed = parseStoreOp(line);
    if (typeof parsed === 'string') {
      warn(`${journal}:${i + 1}: skipped a corrupt journal line (${parsed}); the change it held is lost.`);
      continue;
    }
    ops.push(parsed);
    lineOf.set(parsed, i + 1);
  }
  db.applyEach(ops, (op, err) => warn(`${journal}:${lineOf.get(op)}: could not apply the journaled "${op.op}" (${err.message}); skipped.`));
  return ops.length;
}

/** Exports the database and replaces the file atomically (temp + fsync + rename). */
export function writeCheckpoint(db: RunDatabase, file: string): number {
  const bytes = db.export();
  try {
    writeFileAtomicSync(file, bytes);
    return bytes.length;
  } finally {
    releaseNow(bytes);
  }
}

/**
 * Frees an exported copy at once instead of whenever the thread next collects garbage: a checkpoint's
 * copy is as big as the database (tens of MB), and an idle thread may keep several of them alive.
 * Transferring the buffer detaches it here; the closed channel drops the message that owns it.
 */
function releaseNow(bytes: Uint8Array): void {
  const { port1, port2 } = new MessageChannel();
  try {
    port1.postMessage(null, [bytes.buffer]);
  } finally {
    port1.close();
    port2.close();
  }
}
