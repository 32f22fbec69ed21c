// RunStore on sql.js with a real SQLite file: <state-dir>/sprint-runner.db (docs/state.md).
//
// Every change is a StoreOp: serialised once on the caller's thread, appended to the NDJSON journal
// (buffered, written at least every 200 ms) and handed to the database, which lives in a worker thread
// when there is a state folder. Changes resume depends on (batches, step results, blocks) are fdatasync'd
// in the journal before their promise resolves, and start a checkpoint in the background: the database is
// exported and the file replaced atomically, then the journal lines it covers are deleted. Opening
// replays whatever journal a crash left behind.

import * as fs from 'node:fs';
import type {
  BackgroundTaskRecord,
  BatchRecord,
  CommandEnd,
  CommandRecord,
  CommandStart,
  CostTotals,
  RunOptionsRecord,
  RunStore,
  StepRecord,
  StoredEvent,
  StoryBlockRecord,
} from '../../core/store/RunStore';
import type { SprintEvent } from '../../core/SprintEvents';
import { activeJournalPath, dbPath, nextJournalSeq } from './DatabaseFiles';
import { InProcessStoreBackend } from './InProcessStoreBackend';
import { isRecordedProcessAlive } from './ProcessIdentity';
import type { RunQueryName, StoreDiagnostics } from './RunDatabase';
import { RunJournal } from './RunJournal';
import { StepJournalCache } from './StepJournalCache';
import type { MaxIds, StorySummary, UnfinishedWork } from './RunReadModels';
import type { QueryArgs, QueryResult, StoreBackend, StoreBackendOpenInfo, StoreBackendOptions } from './StoreBackend';
import type { BatchPatch, StoreOp, StoryPatch } from './StoreOp';
import { ProcessStoreBackend } from './ProcessStoreBackend';
import { WorkerStoreBackend } from './WorkerStoreBackend';

export interface SqlJsRunStoreOptions {
  /** Folder of sprint-runner.db and its journal; created if missing. Omitted: purely in memory. */
  stateDir?: string;
  /** sql-wasm.wasm bytes; read from next to the bundle (or the sql.js package) when omitted. */
  wasmBinary?: Uint8Array;
  clock?: { now(): number };
  /** Recoverable problems: corrupt database moved aside, corrupt journal line skipped, write retried. */
  onWarning?: (message: string) => void;
  /**
   * For readers while a runner holds the lock (`sprint-runner status`): loads the file and replays the
   * journal in memory; writes nothing, and every change method throws.
   */
  readOnly?: boolean;
  /**
   * Where the database lives. Default: a worker thread with a state folder, this thread without.
   * `process`: a child process (the extension host uses it, so sql.js' memory is not the editor's;
   * docs/state.md). It exits with this process.
   */
  thread?: 'worker' | 'in-process' | 'process';
  /** How often buffered journal lines are written, in ms. Default 200. */
  journalFlushMs?: number;
  /**
   * Least time between the starts of two background checkpoints (after step results and other
   * durable changes), in ms. Default 100. Explicit `checkpoint()` calls and close are not delayed.
   */
  checkpointSpacingMs?: number;
  /**
   * CPU priority of the database's worker thread (Linux). `low`: nice 10, so under contention the
   * editor's threads win and the database work waits (events stay durable in the journal meanwhile);
   * meant for the extension host. `normal` (default): predictable ingest speed, for the CLI and benches.
   */
  databasePriority?: 'low' | 'normal';
  /**
   * sql.js holds the whole database in memory, so it must not grow forever: on open, the progress-line
   * events of all but this many most recent batches are deleted (their other events, commands, costs
   * and steps stay). Default 50; `Infinity` keeps everything.
   */
  keepProgressForBatches?: number;
  /**
   * ... and while it is open, at most about this many progress-line events are kept (the oldest go
   * first, once there are a quarter more): memory stays bounded however long a command prints progress
   * (the memory-growth benchmark). Commands, costs, steps, blocks and every other event stay; each command's full
   * transcript is in its log file. Default 20,000; `Infinity` keeps everything.
   */
  maxProgressEvents?: number;
}

