// The run state as a synchronous sql.js database: applies StoreOps and answers the read queries.
// It knows nothing about files or threads; DatabaseFiles loads and saves it, and it runs either in the
// store's worker thread or (in-memory stores) on the caller's thread.

import { costShareOf } from '../../core/usageShares';
import type { Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';
import type { AgentOutcome } from '../../core/agent/AgentContract';
import type {
  BackgroundTaskRecord,
  BatchRecord,
  CommandRecord,
  CostTotals,
  StepRecord,
  StoredEvent,
  StoryBlockRecord,
} from '../../core/store/RunStore';
import { migrate } from './RunSchema';
import { emptyCosts, type MaxIds, type StorySummary, type UnfinishedWork } from './RunReadModels';
import { eventColumns, eventRemainder } from './EventRow';
import type { BatchPatch, StoreOp } from './StoreOp';

import { costColumns, nullableNumber, nullableString, toBackgroundTask, toBatch, toBlock, toCommand, toCosts, toEvent, toStep, type Row } from './RunRows';

/** The read side, by name, so a worker can answer them from a message. */
export interface RunQueries {
  getBatch(id: number): BatchRecord | undefined;
  latestBatch(): BatchRecord | undefined;
  listBatches(limit?: number): BatchRecord[];
  getStep(batchId: number, stepKey: string): StepRecord | undefined;
  listSteps(batchId: number): StepRecord[];
  listCommands(filter: { batchId?: number; storyKey?: string }): CommandRecord[];
  listEvents(filter: { batchId?: number; afterId?: number; limit?: number }): StoredEvent[];
  costs(filter: { batchId?: number; storyKey?: string; cycle?: number }): CostTotals;
  costsByStory(batchId?: number): Map<string, CostTotals>;
  openBlock(storyKey: string): StoryBlockRecord | undefined;
  listBackgroundTasks(batchId?: number): BackgroundTaskRecord[];
  storySummaries(batchId?: number): StorySummary[];
  unfinishedWork(): UnfinishedWork;
  maxIds(): MaxIds;
  diagnostics(): StoreDiagnostics;
}

/** Sizes for `status` and the memory benchmark; memory figures are those of the database's thread. */
export interface StoreDiagnostics {
  databaseBytes: number;
  events: number;
  heapUsedBytes: number;
  /** ArrayBuffers of the database's thread: sql.js keeps the whole database file in one. */
  arrayBufferBytes: number;
  /**
   * Memory outside the V8 heap of the database's thread: the ArrayBuffers above plus sql.js' wasm
   * memory (SQLite's page cache and allocations), which `arrayBuffers` does not count.
   */
  externalBytes: number;
}

export type RunQueryName = keyof RunQueries;

export class CorruptDatabaseError extends Error {
  constructor(readonly detail: string) {
    super(`not a valid SQLite database: ${detail}`);
    this.name = 'CorruptDatabaseError';
  }
}

const SQLITE_MAGIC = 'SQLite format 3\u0000';

/** Cheap structural checks sql.js would only notice on a later query (or never: truncation). */
export function checkSqliteBytes(bytes: Uint8Array): void {
  if (bytes.length === 0) throw new CorruptDatabaseError('the file is empty');
  if (bytes.length < 100) throw new CorruptDatabaseError(`the file has only ${bytes.length} bytes (a header alone is 100)`);
  const magic = Buffer.from(bytes.buffer, bytes.byteOffset, 16).toString('latin1');
  if (magic !== SQLITE_MAGIC) throw new CorruptDatabaseError('the file does not start with the SQLite header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rawPageSize = view.getUint16(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  const changeCounter = view.getUint32(24);
  const pageCount = view.getUint32(28);
  const validFor = view.getUint32(92);
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw new CorruptDatabaseError(`invalid page size ${rawPageSize}`);
  if (changeCounter === validFor && pageCount * pageSize > bytes.length) {
    throw new CorruptDatabaseError(`truncated: the header says ${pageCount * pageSize} bytes, the file has ${bytes.length}`);
  }
}

export class RunDatabase implements RunQueries {
  private readonly statements = new Map<string, Statement>();
  private closed = false;

  private constructor(private readonly db: Database) {}

  /** A fresh database at the current schema. */
  static create(SQL: SqlJsStatic): RunDatabase {
    const db = new SQL.Database();
    migrate(db);
    return new RunDatabase(db);
  }

  /** Opens a database file's bytes; throws CorruptDatabaseError when they are not a sound SQLite file. */
  static fromBytes(SQL: SqlJsStatic, bytes: Uint8Array): RunDatabase {
    checkSqliteBytes(bytes);
    let db: Database;
    try {
      db = new SQL.Database(bytes);
    } catch (err) {
      throw new CorruptDatabaseError((err as Error).message);
    }
    try {
      const check = db.exec('PRAGMA quick_check');
      const verdict = check[0]?.values.map((v) => String(v[0])).join('; ') ?? 'no answer';
      if (verdict !== 'ok') throw new CorruptDatabaseError(`integrity check: ${verdict}`);
    } catch (err) {
      db.close();
      throw err instanceof CorruptDatabaseError ? err : new CorruptDatabaseError((err as Error).message);
    }
    // Schema errors (a newer version) are not corruption: they propagate as they are.
    try {
      migrate(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return new RunDatabase(db);
  }

  export(): Uint8Array {
    this.assertOpen();
    // sql.js' export() closes and reopens the connection, which frees prepared statements.
    this.freeStatements();
    return this.db.export();
  }

  close(): void {
    if (this.closed) return;
    this.freeStatements();
    this.db.close();
    this.closed = true;
  }

  /** Applies ops in one transaction (the cost of a commit is paid once per batch, not per event). */
  applyAll(ops: readonly StoreOp[]): void {
    this.assertOpen();
    if (ops.length === 0) return;
    const lastTask = new Map<number, string>();
    let progress = 0;
    this.db.run('BEGIN');
    try {
      for (const op of ops) {
        this.applyOne(op, lastTask);
        if (op.op === 'event' && op.event.type === 'command:progress') progress++;
      }
      for (const [commandId, taskId] of lastTask) this.run('UPDATE commands SET task_id = ? WHERE id = ?', [taskId, commandId]);
      this.db.run('COMMIT');
    } catch (err) {
      this.db.run('ROLLBACK');
      throw err;
    }
    if (this.progressCap) this.trimProgressEvents(progress);
  }

  /**
   * Bounds the progress-line rows (sql.js holds the whole database in memory, so a command printing
   * progress for hours must not grow it without end): once there are a quarter more than `max`, the
   * oldest are deleted down to `max`. Deleted pages are reused, so the file stops growing at about
   * `1.25 × max` rows. Every other event, command, cost, step and block stays. Infinity: no bound.
   */
  capProgressEvents(max: number): void {
    this.assertOpen();
    if (!Number.isFinite(max)) {
      this.progressCap = undefined;
      return;
    }
    const keep = Math.max(0, Math.floor(max));
    const rows = Number(this.one("SELECT COUNT(*) AS n FROM events WHERE type = 'command:progress'", [])?.n ?? 0);
    this.progressCap = { keep, rows };
    this.trimProgressEvents(0);
  }

  private progressCap: { keep: number; rows: number } | undefined;

  private trimProgressEvents(added: number): void {
    const cap = this.progressCap;
    if (!cap) return;
    cap.rows += added;
    if (cap.rows <= cap.keep + Math.max(1, Math.ceil(cap.keep / 4))) return;
    // The newest `keep` progress rows stay; the id of the next older one bounds the deletion.
    const boundary = this.one("SELECT id FROM events WHERE type = 'command:progress' ORDER BY id DESC LIMIT 1 OFFSET ?", [cap.keep]);
    if (boundary) this.run("DELETE FROM events WHERE type = 'command:progress' AND id <= ?", [Number(boundary.id)]);
    cap.rows = Number(this.one("SELECT COUNT(*) AS n FROM events WHERE type = 'command:progress'", [])?.n ?? 0);
  }

  /** Applies ops one transaction each, reporting (not throwing) the ones that fail. */
  applyEach(ops: readonly StoreOp[], onError: (op: StoreOp, err: Error) => void): void {
    try {
      this.applyAll(ops);
      return;
    } catch {
      // One bad op rolled the batch back; apply them one by one so only that op is lost.
    }
    for (const op of ops) {
      try {
        this.applyAll([op]);
      } catch (err) {
        onError(op, err as Error);
      }
    }
  }

  private applyOne(op: StoreOp, lastTask: Map<number, string>): void {
    switch (op.op) {
      case 'batch.create':
        this.run(
          `INSERT OR IGNORE INTO batches(id, started_at, max_cycles, cycles_completed, status, run_id, batch_mode, options_json)
           VALUES (?, ?, ?, 0, 'running', ?, ?, ?)`,
          [op.id, op.startedAt, op.options.maxCycles, op.runId, op.options.batchMode, JSON.stringify(op.options)],
        );
        return;
      case 'batch.update':
        this.updateBatch(op.id, op.patch);
        return;
      case 'step.start':
        this.run(
          `INSERT INTO steps(batch_id, step_key, started_at) VALUES (?, ?, ?)
           ON CONFLICT(batch_id, step_key) DO UPDATE SET started_at = excluded.started_at WHERE steps.result_json IS NULL`,
          [op.batchId, op.stepKey, op.at],
        );
        return;
      case 'step.result':
        this.run(
          `INSERT INTO steps(batch_id, step_key, started_at, ended_at, result_json) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(batch_id, step_key) DO UPDATE SET ended_at = excluded.ended_at, result_json = excluded.result_json`,
          [op.batchId, op.stepKey, op.at, op.at, op.resultJson],
        );
        return;
      case 'story.upsert':
        this.run(
          `INSERT INTO stories(batch_id, story_key, epic_id, status, started_at, ended_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(batch_id, story_key) DO UPDATE SET epic_id = excluded.epic_id,
             status = COALESCE(excluded.status, stories.status),
             started_at = COALESCE(excluded.started_at, stories.started_at),
             ended_at = COALESCE(excluded.ended_at, stories.ended_at),
             updated_at = excluded.updated_at`,
          [op.batchId, op.storyKey, op.epicId, op.patch.status ?? null, op.patch.startedAt ?? null, op.patch.endedAt ?? null, op.at],
        );
        return;
      case 'command.start': {
        const c = op.command;
        this.run(
          `INSERT OR IGNORE INTO commands(id, story_id, command, started_at, status, batch_id, step_key, cycle, attempt, story_keys, epic_id, model)
           VALUES (?, (SELECT id FROM stories WHERE batch_id = ? AND story_key = ?), ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)`,
          [op.id, c.batchId, c.storyKeys[0] ?? null, c.command, c.startedAt, c.batchId, c.stepKey, c.cycle, c.attempt, JSON.stringify(c.storyKeys), c.epicId, c.model ?? null],
        );
        const keys = [...new Set(c.storyKeys)];
        for (const key of keys) {
          this.run(
            `INSERT OR IGNORE INTO command_stories(command_id, story_key, story_id, share)
             VALUES (?, ?, (SELECT id FROM stories WHERE batch_id = ? AND story_key = ?), ?)`,
            [op.id, key, c.batchId, key, costShareOf(keys)],
          );
        }
        return;
      }
      case 'command.end': {
        const e = op.end;
        const u = e.usage;
        this.run(
          `UPDATE commands SET ended_at = ?, status = ?, outcome = ?, output_summary = ?, log_path = ?,
             input_tokens = ?, output_tokens = ?, cache_creation_input_tokens = ?, cache_read_input_tokens = ?, cost_usd = ?,
             model = COALESCE(?, model), duration_ms = COALESCE(?, ? - started_at), num_turns = ?, session_id = ?
           WHERE id = ?`,
          [
            e.endedAt, e.outcome, e.outcome, e.outputSummary ?? null, e.logPath ?? null,
            u?.inputTokens ?? null, u?.outputTokens ?? null, u?.cacheCreationInputTokens ?? null, u?.cacheReadInputTokens ?? null, u?.costUsd ?? null,
            u?.model ?? null, u?.durationMs ?? null, e.endedAt, u?.numTurns ?? null, u?.sessionId ?? null,
            op.id,
          ],
        );
        return;
      }
      case 'command.interrupt':
        this.run('UPDATE commands SET ended_at = ?, status = ? WHERE id = ? AND ended_at IS NULL', [op.at, op.status, op.id]);
        return;
      case 'event': {
        const cols = eventColumns(op.event);
        this.run(
          `INSERT OR IGNORE INTO events(id, batch_id, story_id, command_id, timestamp, epic_id, story_key, command, task_id, status, message, type, step_key, payload_json)
           VALUES (?, ?, (SELECT id FROM stories WHERE batch_id = ? AND story_key = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            op.id, cols.batchId, cols.batchId, cols.storyKey, op.commandId, op.event.at, cols.epicId, cols.storyKey, cols.command,
            cols.taskId, cols.status, cols.message, op.event.type, cols.stepKey, JSON.stringify(eventRemainder(op.event)),
          ],
        );
        if (op.commandId !== null && cols.taskId) lastTask.set(op.commandId, cols.taskId);
        return;
      }
      case 'block.record':
        this.run(
          'INSERT OR IGNORE INTO story_blocks(id, story_key, previous_status, reason, blocked_at) VALUES (?, ?, ?, ?, ?)',
          [op.id, op.block.storyKey, op.block.previousStatus, op.block.reason, op.block.blockedAt],
        );
        return;
      case 'block.close':
        this.run('UPDATE story_blocks SET unblocked_at = ? WHERE story_key = ? AND unblocked_at IS NULL AND id <= ?', [op.at, op.storyKey, op.upToId]);
        return;
      case 'background.add':
        this.run(
          `INSERT OR IGNORE INTO background_tasks(id, batch_id, story_key, task_type, spawned_at, status) VALUES (?, ?, ?, ?, ?, 'running')`,
          [op.id, op.batchId, op.storyKey, op.taskType, op.spawnedAt],
        );
        return;
      case 'background.finish':
        this.run('UPDATE background_tasks SET status = ?, completed_at = ? WHERE id = ?', [op.status, op.at, op.id]);
        return;
      case 'command.process':
      case 'background.process': {
        // The agent's process (pid and start time, so a reused pid is never mistaken for it).
        const table = op.op === 'command.process' ? 'commands' : 'background_tasks';
        this.run(`UPDATE ${table} SET pid = ?, pid_start_time = ? WHERE id = ?`, [op.pid, op.pidStartTime, op.id]);
        return;
      }
      default: {
        const never: never = op;
        throw new Error(`unknown store op ${JSON.stringify(never)}`);
      }
    }
  }

  private updateBatch(id: number, patch: BatchPatch): void {
    const sets: string[] = [];
    const params: SqlValue[] = [];
    if (patch.status !== undefined) (sets.push('status = ?'), params.push(patch.status));
    if (patch.endedAt !== undefined) (sets.push('ended_at = ?'), params.push(patch.endedAt));
    if (patch.cyclesCompleted !== undefined) (sets.push('cycles_completed = ?'), params.push(patch.cyclesCompleted));
    if (patch.reason !== undefined) (sets.push('reason = ?'), params.push(patch.reason));
    if (sets.length === 0) return;
    this.run(`UPDATE batches SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
  }

  /**
   * Deletes the progress-line events of all but the `keepBatches` most recent batches (other events,
   * commands, costs and steps stay), then compacts the file. Returns how many events were deleted.
   */
  pruneProgressEvents(keepBatches: number): number {
    this.assertOpen();
    if (!Number.isFinite(keepBatches)) return 0;
    // The oldest batch inside the window; with fewer batches than that, nothing is old enough.
    const oldestKept = this.one('SELECT id FROM batches ORDER BY id DESC LIMIT 1 OFFSET ?', [Math.max(1, Math.floor(keepBatches)) - 1]);
    if (!oldestKept) return 0;
    this.run("DELETE FROM events WHERE batch_id < ? AND type = 'command:progress'", [Number(oldestKept.id)]);
    const deleted = this.db.getRowsModified();
    if (deleted > 0) {
      this.freeStatements();
      this.db.run('VACUUM');
    }
    return deleted;
  }

  // ---- queries ---------------------------------------------------------------------------------

  getBatch(id: number): BatchRecord | undefined {
    const row = this.one('SELECT * FROM batches WHERE id = ?', [id]);
    return row ? toBatch(row) : undefined;
  }

  latestBatch(): BatchRecord | undefined {
    const row = this.one('SELECT * FROM batches ORDER BY id DESC LIMIT 1', []);
    return row ? toBatch(row) : undefined;
  }

  listBatches(limit?: number): BatchRecord[] {
    return this.all('SELECT * FROM batches ORDER BY id DESC LIMIT ?', [limit ?? -1]).map(toBatch);
  }

  getStep(batchId: number, stepKey: string): StepRecord | undefined {
    const row = this.one('SELECT * FROM steps WHERE batch_id = ? AND step_key = ?', [batchId, stepKey]);
    return row ? toStep(row) : undefined;
  }

  listSteps(batchId: number): StepRecord[] {
    return this.all('SELECT * FROM steps WHERE batch_id = ? ORDER BY id', [batchId]).map(toStep);
  }

  listCommands(filter: { batchId?: number; storyKey?: string }): CommandRecord[] {
    const rows = filter.storyKey === undefined
      ? this.all('SELECT c.* FROM commands c WHERE (?1 IS NULL OR c.batch_id = ?1) ORDER BY c.id', [filter.batchId ?? null])
      : this.all(
          `SELECT c.* FROM commands c JOIN command_stories s ON s.command_id = c.id
           WHERE s.story_key = ?2 AND (?1 IS NULL OR c.batch_id = ?1) ORDER BY c.id`,
          [filter.batchId ?? null, filter.storyKey],
        );
    return rows.map(toCommand);
  }

  listEvents(filter: { batchId?: number; afterId?: number; limit?: number }): StoredEvent[] {
    const rows = filter.batchId === undefined
      ? this.all('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?', [filter.afterId ?? 0, filter.limit ?? -1])
      : this.all('SELECT * FROM events WHERE batch_id = ? AND id > ? ORDER BY id LIMIT ?', [filter.batchId, filter.afterId ?? 0, filter.limit ?? -1]);
    return rows.map(toEvent);
  }

  costs(filter: { batchId?: number; storyKey?: string; cycle?: number }): CostTotals {
    const where = '(?1 IS NULL OR c.batch_id = ?1) AND (?2 IS NULL OR c.cycle = ?2)';
    const row = filter.storyKey === undefined
      ? this.one(`SELECT ${costColumns('1')} FROM commands c WHERE ${where}`, [filter.batchId ?? null, filter.cycle ?? null])
      : this.one(
          `SELECT ${costColumns('s.share')} FROM commands c JOIN command_stories s ON s.command_id = c.id WHERE ${where} AND s.story_key = ?3`,
          [filter.batchId ?? null, filter.cycle ?? null, filter.storyKey],
        );
    return row ? toCosts(row) : emptyCosts();
  }

  costsByStory(batchId?: number): Map<string, CostTotals> {
    const rows = this.all(
      `SELECT s.story_key AS story_key, ${costColumns('s.share')} FROM commands c JOIN command_stories s ON s.command_id = c.id
       WHERE (?1 IS NULL OR c.batch_id = ?1) GROUP BY s.story_key ORDER BY MIN(c.id)`,
      [batchId ?? null],
    );
    return new Map(rows.map((r) => [String(r.story_key), toCosts(r)]));
  }

  openBlock(storyKey: string): StoryBlockRecord | undefined {
    const row = this.one('SELECT * FROM story_blocks WHERE story_key = ? AND unblocked_at IS NULL ORDER BY id DESC LIMIT 1', [storyKey]);
    return row ? toBlock(row) : undefined;
  }

  listBackgroundTasks(batchId?: number): BackgroundTaskRecord[] {
    return this.all('SELECT * FROM background_tasks WHERE (?1 IS NULL OR batch_id = ?1) ORDER BY id', [batchId ?? null]).map(toBackgroundTask);
  }

  storySummaries(batchId?: number): StorySummary[] {
    // Without a batch: each story's most recent row across batches.
    const stories = batchId === undefined
      ? this.all('SELECT * FROM stories WHERE id IN (SELECT MAX(id) FROM stories GROUP BY story_key) ORDER BY id', [])
      : this.all('SELECT * FROM stories WHERE batch_id = ? ORDER BY id', [batchId]);
    const costs = this.costsByStory(batchId);
    return stories.map((s) => {
      const key = String(s.story_key);
      const last = this.one(
        `SELECT c.command, c.attempt, c.outcome, c.status, c.started_at, c.ended_at FROM commands c
         JOIN command_stories cs ON cs.command_id = c.id WHERE cs.story_key = ? AND (?2 IS NULL OR c.batch_id = ?2) ORDER BY c.id DESC LIMIT 1`,
        [key, batchId ?? null],
      );
      return {
        storyKey: key,
        epicId: nullableString(s.epic_id),
        status: nullableString(s.status),
        batchId: Number(s.batch_id),
        startedAt: nullableNumber(s.started_at),
        endedAt: nullableNumber(s.ended_at),
        costs: costs.get(key) ?? emptyCosts(),
        lastCommand: last
          ? {
              command: String(last.command),
              attempt: Number(last.attempt),
              outcome: nullableString(last.outcome) as AgentOutcome | null,
              status: String(last.status),
              startedAt: Number(last.started_at),
              endedAt: nullableNumber(last.ended_at),
            }
          : null,
        openBlock: this.openBlock(key) ?? null,
      };
    });
  }

  unfinishedWork(): UnfinishedWork {
    return {
      commands: this.all('SELECT id, batch_id, step_key, command, started_at, pid, pid_start_time FROM commands WHERE ended_at IS NULL ORDER BY id', []).map((r) => ({
        id: Number(r.id),
        batchId: Number(r.batch_id),
        stepKey: String(r.step_key),
        command: String(r.command),
        startedAt: Number(r.started_at),
        pid: nullableNumber(r.pid),
        pidStartTime: nullableString(r.pid_start_time),
      })),
      backgroundTasks: this.all('SELECT * FROM background_tasks WHERE completed_at IS NULL ORDER BY id', []).map((r) => ({
        id: Number(r.id),
        batchId: nullableNumber(r.batch_id),
        taskType: String(r.task_type),
        storyKey: nullableString(r.story_key),
        spawnedAt: Number(r.spawned_at),
        pid: nullableNumber(r.pid),
        pidStartTime: nullableString(r.pid_start_time),
      })),
    };
  }

  maxIds(): MaxIds {
    const row = this.one(
      `SELECT (SELECT COALESCE(MAX(id), 0) FROM batches) AS batch, (SELECT COALESCE(MAX(id), 0) FROM commands) AS command,
              (SELECT COALESCE(MAX(id), 0) FROM events) AS event, (SELECT COALESCE(MAX(id), 0) FROM story_blocks) AS block,
              (SELECT COALESCE(MAX(id), 0) FROM background_tasks) AS background`,
      [],
    );
    return { batch: Number(row?.batch), command: Number(row?.command), event: Number(row?.event), block: Number(row?.block), background: Number(row?.background) };
  }

  diagnostics(): StoreDiagnostics {
    const pages = this.one('SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()', []);
    const events = this.one('SELECT COUNT(*) AS n FROM events', []);
    const mem = process.memoryUsage();
    return { databaseBytes: Number(pages?.bytes ?? 0), events: Number(events?.n ?? 0), heapUsedBytes: mem.heapUsed, arrayBufferBytes: mem.arrayBuffers, externalBytes: mem.external };
  }

  // ---- plumbing --------------------------------------------------------------------------------

  private statement(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private run(sql: string, params: SqlValue[]): void {
    const s = this.statement(sql);
    s.run(params);
  }

  private all(sql: string, params: SqlValue[]): Row[] {
    this.assertOpen();
    const s = this.statement(sql);
    s.bind(params);
    const rows: Row[] = [];
    try {
      while (s.step()) rows.push(s.getAsObject());
    } finally {
      s.reset();
    }
    return rows;
  }

  private one(sql: string, params: SqlValue[]): Row | undefined {
    return this.all(sql, params)[0];
  }

  private freeStatements(): void {
    for (const s of this.statements.values()) s.free();
    this.statements.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the run database is closed');
  }
}