/** What a previous process left running, as closed by reconcileOrphans. */
export interface OrphanReport {
  commands: (UnfinishedWork['commands'][number] & { processAlive: boolean })[];
  backgroundTasks: (UnfinishedWork['backgroundTasks'][number] & { processAlive: boolean })[];
}

/** Ops queued for the database before a flush to it (it also flushes before any read). */
const MAX_PENDING_OPS = 2000;
const EXIT_CHECKPOINT_TIMEOUT_MS = 10_000;
const DEFAULT_KEEP_PROGRESS_FOR_BATCHES = 50;
const DEFAULT_MAX_PROGRESS_EVENTS = 20_000;

export class SqlJsRunStore implements RunStore {
  private readonly ids: MaxIds;
  private pendingOps: StoreOp[] = [];
  private pendingLines: string[] = [];
  private drainScheduled = false;
  /** The latest command started for each step key, to link progress events to their command. */
  private readonly commandByStep = new Map<string, number>();
  private sealedJournals: string[] = [];
  private checkpointTail: Promise<void> = Promise.resolve();
  private checkpointQueued: Promise<void> | undefined;
  private closed = false;
  private backgroundCheckpointFailing = false;
  private backgroundTimer: NodeJS.Timeout | undefined;
  private lastCheckpointStart = Number.NEGATIVE_INFINITY;
  /** The step journal on this thread (a writable store only), so `getStep` is no round trip. */
  private readonly stepCache = new StepJournalCache((batchId) => this.query('listSteps', [batchId]));

  private constructor(
    private backend: StoreBackend,
    private readonly journal: RunJournal | undefined,
    maxIds: MaxIds,
    /** Ops replayed from journals left by a previous process. */
    readonly replayedOnOpen: number,
    readonly stateDir: string | undefined,
    private readonly readOnly: boolean,
    private readonly clock: { now(): number },
    private readonly warn: (message: string) => void,
    private readonly checkpointSpacingMs: number,
    /** How to start another database thread/process if this one dies; undefined: none is started. */
    private readonly reopen: (() => Promise<StoreBackend>) | undefined,
  ) {
    this.ids = { ...maxIds };
    this.watchBackend();
  }

  private respawning: Promise<void> | undefined;
  private respawnsLeft = 3;

  private watchBackend(): void {
    if (this.reopen && !this.readOnly && this.journal) this.backend.onDied = () => void this.respawn();
  }

  /**
   * The database thread or process died on its own (out of memory, killed): start a new one from the
   * files. Every change made so far is in the journal (sealed now, so the new database replays it and
   * deletes it); changes made meanwhile wait in memory and go to the new database once it is ready.
   * Queries and checkpoints wait for it. At most three times per store.
   */
  private respawn(): Promise<void> {
    if (this.respawning || this.closed || !this.reopen || !this.journal) return this.respawning ?? Promise.resolve();
    if (this.respawnsLeft <= 0) {
      this.warn('the state database stopped again; not restarting it: reads fail until Sprint Runner reopens the state (changes still go to the journal).');
      return Promise.resolve();
    }
    this.respawnsLeft -= 1;
    const journal = this.journal;
    const reopen = this.reopen;
    // Same tick: every line appended so far is in the sealed file; later ones stay in memory.
    const sealed = journal.seal();
    journal.hold();
    this.respawning = (async () => {
      try {
        await sealed?.written;
        const next = await reopen();
        this.backend = next;
        // The new database replayed and deleted every sealed journal, ours included.
        this.sealedJournals = [];
        this.watchBackend();
        this.warn(`the state database was restarted from ${this.dbFile} and its journal; nothing was lost.`);
      } catch (err) {
        this.warn(`could not restart the state database: ${(err as Error).message}. Changes still go to the journal and are replayed on the next open.`);
      } finally {
        this.respawning = undefined;
        journal.release();
        if (!this.closed) this.drain();
      }
    })();
    return this.respawning;
  }

  static async open(opts: SqlJsRunStoreOptions = {}): Promise<SqlJsRunStore> {
    const clock = opts.clock ?? { now: () => Date.now() };
    const warn = opts.onWarning ?? ((m: string) => process.emitWarning(m, 'SprintRunnerStateWarning'));
    const readOnly = opts.readOnly ?? false;
    const backendOptions: StoreBackendOptions = {
      stateDir: opts.stateDir,
      wasmBinary: opts.wasmBinary,
      readOnly,
      now: clock.now(),
      warn,
      lowPriority: opts.databasePriority === 'low',
      keepProgressForBatches: opts.keepProgressForBatches ?? DEFAULT_KEEP_PROGRESS_FOR_BATCHES,
      maxProgressEvents: readOnly ? Number.POSITIVE_INFINITY : (opts.maxProgressEvents ?? DEFAULT_MAX_PROGRESS_EVENTS),
    };
    const thread = opts.thread ?? (opts.stateDir ? 'worker' : 'in-process');
    const openBackend = (o: StoreBackendOptions): Promise<{ backend: StoreBackend; info: StoreBackendOpenInfo }> =>
      thread === 'worker' ? WorkerStoreBackend.open(o)
      : thread === 'process' && opts.stateDir ? ProcessStoreBackend.open(o)
      : InProcessStoreBackend.open(o);
    const { backend, info } = await openBackend(backendOptions);
    // Opening replayed and deleted every journal (unless read-only), so a fresh one starts now.
    const journal = opts.stateDir && !readOnly ? new RunJournal(opts.stateDir, nextJournalSeq(opts.stateDir), opts.journalFlushMs ?? 200, warn) : undefined;
    const reopen = backend.kind === 'in-process' ? undefined : async () => (await openBackend({ ...backendOptions, now: clock.now() })).backend;
    return new SqlJsRunStore(backend, journal, info.maxIds, info.replayed, opts.stateDir, readOnly, clock, warn, opts.checkpointSpacingMs ?? 100, reopen);
  }

  /** `<stateDir>/sprint-runner.db`, or undefined for an in-memory store. */
  get dbFile(): string | undefined {
    return this.stateDir ? dbPath(this.stateDir) : undefined;
  }

  get journalFile(): string | undefined {
    return this.stateDir ? activeJournalPath(this.stateDir) : undefined;
  }

  get databaseThread(): StoreBackend['kind'] {
    return this.backend.kind;
  }

  // ---- batches ---------------------------------------------------------------------------------

  async createBatch(input: { runId: string; startedAt: number; options: RunOptionsRecord }): Promise<BatchRecord> {
    const id = this.ids.batch + 1;
    this.submit({ op: 'batch.create', id, runId: input.runId, startedAt: input.startedAt, options: input.options });
    this.ids.batch = id;
    await this.persist();
    return {
      id,
      runId: input.runId,
      startedAt: input.startedAt,
      endedAt: null,
      batchMode: input.options.batchMode,
      maxCycles: input.options.maxCycles,
      cyclesCompleted: 0,
      status: 'running',
      options: input.options,
      reason: null,
    };
  }

  getBatch(id: number): Promise<BatchRecord | undefined> {
    return this.query('getBatch', [id]);
  }

  latestBatch(): Promise<BatchRecord | undefined> {
    return this.query('latestBatch', []);
  }

  listBatches(limit?: number): Promise<BatchRecord[]> {
    return this.query('listBatches', [limit]);
  }

  async updateBatch(id: number, patch: BatchPatch): Promise<void> {
    this.submit({ op: 'batch.update', id, patch });
    await this.persist();
  }

  // ---- the step journal ------------------------------------------------------------------------

  async getStep(batchId: number, stepKey: string): Promise<StepRecord | undefined> {
    if (this.readOnly || this.closed) return this.query('getStep', [batchId, stepKey]);
    return this.stepCache.get(batchId, stepKey);
  }

  listSteps(batchId: number): Promise<StepRecord[]> {
    return this.query('listSteps', [batchId]);
  }

  async markStepStarted(batchId: number, stepKey: string, at: number): Promise<void> {
    // Not checkpointed: a lost start mark only means the step counts as not started, and it re-runs anyway.
    this.submit({ op: 'step.start', batchId, stepKey, at });
    this.stepCache.started(batchId, stepKey, at);
  }

  async saveStepResult(batchId: number, stepKey: string, result: unknown, at: number): Promise<void> {
    const resultJson = JSON.stringify(result === undefined ? null : result);
    this.submit({ op: 'step.result', batchId, stepKey, resultJson, at });
    this.stepCache.finished(batchId, stepKey, resultJson, at);
    await this.persist();
  }

  // ---- stories and commands --------------------------------------------------------------------

  async upsertStory(batchId: number, storyKey: string, epicId: string, patch: StoryPatch): Promise<void> {
    this.submit({ op: 'story.upsert', batchId, storyKey, epicId, patch, at: this.clock.now() });
  }

  async startCommand(c: CommandStart): Promise<number> {
    const id = this.ids.command + 1;
    this.submit({ op: 'command.start', id, command: c });
    this.ids.command = id;
    this.commandByStep.set(c.stepKey, id);
    return id;
  }

  async finishCommand(id: number, end: CommandEnd): Promise<void> {
    this.submit({ op: 'command.end', id, end });
  }

  /** Records the child process of a command, so a later run can tell whether it outlived a crash. */
  async setCommandProcess(id: number, pid: number, pidStartTime: string | null): Promise<void> {
    this.submit({ op: 'command.process', id, pid, pidStartTime });
  }

  listCommands(filter: { batchId?: number; storyKey?: string }): Promise<CommandRecord[]> {
    return this.query('listCommands', [filter]);
  }

  // ---- events ----------------------------------------------------------------------------------

  appendEvent(event: SprintEvent): void {
    // Rendered output lines are for output channels only (SprintEvents: not stored as an event row).
    if (event.type === 'command:output') return;
    const stepKey = 'stepKey' in event ? event.stepKey : undefined;
    const commandId = stepKey !== undefined ? (this.commandByStep.get(stepKey) ?? null) : null;
    const id = this.ids.event + 1;
    this.submit({ op: 'event', id, commandId, event });
    this.ids.event = id;
  }

  listEvents(filter: { batchId?: number; afterId?: number; limit?: number }): Promise<StoredEvent[]> {
    return this.query('listEvents', [filter]);
  }

  // ---- costs -----------------------------------------------------------------------------------

  costs(filter: { batchId?: number; storyKey?: string; cycle?: number }): Promise<CostTotals> {
    return this.query('costs', [filter]);
  }

  costsByStory(batchId?: number): Promise<Map<string, CostTotals>> {
    return this.query('costsByStory', [batchId]);
  }

  /** One row per story (of a batch, or each story's latest batch) with its costs, last command and block. */
  storySummaries(batchId?: number): Promise<StorySummary[]> {
    return this.query('storySummaries', [batchId]);
  }

  /** Database size and the memory of the thread that holds it. */
  diagnostics(): Promise<StoreDiagnostics> {
    return this.query('diagnostics', []);
  }

  // ---- blocks ----------------------------------------------------------------------------------

  async recordBlock(b: Omit<StoryBlockRecord, 'unblockedAt'>): Promise<void> {
    const id = this.ids.block + 1;
    this.submit({ op: 'block.record', id, block: b });
    this.ids.block = id;
    await this.persist();
  }

  openBlock(storyKey: string): Promise<StoryBlockRecord | undefined> {
    return this.query('openBlock', [storyKey]);
  }

  async closeBlock(storyKey: string, at: number): Promise<void> {
    this.submit({ op: 'block.close', storyKey, at, upToId: this.ids.block });
    await this.persist();
  }

  // ---- background tasks and orphans ------------------------------------------------------------

  async addBackgroundTask(t: { batchId: number | null; storyKey: string | null; taskType: string; spawnedAt: number }): Promise<number> {
    const id = this.ids.background + 1;
    this.submit({ op: 'background.add', id, ...t });
    this.ids.background = id;
    return id;
  }

  async finishBackgroundTask(id: number, status: string, at: number): Promise<void> {
    this.submit({ op: 'background.finish', id, status, at });
  }

  async setBackgroundTaskProcess(id: number, pid: number, pidStartTime: string | null): Promise<void> {
    this.submit({ op: 'background.process', id, pid, pidStartTime });
  }

  listBackgroundTasks(batchId?: number): Promise<BackgroundTaskRecord[]> {
    return this.query('listBackgroundTasks', [batchId]);
  }

  /**
   * Closes the commands and background tasks a previous process left open (it was killed or crashed):
   * commands become `interrupted`, background tasks `orphaned`. Reports whether each recorded child
   * process still runs (same pid and start time), so the caller can stop it. Call it once, holding
   * the state lock, before the new run starts anything.
   */
  async reconcileOrphans(isAlive: (pid: number, startTime: string | null) => boolean = isRecordedProcessAlive): Promise<OrphanReport> {
    const work = await this.query('unfinishedWork', []);
    const at = this.clock.now();
    const report: OrphanReport = {
      commands: work.commands.map((c) => ({ ...c, processAlive: c.pid !== null && isAlive(c.pid, c.pidStartTime) })),
      backgroundTasks: work.backgroundTasks.map((t) => ({ ...t, processAlive: t.pid !== null && isAlive(t.pid, t.pidStartTime) })),
    };
    for (const c of report.commands) this.submit({ op: 'command.interrupt', id: c.id, at, status: 'interrupted' });
    for (const t of report.backgroundTasks) this.submit({ op: 'background.finish', id: t.id, status: 'orphaned', at });
    if (report.commands.length + report.backgroundTasks.length > 0) await this.persist();
    return report;
  }

  // ---- durability ------------------------------------------------------------------------------

  /**
   * Writes the complete database file atomically and drops the journal lines it covers. Calls made
   * while one runs share the next one (which starts after it and includes every change made so far).
   */
  checkpoint(): Promise<void> {
    if (this.checkpointQueued) return this.checkpointQueued;
    const next = this.checkpointTail
      .catch(() => undefined)
      .then(() => {
        this.checkpointQueued = undefined;
        return this.runCheckpoint();
      });
    this.checkpointQueued = next;
    this.checkpointTail = next;
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.respawning) await this.respawning;
    try {
      if (!this.readOnly) await this.checkpoint();
      else this.drain();
    } finally {
      this.closed = true;
      await this.journal?.close();
      await this.backend.close();
    }
  }

  /** For exit paths where the event loop will not run again: flushes and checkpoints, blocking. */
  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.backgroundTimer) clearTimeout(this.backgroundTimer);
    try {
      this.drain();
      if (this.journal && !this.readOnly) {
        const sealed = this.journal.sealSync();
        if (sealed) this.sealedJournals.push(sealed);
        this.backend.checkpointSync(EXIT_CHECKPOINT_TIMEOUT_MS);
        this.removeSealedJournals(this.sealedJournals.length);
      }
    } catch (err) {
      this.warn(`could not write ${this.dbFile ?? 'the database'} at exit (${(err as Error).message}); the journal keeps the changes and the next open replays them.`);
    } finally {
      this.journal?.closeSync();
      this.backend.closeSync();
    }
  }

  /**
   * Resolves when the database file holds every change made so far that asked for durability
   * (the background checkpoint they started, or a newer one, has finished). Rejects if it failed.
   */
  checkpointed(): Promise<void> {
    if (this.backgroundTimer) {
      clearTimeout(this.backgroundTimer);
      this.backgroundTimer = undefined;
      return this.checkpoint();
    }
    return this.checkpointTail;
  }

  // ---- plumbing --------------------------------------------------------------------------------

  /**
   * Makes everything changed so far durable: written and fdatasync'd in the journal (~0.3 ms here),
   * then the database file is checkpointed in the background (coalesced: one running, at most one
   * queued). Replacing the whole file on every step cost ~3–5 ms of each step and grows with the
   * database (an export is ~15 ms at 3 MB, ~130 ms at 33 MB; see the engine-overhead benchmark). The file is still a
   * complete SQLite file at every moment and holds the step a few ms later; readers that must see
   * the newest state replay the journal (read-only open) or await checkpointed(). If the journal
   * cannot be synced (disk full, permissions), this waits for the checkpoint itself, which reports
   * the error as before. Without a state folder there is nothing to make durable.
   */
  private async persist(): Promise<void> {
    if (!this.journal) {
      await this.checkpoint();
      return;
    }
    if (!(await this.journal.makeDurable())) {
      await this.checkpoint();
      return;
    }
    this.checkpointInBackground();
  }

  /**
   * Starts a checkpoint now, or, if one started less than `checkpointSpacingMs` ago, once that much
   * time has passed (one scheduled at most): a burst of quick steps writes the file a few times, not
   * once per step, and leaves the CPU to the engine. Steps that take seconds or minutes, as agent
   * steps do, get their own checkpoint right away.
   */
  private checkpointInBackground(): void {
    if (this.backgroundTimer || this.closed) return;
    // Real elapsed time, not the injectable clock (a test's frozen clock must not stall checkpoints).
    const wait = this.lastCheckpointStart + this.checkpointSpacingMs - performance.now();
    if (wait > 0) {
      this.backgroundTimer = setTimeout(() => {
        this.backgroundTimer = undefined;
        if (!this.closed) this.checkpointInBackground();
      }, wait);
      // The journal holds everything (synced), and close() checkpoints: this timer keeps nothing alive.
      this.backgroundTimer.unref();
      return;
    }
    this.checkpoint().then(
      () => {
        this.backgroundCheckpointFailing = false;
      },
      (err: unknown) => {
        // The journal holds the changes (fsync'd) and the next open replays it: warn once per failure
        // streak. A store closed meanwhile (closeSync at exit) wrote the file itself.
        if (!this.backgroundCheckpointFailing && !this.closed) this.warn((err as Error).message);
        this.backgroundCheckpointFailing = true;
      },
    );
  }

  private async runCheckpoint(): Promise<void> {
    if (this.respawning) await this.respawning;
    this.lastCheckpointStart = performance.now();
    if (this.backgroundTimer) {
      // This one covers what the scheduled one was for.
      clearTimeout(this.backgroundTimer);
      this.backgroundTimer = undefined;
    }
    this.drain();
    if (!this.journal) {
      await this.backend.checkpoint();
      return;
    }
    // Same tick as drain(): the sealed file holds exactly the ops the database has when it exports.
    const sealed = this.journal.seal();
    if (sealed) this.sealedJournals.push(sealed.file);
    const covered = this.sealedJournals.length;
    await sealed?.written;
    try {
      await this.backend.checkpoint();
    } catch (err) {
      throw new Error(
        `could not write ${this.dbFile}: ${(err as Error).message}. The changes are kept in the journal next to it and are replayed on the next open; free disk space or fix the folder's permissions.`,
      );
    }
    this.removeSealedJournals(covered);
  }

  private removeSealedJournals(count: number): void {
    for (const file of this.sealedJournals.slice(0, count)) {
      try {
        fs.rmSync(file, { force: true });
      } catch (err) {
        // Harmless: replaying it over a database that has its changes gives the same state.
        this.warn(`could not delete the replayed journal ${file}: ${(err as Error).message}`);
      }
    }
    this.sealedJournals = this.sealedJournals.slice(count);
  }

  private submit(op: StoreOp): void {
    if (this.closed) throw new Error(`the run store${this.stateDir ? ` in ${this.stateDir}` : ''} is closed`);
    if (this.readOnly) {
      throw new Error(`the run store in ${this.stateDir} was opened read-only (another process holds the state lock); "${op.op}" is not allowed`);
    }
    const line = JSON.stringify(op);
    this.journal?.append(line);
    this.pendingOps.push(op);
    this.pendingLines.push(line);
    if (this.pendingOps.length >= MAX_PENDING_OPS) this.drain();
    else if (!this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => {
        this.drainScheduled = false;
        if (!this.closed) this.drain();
      });
    }
  }

  /** Hands queued ops to the database; everything read or checkpointed afterwards includes them. */
  private drain(): void {
    // While a new database starts, ops wait here (they are in memory and, after it, in the journal).
    if (this.pendingOps.length === 0 || this.respawning) return;
    const ops = this.pendingOps;
    const lines = this.pendingLines;
    this.pendingOps = [];
    this.pendingLines = [];
    this.backend.apply(ops, lines);
  }

  private query<K extends RunQueryName>(name: K, args: QueryArgs<K>): Promise<QueryResult<K>> {
    if (this.closed) return Promise.reject(new Error(`the run store${this.stateDir ? ` in ${this.stateDir}` : ''} is closed`));
    if (this.respawning) return this.respawning.then(() => this.query(name, args));
    this.drain();
    return this.backend.query(name, args);
  }
}
