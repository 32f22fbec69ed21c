// The 003 workflow (steps 0a–6) executed by code, as a durable function: every agent invocation and
// every read of the world a decision depends on is a journaled step with a deterministic key
// (`c2/select`, `c2/code-review/<key>/a4`, …). A step with a recorded result is never executed again:
// resume replays the journal and continues at the first step without one. Everything else the engine
// computes is a pure function of those results, so a replay takes exactly the same decisions.

import type { Agent, AgentActivity, AgentOutcome, AgentRegistry, AgentResult, AgentUsage } from '../agent/AgentContract';
import { commandLabel, type StepCommand } from '../commands';
import { Emitter, type Event } from '../Emitter';
import type { FileSystem } from '../fs/FileSystem';
import { formatGateFailuresForReview } from '../git/formatGateFailuresForReview';
import type { GateResult } from '../git/GateResult';
import { MAX_PARALLEL_LIMIT, planParallelLanes } from '../git/planParallelLanes';
import { renderSprintReport } from '../git/renderSprintReport';
import type { LedgerSnapshot, SprintLedgerPort, StoryStatus } from '../ledger/LedgerTypes';
import { selectNextStories } from '../ledger/selectNextStories';
import { SprintLedger } from '../ledger/SprintLedger';
import type { PromptSource } from '../prompts/PromptSource';
import { renderPrompt, type PromptVariables } from '../prompts/renderPrompt';
import type { BatchMode, BatchStatus, RunState, SprintEvent } from '../SprintEvents';
import type { BatchRecord, RunOptionsRecord, RunStore } from '../store/RunStore';
import type { WorkspaceLayout } from '../workspace/WorkspaceLayout';
import { appendDeferredItems } from './appendDeferredItems';
import { systemClock, type Clock } from './Clock';
import type { EngineSettings } from './EngineSettings';
import { findingsPattern, isRepeatedPattern } from './findingsPattern';
import { appendProjectContext } from './injectProjectContext';
import { parseCodeReview, parseCriticalIssuesFound, parseTechSpecDecisions, type TechSpecDecision } from './markers';
import type { ScriptRunner } from './ScriptRunner';
import { PROGRESS_LOG_FILE, type CommitCheck, type GitPort, type GitSnapshot } from './GitPort';
import type { LaneInfo, LaneMerge, LanePort } from './LanePort';
import type { QualityGatePort } from './QualityGatePort';
import { SprintReportCollector, sprintReportFileName } from './SprintReportCollector';

// ---------------------------------------------------------------------------------------------- API

export interface StepInfo {
  stepKey: string;
  command: StepCommand;
  storyKeys: string[];
  attempt: number;
  cycle: number;
}

export type StepVerdict = { ok: true } | { ok: false; reason: string };

/** Validates an agent step's result; `ok: false` turns the step into an agent failure (re-run, 3 → blocked). */
export interface StepHook {
  validate(step: StepInfo, result: AgentResult): Promise<StepVerdict>;
}

export interface SprintRunnerDeps {
  ledger: SprintLedgerPort;
  store: RunStore;
  agents: AgentRegistry;
  prompts: PromptSource;
  fs: FileSystem;
  layout: WorkspaceLayout;
  settings: EngineSettings;
  hooks?: StepHook[];
  clock?: Clock;
  runId?: () => string;
  /** Extra environment for every agent (the SPRINT_RUNNER_* variables are merged over it). */
  env?: Record<string, string>;
  /** Backoff sleep for transient retries; must reject or resolve early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Runs `_bmad/scripts/*.sh` when present; without it the engine's own rules apply (age, append). */
  scripts?: ScriptRunner;
  /** The workspace is a git repository: step 4c is verified (agent mode) or made by the engine (engine mode). */
  git?: GitPort;
  /** Runs `settings.qualityGates`; without it (or without gates) the 003 code-review loop is unchanged. */
  gates?: QualityGatePort;
  /** Parallel mode (`settings.maxParallel` > 1): one worktree per story. */
  lanes?: LanePort;
}

export interface RunOptions {
  /** Number of cycles, or `all` (until every story is done or blocked). Default 2 (003 step 0b). */
  cycles?: number | 'all';
  /** "Resume story": the first cycle starts with this story. */
  startWith?: string;
}

export interface RunResult {
  /** The sprint is the ledger: its path. */
  sprintId: string;
  batchId: number;
  /** The batch completed: the requested cycles ran or the sprint is complete. */
  success: boolean;
  /** Journaled steps with a result in this batch (replayed ones included). */
  stepsCompleted: number;
  /** Journaled steps this batch started (completed + the one(s) interrupted). */
  stepsTotal: number;
  /** Every agent result of the batch, in journal order (replayed ones included). */
  agentResults: AgentResult[];
  deferredItems: string[];
  durationSeconds: number;
  status: BatchStatus;
  cyclesCompleted: number;
  storiesDone: string[];
  storiesBlocked: string[];
  /** Every story of the ledger is done or blocked. */
  sprintComplete: boolean;
  reason?: string;
}

export class NothingToResumeError extends Error {
  constructor(detail: string) {
    super(`Nothing to resume: ${detail}. Start a new run instead.`);
    this.name = 'NothingToResumeError';
  }
}

export class RunInProgressError extends Error {
  constructor() {
    super('A batch is already running in this Sprint Runner; pause or stop it first.');
    this.name = 'RunInProgressError';
  }
}

// ----------------------------------------------------------------------------------------- internals

/** Unwinds the workflow when the batch must end early; never escapes the runner. */
class Halt extends Error {
  constructor(
    readonly status: 'paused' | 'stopped' | 'failed',
    readonly reason: string,
  ) {
    super(reason);
  }
}

interface StoryRef {
  key: string;
  shortId: string;
  epicId: string;
  /** Status at selection time: the phase the story enters at. */
  status: string;
}

/** What the journal keeps of an agent step. */
interface AgentStepRecord extends AgentResult {
  kind: 'agent';
  command: StepCommand;
  storyKeys: string[];
  attempt: number;
  model?: string;
}

interface SelectRecord {
  stories: StoryRef[];
  epicId: string;
  skipped: { key: string; status: string }[];
}

interface ContextCheckRecord {
  status: 'missing' | 'expired' | 'fresh';
  decidedBy: 'script' | 'age' | 'missing';
  message?: string;
}

interface SetStatusRecord {
  storyKey: string;
  status: StoryStatus;
  previous: string;
  reason: string;
}

interface BatchContext {
  batch: BatchRecord;
  runId: string;
  startedAt: number;
  agentResults: AgentResult[];
  deferredItems: string[];
  stepsStarted: number;
  stepsCompleted: number;
  cyclesCompleted: number;
  storiesDone: string[];
  storiesBlocked: string[];
  background: Promise<void>[];
  report: SprintReportCollector;
}

interface CycleContext {
  batch: BatchContext;
  cycle: number;
  /** Journal key prefix: `c<n>`, or `c<n>/<story key>` for a lane in parallel mode. */
  prefix: string;
  /** The paths agents are given (the workspace's, or rebased into the lane's worktree). */
  layout: WorkspaceLayout;
  /** The ledger agents move statuses in (the lane's copy in parallel mode); the engine writes deps.ledger. */
  agentLedger: SprintLedgerPort;
  lane?: LaneInfo;
  /** Parallel mode: `done` is written to the ledger only after the lane merged. */
  deferDone: boolean;
  /** Git snapshot when the cycle (or lane) started; null when git is not available for it. */
  before: GitSnapshot | null;
  /** Parallel mode: why a story is done in its lane (written to the ledger after the merge). */
  doneReason: Map<string, string>;
  epicId: string;
  stories: StoryRef[];
  /** Keys still being worked on (not blocked in this cycle), in selection order. */
  active: Set<string>;
  done: Set<string>;
  blocked: Set<string>;
  decisions: Record<string, TechSpecDecision>;
}

interface AgentStepSpec {
  key: string;
  cycle: number;
  command: StepCommand;
  stories: StoryRef[];
  attempt: number;
  /** Returns why the output is unusable (missing marker), or undefined. */
  requireMarkers?: (output: string) => string | undefined;
  promptExtras?: Partial<PromptVariables>;
  /** Runs after a successful invocation; its warnings are recorded with the step. */
  afterSuccess?: () => Promise<string[]>;
  /** Background steps never halt the batch. */
  background?: boolean;
  /** Lane mode: the worktree the agent runs in, and the paths it is given. */
  lane?: LaneInfo;
  layout?: WorkspaceLayout;
}

/** 003 step 0b: "no number provided → max_cycles = 2". */
export const DEFAULT_CYCLES = 2;

const REVIEW_MAX: Partial<Record<StepCommand, keyof EngineSettings>> = {
  'story-review': 'maxStoryReviews',
  'tech-spec-review': 'maxTechSpecReviews',
  'code-review': 'maxCodeReviews',
};

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function defaultRunId(): string {
  return `run-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
}

function summarise(text: string, max = 500): string {
  const t = text.trim();
  return t.length <= max ? t : `${t.slice(0, max / 2)}\n…\n${t.slice(-max / 2)}`;
}

function toAgentResult(r: AgentStepRecord): AgentResult {
  const { kind: _kind, command: _command, storyKeys: _keys, attempt: _attempt, model: _model, ...result } = r;
  return result;
}

function joinEpics(stories: readonly StoryRef[]): string {
  return [...new Set(stories.map((s) => s.epicId))].join(',');
}

// ------------------------------------------------------------------------------------------ runner

export class SprintRunner {
  private readonly emitter = new Emitter<SprintEvent>();
  readonly onDidEmit: Event<SprintEvent> = this.emitter.event;

  private readonly clock: Clock;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private currentState: RunState = 'idle';
  private pauseReason: string | undefined;
  private stopReason: string | undefined;
  private abort = new AbortController();
  private onProgress: ((e: SprintEvent) => void) | undefined;
  private currentBatchId: number | undefined;

  constructor(private readonly deps: SprintRunnerDeps) {
    this.clock = deps.clock ?? systemClock;
    this.sleep = deps.sleep ?? defaultSleep;
  }

  get state(): RunState {
    return this.currentState;
  }

  /** Starts a new batch. Records its options before its first step. */
  async run(options: RunOptions = {}, onProgress?: (e: SprintEvent) => void): Promise<RunResult> {
    const cycles = options.cycles ?? DEFAULT_CYCLES;
    if (cycles !== 'all' && (!Number.isInteger(cycles) || cycles < 1)) {
      throw new Error(`cycles must be a whole number ≥ 1 or "all", got ${String(cycles)}`);
    }
    this.begin(onProgress);
    try {
      const record: RunOptionsRecord = {
        batchMode: cycles === 'all' ? 'all' : 'fixed',
        maxCycles: cycles === 'all' ? null : cycles,
        ...(options.startWith !== undefined ? { startWith: options.startWith } : {}),
      };
      const runId = (this.deps.runId ?? defaultRunId)();
      const batch = await this.deps.store.createBatch({ runId, startedAt: this.clock.now(), options: record });
      return await this.execute(batch, false);
    } finally {
      this.finish();
    }
  }

  /** Continues the latest batch when it did not end completed/failed, with its recorded options. */
  async resume(onProgress?: (e: SprintEvent) => void): Promise<RunResult> {
    const latest = await this.deps.store.latestBatch();
    if (!latest) throw new NothingToResumeError('no batch was ever started in this state folder');
    if (latest.status === 'completed' || latest.status === 'failed') {
      throw new NothingToResumeError(`the latest batch (#${latest.id}) ended ${latest.status}`);
    }
    this.begin(onProgress);
    try {
      await this.deps.store.updateBatch(latest.id, { status: 'running', endedAt: null, reason: null });
      return await this.execute({ ...latest, status: 'running' }, true);
    } finally {
      this.finish();
    }
  }

  /** Lets the running step(s) finish and starts no new one; the batch ends `paused`. */
  pause(reason = 'paused by the user'): void {
    if (this.currentState !== 'running') return;
    this.pauseReason = reason;
    this.setState('pausing');
  }

  /** Stops the agents (AbortSignal) and ends the batch `stopped`; the journal keeps everything finished. */
  cancel(reason: string): void {
    if (this.currentState === 'idle' || this.currentState === 'paused' || this.currentState === 'stopping') return;
    this.stopReason = reason;
    this.setState('stopping');
    this.abort.abort(new Error(reason));
  }

  private begin(onProgress: ((e: SprintEvent) => void) | undefined): void {
    if (this.currentState === 'running' || this.currentState === 'pausing' || this.currentState === 'stopping') {
      throw new RunInProgressError();
    }
    this.onProgress = onProgress;
    this.pauseReason = undefined;
    this.stopReason = undefined;
    this.abort = new AbortController();
    this.setState('running');
  }

  private finish(): void {
    this.onProgress = undefined;
    this.currentBatchId = undefined;
  }

  private setState(state: RunState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit({ type: 'run:state', state });
  }

  private emit(event: DistributiveOmit<SprintEvent, 'at'>): void {
    const full = { at: this.clock.now(), ...(this.currentBatchId !== undefined ? { batchId: this.currentBatchId } : {}), ...event } as SprintEvent;
    if (full.type !== 'command:output') this.deps.store.appendEvent(full);
    this.emitter.fire(full);
    if (this.onProgress) {
      try {
        this.onProgress(full);
      } catch (err) {
        console.error('sprint-runner: onProgress callback failed:', err);
      }
    }
  }

  private warn(message: string, extra: { storyKey?: string; stepKey?: string } = {}): void {
    this.emit({ type: 'warning', message, ...extra });
  }

  // ------------------------------------------------------------------------------------ batch

  private async execute(batch: BatchRecord, resumed: boolean): Promise<RunResult> {
    const ctx: BatchContext = {
      batch,
      runId: batch.runId,
      startedAt: this.clock.now(),
      agentResults: [],
      deferredItems: [],
      stepsStarted: 0,
      stepsCompleted: 0,
      cyclesCompleted: 0,
      storiesDone: [],
      storiesBlocked: [],
      background: [],
      report: new SprintReportCollector(),
    };
    this.currentBatchId = batch.id;
    const mode: BatchMode = batch.options.batchMode;
    const maxCycles = batch.options.maxCycles;
    this.emit({ type: 'batch:start', batchId: batch.id, runId: batch.runId, batchMode: mode, maxCycles, resumed });

    let status: BatchStatus = 'completed';
    let reason: string | undefined;
    let sprintComplete = false;
    const parallel = (this.deps.settings.maxParallel ?? 1) > 1;
    try {
      if (parallel) await this.prepareParallel();
      await this.projectContextPhase(ctx);
      for (let cycle = 1; mode === 'all' || maxCycles === null || cycle <= maxCycles; cycle++) {
        const ran = parallel ? await this.runParallelCycle(ctx, cycle) : await this.runCycle(ctx, cycle);
        if (!ran) {
          sprintComplete = true;
          break;
        }
      }
      await this.settleBackground(ctx);
      if (parallel && this.deps.settings.mergeSprintIntoBase && (sprintComplete || (await this.isSprintComplete()))) await this.mergeSprintIntoBase(ctx);
    } catch (err) {
      if (err instanceof Halt) {
        status = err.status;
        reason = err.reason;
      } else {
        status = 'failed';
        reason = err instanceof Error ? err.message : String(err);
        this.emit({ type: 'error', message: `The batch failed: ${reason}` });
      }
      if (status === 'stopped') this.abort.abort(new Error(reason));
      await this.settleBackground(ctx);
    }

    if (!sprintComplete) sprintComplete = await this.isSprintComplete();
    const endedAt = this.clock.now();
    await this.writeSprintReport(ctx, status, reason, endedAt);
    await this.deps.store.updateBatch(batch.id, {
      status,
      cyclesCompleted: ctx.cyclesCompleted,
      endedAt,
      reason: reason ?? null,
    });
    this.emit({
      type: 'batch:end',
      batchId: batch.id,
      status,
      cyclesCompleted: ctx.cyclesCompleted,
      storiesDone: ctx.storiesDone,
      storiesBlocked: ctx.storiesBlocked,
      sprintComplete,
      ...(reason !== undefined ? { reason } : {}),
    });
    await this.deps.store.checkpoint();
    this.setState(status === 'paused' ? 'paused' : 'idle');
    return {
      sprintId: this.deps.ledger.path,
      batchId: batch.id,
      success: status === 'completed',
      stepsCompleted: ctx.stepsCompleted,
      stepsTotal: ctx.stepsStarted,
      agentResults: ctx.agentResults,
      deferredItems: ctx.deferredItems,
      durationSeconds: (endedAt - ctx.startedAt) / 1000,
      status,
      cyclesCompleted: ctx.cyclesCompleted,
      storiesDone: ctx.storiesDone,
      storiesBlocked: ctx.storiesBlocked,
      sprintComplete,
      ...(reason !== undefined ? { reason } : {}),
    };
  }

  private async settleBackground(ctx: BatchContext): Promise<void> {
    while (ctx.background.length > 0) {
      const pending = ctx.background.splice(0);
      await Promise.allSettled(pending);
    }
  }

  private async isSprintComplete(): Promise<boolean> {
    try {
      const snapshot = await this.deps.ledger.read();
      return snapshot.stories.every((s) => s.status === 'done' || s.status === 'blocked');
    } catch {
      return false;
    }
  }

  // --------------------------------------------------------------------------------- journal

  /** The durable step: replay a recorded result, or run `fn` and record its result. */
  private async runStep<T>(ctx: BatchContext, key: string, fn: () => Promise<T>): Promise<{ result: T; replayed: boolean }> {
    const recorded = await this.deps.store.getStep(ctx.batch.id, key);
    if (recorded && recorded.result !== undefined) {
      ctx.stepsStarted++;
      ctx.stepsCompleted++;
      return { result: recorded.result as T, replayed: true };
    }
    this.checkHalt();
    await this.deps.store.markStepStarted(ctx.batch.id, key, this.clock.now());
    ctx.stepsStarted++;
    const result = await fn();
    await this.deps.store.saveStepResult(ctx.batch.id, key, result, this.clock.now());
    ctx.stepsCompleted++;
    return { result, replayed: false };
  }

  private checkHalt(): void {
    if (this.stopReason !== undefined) throw new Halt('stopped', this.stopReason);
    if (this.pauseReason !== undefined) throw new Halt('paused', this.pauseReason);
  }

  // ------------------------------------------------------------------------ step 0a: context

  private async projectContextPhase(ctx: BatchContext): Promise<void> {
    const contextPath = this.deps.layout.projectContextPath;
    const { result: check, replayed } = await this.runStep(ctx, 'init/project-context', () => this.checkProjectContext());
    if (!replayed) {
      this.emit({ type: 'context:status', status: check.status, path: contextPath, ...(check.message ? { message: check.message } : {}) });
    }
    if (check.status === 'fresh') return;
    const spec: AgentStepSpec = { key: '', cycle: 0, command: 'generate-project-context', stories: [], attempt: 1 };
    if (check.status === 'missing') {
      this.emit({ type: 'context:status', status: 'generating', path: contextPath });
      const ok = await this.invokeWithRecovery(ctx, { ...spec, key: 'init/generate-project-context' });
      const exists = await this.deps.fs.exists(contextPath);
      this.emit({
        type: 'context:status',
        status: ok && exists ? 'generated' : 'failed',
        path: contextPath,
        ...(ok && !exists ? { message: `the agent finished but ${contextPath} does not exist` } : {}),
      });
      if (!ok || !exists) this.warn(`Project context could not be generated (${contextPath}); the cycle goes on without it.`);
      return;
    }
    // Expired: refresh in the background while the cycles go on (002 refines 003 step 0a).
    // The outer step holds the background_tasks row; the agent invocations inside it are journaled too,
    // so a resume re-enters it and replays whatever already finished.
    this.emit({ type: 'context:status', status: 'refreshing', path: contextPath });
    const task = this.runStep(ctx, 'init/background-refresh', async () => {
      const { store } = this.deps;
      const id = await store.addBackgroundTask({ batchId: ctx.batch.id, storyKey: null, taskType: 'project-context-refresh', spawnedAt: this.clock.now() });
      let ok = false;
      try {
        ok = (await this.invokeWithRecovery(ctx, { ...spec, key: 'init/refresh-project-context', background: true })) !== undefined;
      } finally {
        await store.finishBackgroundTask(id, ok ? 'completed' : 'failed', this.clock.now());
      }
      return { ok };
    }).then(
      ({ result, replayed }) => {
        if (replayed) return;
        this.emit({ type: 'context:status', status: result.ok ? 'refreshed' : 'failed', path: contextPath });
        if (!result.ok) this.warn(`Background refresh of ${contextPath} failed; the previous copy stays in use.`);
      },
      (err: unknown) => {
        // Paused or stopped with the batch: the refresh step re-runs when the batch resumes.
        if (err instanceof Halt) return;
        const message = err instanceof Error ? err.message : String(err);
        this.emit({ type: 'context:status', status: 'failed', path: contextPath, message });
      },
    );
    ctx.background.push(task);
  }

  private async checkProjectContext(): Promise<ContextCheckRecord> {
    const { fs, layout, scripts, settings } = this.deps;
    const stat = await fs.stat(layout.projectContextPath);
    if (!stat) return { status: 'missing', decidedBy: 'missing' };
    const script = `${layout.scriptsDir}/project-context-should-refresh.sh`;
    if (scripts && (await fs.exists(script))) {
      const r = await scripts.run(script, [], layout.root);
      if (r.exitCode === 0) return { status: 'expired', decidedBy: 'script', message: `${script} asked for a refresh` };
      if (r.exitCode === 1) return { status: 'fresh', decidedBy: 'script' };
      this.warn(
        `${script} exited ${r.exitCode} (expected 0 = refresh or 1 = fresh): ${summarise(r.stderr || r.stdout, 200)}. ` +
          `Falling back to the ${settings.projectContextMaxAgeHours} h age rule.`,
      );
    }
    const ageHours = (this.clock.now() - stat.mtimeMs) / 3_600_000;
    return ageHours > settings.projectContextMaxAgeHours
      ? { status: 'expired', decidedBy: 'age', message: `${ageHours.toFixed(1)} h old (limit ${settings.projectContextMaxAgeHours} h)` }
      : { status: 'fresh', decidedBy: 'age' };
  }

  // ----------------------------------------------------------------------------- the cycle

  /** One cycle (003 steps 1–4c). Returns false when there was nothing left to select (sprint complete). */
  private async runCycle(ctx: BatchContext, cycle: number): Promise<boolean> {
    const startWith = cycle === 1 ? ctx.batch.options.startWith : undefined;
    const { result: selection, replayed } = await this.runStep(ctx, `c${cycle}/select`, () => this.select(startWith));
    if (selection.stories.length === 0) return false;
    if (!replayed) {
      for (const s of selection.skipped) {
        this.warn(`Story ${s.key} has an unknown status "${s.status}" in ${this.deps.ledger.path}; it is skipped. Fix the status by hand.`, {
          storyKey: s.key,
        });
      }
    }
    const cc: CycleContext = {
      batch: ctx,
      cycle,
      prefix: `c${cycle}`,
      layout: this.deps.layout,
      agentLedger: this.deps.ledger,
      deferDone: false,
      before: null,
      doneReason: new Map(),
      epicId: selection.epicId,
      stories: selection.stories,
      active: new Set(selection.stories.map((s) => s.key)),
      done: new Set(),
      blocked: new Set(),
      decisions: {},
    };
    const keys = selection.stories.map((s) => s.key);
    for (const s of selection.stories) ctx.report.story(s);
    this.emit({ type: 'cycle:start', batchId: ctx.batch.id, cycle, maxCycles: ctx.batch.options.maxCycles, storyKeys: keys, epicId: selection.epicId });
    if (!replayed) {
      for (const s of selection.stories) {
        await this.deps.store.upsertStory(ctx.batch.id, s.key, s.epicId, { status: s.status, startedAt: this.clock.now() });
      }
    }
    cc.before = await this.gitSnapshot(cc, this.deps.layout.root);

    await this.createStoryPhase(cc);
    await this.storyReviewPhase(cc);
    await this.techSpecPhase(cc);
    await this.devAndCodeReviewPhase(cc);
    await this.batchCommitPhase(cc);

    ctx.cyclesCompleted = cycle;
    await this.deps.store.updateBatch(ctx.batch.id, { cyclesCompleted: cycle });
    this.emit({ type: 'cycle:end', batchId: ctx.batch.id, cycle, storyKeys: keys, done: [...cc.done], blocked: [...cc.blocked] });
    return true;
  }

  /** An empty `stories` means every story is done or blocked (the journal never stores null). */
  private async select(startWith: string | undefined): Promise<SelectRecord> {
    const snapshot: LedgerSnapshot = await this.deps.ledger.read();
    const selection = selectNextStories(snapshot, startWith !== undefined ? { startWith } : {});
    if (!selection) return { stories: [], epicId: '', skipped: [] };
    const stories = selection.storyKeys.map((key): StoryRef => {
      const s = snapshot.stories.find((x) => x.key === key);
      return { key, shortId: s?.shortId ?? key, epicId: s?.epicId ?? selection.epicId, status: selection.statuses[key] ?? s?.status ?? '' };
    });
    return { stories, epicId: selection.epicId, skipped: selection.skipped ?? [] };
  }

  private activeStories(cc: CycleContext, entry?: readonly string[]): StoryRef[] {
    return cc.stories.filter((s) => cc.active.has(s.key) && (entry === undefined || entry.includes(s.status)));
  }

  // -------------------------------------------------------------- step 2: create-story ∥ discovery

  private async createStoryPhase(cc: CycleContext): Promise<void> {
    // A story whose status no phase knows is never guessed into one: it is blocked for a human.
    for (const s of this.activeStories(cc)) {
      if (!['backlog', 'ready-for-dev', 'in-progress', 'review'].includes(s.status)) {
        await this.setStatus(cc, s, 'blocked', `status "${s.status}" is not one the workflow knows`);
      }
    }
    const backlog = this.activeStories(cc, ['backlog']);
    if (backlog.length === 0) return;
    for (const s of backlog) this.emit({ type: 'story:phase', storyKey: s.key, phase: 'create-story', command: 'create-story', ...this.laneTag(cc) });
    const base = { cycle: cc.cycle, stories: backlog, attempt: 1, ...this.laneSpec(cc) };
    const settled = await Promise.allSettled([
      this.invokeWithRecovery(cc.batch, { ...base, key: `${cc.prefix}/create-story`, command: 'create-story' }),
      this.invokeWithRecovery(cc.batch, { ...base, key: `${cc.prefix}/create-story-discovery`, command: 'create-story-discovery' }),
    ]);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
    const [created, discovered] = settled.map((r) => (r as PromiseFulfilledResult<AgentStepRecord | undefined>).value);
    if (!created || !discovered) {
      const which = !created ? 'create-story' : 'create-story-discovery';
      for (const s of backlog) {
        await this.setStatus(cc, s, 'blocked', `${which} failed ${this.deps.settings.maxConsecutiveFailures} times in a row`);
      }
      return;
    }

    const { result: injection, replayed } = await this.runStep(cc.batch, `${cc.prefix}/inject-context`, () => this.injectContext(cc, backlog));
    if (!replayed) for (const w of injection.warnings) this.warn(w.message, { storyKey: w.storyKey, stepKey: `${cc.prefix}/inject-context` });

    const { result: parse, replayed: parseReplayed } = await this.runStep(cc.batch, `${cc.prefix}/tech-spec-decision`, async () =>
      parseTechSpecDecisions(created.outputText, backlog),
    );
    Object.assign(cc.decisions, parse.decisions);
    if (!parseReplayed) {
      for (const key of parse.defaulted) {
        this.warn(`No tech-spec decision found for ${key} in the create-story output; defaulting to REQUIRED.`, {
          storyKey: key,
          stepKey: `${cc.prefix}/tech-spec-decision`,
        });
      }
    }
  }

  /** Post create-story checks (warnings only, 003 step 5) and the project-context injection. */
  private async injectContext(cc: CycleContext, stories: StoryRef[]): Promise<{ warnings: { storyKey: string; message: string }[] }> {
    const { fs, scripts } = this.deps;
    const { layout, agentLedger: ledger } = cc;
    const warnings: { storyKey: string; message: string }[] = [];
    const snapshot = await ledger.read();
    const script = `${layout.scriptsDir}/project-context-injection.sh`;
    const useScript = scripts !== undefined && (await fs.exists(script));
    const contextExists = await fs.exists(layout.projectContextPath);
    for (const s of stories) {
      const now = snapshot.stories.find((x) => x.key === s.key)?.status;
      if (now === s.status) {
        warnings.push({ storyKey: s.key, message: `create-story did not move ${s.key} from ${s.status} (still "${now}" in ${ledger.path}).` });
      } else if (now !== undefined) {
        this.emit({ type: 'story:status', storyKey: s.key, from: s.status, to: now, reason: 'create-story', ...this.laneTag(cc) });
      }
      const storyFile = `${layout.implementationArtifacts}/${s.key}.md`;
      if (!(await fs.exists(storyFile))) warnings.push({ storyKey: s.key, message: `create-story did not write ${storyFile}.` });
      const discovery = `${layout.implementationArtifacts}/${s.key}-discovery-story.md`;
      if (!(await fs.exists(discovery))) {
        warnings.push({ storyKey: s.key, message: `create-story-discovery did not write ${discovery}; no project context injected.` });
        continue;
      }
      if (useScript) {
        const r = await scripts.run(script, [discovery], layout.root);
        if (r.exitCode !== 0) {
          warnings.push({ storyKey: s.key, message: `${script} ${discovery} exited ${r.exitCode}: ${summarise(r.stderr || r.stdout, 200)}` });
        }
      } else if (contextExists) {
        await appendProjectContext(fs, discovery, layout.projectContextPath);
      } else {
        warnings.push({ storyKey: s.key, message: `${layout.projectContextPath} does not exist; nothing injected into ${discovery}.` });
      }
    }
    return { warnings };
  }

  // ------------------------------------------------------------------ steps 2b, 3b: review loops

  private async storyReviewPhase(cc: CycleContext): Promise<void> {
    for (const s of this.activeStories(cc, ['backlog'])) await this.reviewLoop(cc, s, 'story-review');
  }

  private async techSpecPhase(cc: CycleContext): Promise<void> {
    const stories = this.activeStories(cc, ['backlog', 'ready-for-dev']);
    if (stories.length === 0) return;
    // ready-for-dev: no decision exists (no create-story this cycle) → 003's default, REQUIRED.
    for (const s of stories) cc.decisions[s.key] ??= 'REQUIRED';
    if (!stories.some((s) => cc.decisions[s.key] === 'REQUIRED')) return;
    for (const s of stories) {
      if (!cc.active.has(s.key)) continue;
      this.emit({ type: 'story:phase', storyKey: s.key, phase: 'create-tech-spec', command: 'create-tech-spec', ...this.laneTag(cc) });
      const file = `${cc.layout.implementationArtifacts}/tech-spec-${s.key}.md`;
      const rec = await this.invokeWithRecovery(cc.batch, {
        ...this.laneSpec(cc),
        key: `${cc.prefix}/create-tech-spec/${s.key}`,
        cycle: cc.cycle,
        command: 'create-tech-spec',
        stories: [s],
        attempt: 1,
        promptExtras: this.techSpecVariables(cc),
        afterSuccess: async () => ((await this.deps.fs.exists(file)) ? [] : [`create-tech-spec did not write ${file}.`]),
      });
      if (!rec) await this.setStatus(cc, s, 'blocked', `create-tech-spec failed ${this.deps.settings.maxConsecutiveFailures} times in a row`);
    }
    for (const s of stories) if (cc.active.has(s.key)) await this.reviewLoop(cc, s, 'tech-spec-review');
  }

  private techSpecVariables(cc: CycleContext): Partial<PromptVariables> {
    const entries = cc.stories.filter((s) => cc.decisions[s.key] !== undefined);
    return {
      tech_spec_needed: String(entries.some((s) => cc.decisions[s.key] === 'REQUIRED')),
      tech_spec_decisions: entries.map((s) => `- ${s.shortId}: ${cc.decisions[s.key]}`).join('\n'),
    };
  }

  /** 003 steps 2b/3b: max 3, stop at `[CRITICAL-ISSUES-FOUND: NO]`, after the last one go on with a warning. */
  private async reviewLoop(cc: CycleContext, s: StoryRef, command: 'story-review' | 'tech-spec-review'): Promise<void> {
    const max = this.deps.settings[REVIEW_MAX[command] as 'maxStoryReviews'];
    for (let attempt = 1; attempt <= max; attempt++) {
      this.emit({ type: 'story:phase', storyKey: s.key, phase: command, command, attempt, ...this.laneTag(cc) });
      const rec = await this.invokeWithRecovery(cc.batch, {
        ...this.laneSpec(cc),
        key: `${cc.prefix}/${command}/${s.key}/a${attempt}`,
        cycle: cc.cycle,
        command,
        stories: [s],
        attempt,
        promptExtras: this.techSpecVariables(cc),
        requireMarkers: (out) =>
          parseCriticalIssuesFound(out) === undefined ? 'the output has no [CRITICAL-ISSUES-FOUND: YES|NO] marker' : undefined,
      });
      if (!rec) {
        await this.setStatus(cc, s, 'blocked', `${commandLabel(command, attempt)} failed ${this.deps.settings.maxConsecutiveFailures} times in a row`);
        return;
      }
      if (parseCriticalIssuesFound(rec.outputText) === false) return;
      if (attempt === max) {
        this.warn(`${command} of ${s.key}: critical issues remain after ${max} reviews; continuing to the next phase (003 has no block here).`, {
          storyKey: s.key,
        });
      }
    }
  }

  // ------------------------------------------------------------------ step 4: dev + code review

  private async devAndCodeReviewPhase(cc: CycleContext): Promise<void> {
    for (const s of this.activeStories(cc)) {
      if (!cc.active.has(s.key)) continue;
      if (s.status !== 'review') {
        this.emit({ type: 'story:phase', storyKey: s.key, phase: 'dev-story', command: 'dev-story', ...this.laneTag(cc) });
        const rec = await this.invokeWithRecovery(cc.batch, {
          ...this.laneSpec(cc),
          key: `${cc.prefix}/dev-story/${s.key}`,
          cycle: cc.cycle,
          command: 'dev-story',
          stories: [s],
          attempt: 1,
          promptExtras: this.techSpecVariables(cc),
          afterSuccess: () => this.statusMovedCheck(cc, s, 'dev-story', ['review']),
        });
        if (!rec) {
          await this.setStatus(cc, s, 'blocked', `dev-story failed ${this.deps.settings.maxConsecutiveFailures} times in a row`);
          continue;
        }
      }
      await this.codeReviewLoop(cc, s);
    }
  }

  private async statusMovedCheck(cc: CycleContext, s: StoryRef, command: StepCommand, expected: string[]): Promise<string[]> {
    const now = (await cc.agentLedger.read()).stories.find((x) => x.key === s.key)?.status;
    if (now !== undefined && now !== s.status) this.emit({ type: 'story:status', storyKey: s.key, from: s.status, to: now, reason: command, ...this.laneTag(cc) });
    return now !== undefined && expected.includes(now)
      ? []
      : [`${command} left ${s.key} at "${now ?? 'missing'}" in ${cc.agentLedger.path} (expected ${expected.join(' or ')}).`];
  }

  /**
   * 003 step 4, checks in 003's order after each review. With quality gates (issue 7): the gates run
   * after dev-story and after every review round (its fixes); their failures go into the next review's
   * prompt, and a review that would mark the story done does not while a gate fails (the loop goes on;
   * the hard limit still blocks).
   */
  private async codeReviewLoop(cc: CycleContext, s: StoryRef): Promise<void> {
    const { maxCodeReviews, maxConsecutiveFailures } = this.deps.settings;
    const patterns: string[][] = [];
    let gates = await this.runGates(cc, s, 1);
    for (let attempt = 1; attempt <= maxCodeReviews; attempt++) {
      this.emit({ type: 'story:phase', storyKey: s.key, phase: 'code-review', command: 'code-review', attempt, ...this.laneTag(cc) });
      const rec = await this.invokeWithRecovery(cc.batch, {
        ...this.laneSpec(cc),
        key: `${cc.prefix}/code-review/${s.key}/a${attempt}`,
        cycle: cc.cycle,
        command: 'code-review',
        stories: [s],
        attempt,
        ...(gates ? { promptExtras: { quality_gates: formatGateFailuresForReview(gates) } } : {}),
        requireMarkers: (out) =>
          parseCodeReview(out).hasMarkers ? undefined : 'the output has none of ZERO ISSUES, "HIGHEST SEVERITY:" or "Issues: n CRITICAL, …"',
      });
      if (!rec) {
        await this.setStatus(cc, s, 'blocked', `code-review-${attempt} failed ${maxConsecutiveFailures} times in a row`);
        return;
      }
      const report = parseCodeReview(rec.outputText);
      patterns.push(findingsPattern(report.findings));
      if (attempt >= 3 && isRepeatedPattern(patterns.slice(-3))) {
        await this.setStatus(cc, s, 'blocked', `the same findings came back in 3 consecutive code reviews: ${patterns[patterns.length - 1].join('; ')}`);
        return;
      }
      // The review may have changed code: the gates judge the tree it left (needed for a done exit, and
      // for the next review's prompt; not after the last review when it cannot end done anyway).
      const wouldBeDone = report.zeroIssues || (attempt >= 3 && !report.hasCritical);
      if (wouldBeDone || attempt < maxCodeReviews) gates = await this.runGates(cc, s, attempt + 1);
      const gatesFail = gates !== undefined && gates.some((g) => !g.ok);
      const failing = gatesFail ? ` while quality gates fail (${gates!.filter((g) => !g.ok).map((g) => g.name).join(', ')})` : '';
      if (report.zeroIssues) {
        if (!gatesFail) {
          await this.setStatus(cc, s, 'done', `code-review-${attempt}: ZERO ISSUES`);
          return;
        }
      } else if (attempt >= 3 && !report.hasCritical && !gatesFail) {
        await this.setStatus(cc, s, 'done', `code-review-${attempt}: no CRITICAL issues after ${attempt} reviews (non-critical may remain)`);
        return;
      }
      if (attempt >= maxCodeReviews) {
        await this.setStatus(cc, s, 'blocked', `hard limit: ${maxCodeReviews} code reviews without an exit${failing}`);
        return;
      }
    }
  }

  /** Quality gates before code-review `attempt` (journaled); undefined when none are configured. */
  private async runGates(cc: CycleContext, s: StoryRef, attempt: number): Promise<GateResult[] | undefined> {
    const configured = this.deps.settings.qualityGates ?? [];
    const port = this.deps.gates;
    if (!port || configured.length === 0) return undefined;
    const key = `${cc.prefix}/gates/${s.key}/a${attempt}`;
    const cwd = cc.lane?.cwd ?? this.deps.layout.root;
    const { result, replayed } = await this.runStep(cc.batch, key, async () => {
      this.emit({ type: 'story:phase', storyKey: s.key, phase: 'quality-gates', attempt, ...this.laneTag(cc) });
      const results = await port.run(configured, cwd, this.abort.signal);
      // Gates cut short by a stop are not a verdict: not journaled, they run again on resume.
      if (this.abort.signal.aborted) throw new Halt('stopped', this.stopReason ?? 'stopped while quality gates ran');
      return results;
    });
    cc.batch.report.gates(s.key, result);
    if (!replayed) {
      const ok = result.every((g) => g.ok);
      this.emit({
        type: 'gates:result',
        stepKey: key,
        storyKey: s.key,
        attempt,
        ok,
        results: result.map((g) => ({
          name: g.name,
          ok: g.ok,
          exitCode: g.exitCode,
          durationMs: g.durationMs,
          output: g.output,
          ...(g.timedOut ? { timedOut: true } : {}),
          ...(g.error ? { error: g.error } : {}),
        })),
        ...this.laneTag(cc),
      });
      if (!ok) {
        this.warn(`Quality gates failed for ${s.key} before code-review-${attempt}: ${result.filter((g) => !g.ok).map((g) => `${g.name} (${g.error ?? `exit ${g.exitCode}`})`).join(', ')}; the output goes to the review.`, {
          storyKey: s.key,
          stepKey: key,
        });
      }
    }
    return result;
  }

  // ------------------------------------------------------------------------ step 4c: commit

  private async batchCommitPhase(cc: CycleContext): Promise<void> {
    const completed = cc.stories.filter((s) => cc.done.has(s.key));
    if (completed.length === 0) {
      this.warn(`Cycle ${cc.cycle}: every story is blocked; batch-commit skipped.`, cc.lane ? { storyKey: cc.lane.storyKey } : {});
      return;
    }
    const expected = {
      epicId: joinEpics(completed),
      storyIds: completed.map((s) => s.shortId),
      storyKeys: completed.map((s) => s.key),
    };
    const git = this.deps.git;
    const cwd = cc.lane?.cwd ?? this.deps.layout.root;
    if (this.deps.settings.commitMode === 'engine') {
      if (!git || !cc.before) {
        throw new Halt('failed', `commitMode "engine" needs a git repository with at least one commit at ${cwd}. Fix: run "git init" and commit once, or set the commit mode to "agent".`);
      }
      await this.engineCommit(cc, git, cc.before, completed, expected, cwd);
      return;
    }
    const rec = await this.invokeWithRecovery(cc.batch, {
      ...this.laneSpec(cc),
      key: `${cc.prefix}/batch-commit`,
      cycle: cc.cycle,
      command: 'batch-commit',
      stories: completed,
      attempt: 1,
      promptExtras: { completed_story_ids: completed.map((s) => s.shortId).join(',') },
    });
    if (!rec) {
      for (const s of completed) {
        await this.setStatus(cc, s, 'blocked', `batch-commit failed ${this.deps.settings.maxConsecutiveFailures} times in a row; the work is done but not committed`, '/commit');
      }
      return;
    }
    if (!git || !cc.before) return;
    // Verified instead of believed: a new commit on the branch, the 003 message, some changes.
    const key = `${cc.prefix}/verify-commit`;
    const before = cc.before;
    const { result, replayed } = await this.runStep(cc.batch, key, async (): Promise<CommitCheck> => {
      try {
        return await git.verifyBatchCommit(cwd, before, expected);
      } catch (err) {
        return { ok: false, reason: 'git-error', detail: err instanceof Error ? err.message : String(err) };
      }
    });
    this.commitOutcome(cc, key, 'agent', completed, result, replayed);
  }

  private async engineCommit(
    cc: CycleContext,
    git: GitPort,
    before: GitSnapshot,
    completed: StoryRef[],
    expected: { epicId: string; storyIds: string[]; storyKeys: string[] },
    cwd: string,
  ): Promise<void> {
    const key = `${cc.prefix}/engine-commit`;
    // A refused commit (a dirty tree the engine did not expect) is not journaled: the batch pauses and
    // the step runs again on resume, after the user cleaned up.
    let refusal: CommitCheck | undefined;
    const { result, replayed } = await this.runStep(cc.batch, key, async (): Promise<CommitCheck> => {
      let r: CommitCheck;
      try {
        r = await git.engineCommit(cwd, before, {
          ...expected,
          artifactsDir: cc.layout.implementationArtifacts,
          // The engine's files changed during the cycle. In a lane they are committed there too and undone
          // by the lane module before the merge (their lane copies stay in the lane's history).
          extraPaths: [cc.agentLedger.path, `${cc.layout.root}/${PROGRESS_LOG_FILE}`],
        });
      } catch (err) {
        r = { ok: false, reason: 'git-error', detail: err instanceof Error ? err.message : String(err) };
      }
      if (!r.ok && r.reason !== 'nothing-to-commit') {
        refusal = r;
        throw new Halt('paused', `engine commit refused (${r.reason}): ${r.detail}`);
      }
      return r;
    }).catch((err: unknown) => {
      if (refusal) this.commitOutcome(cc, key, 'engine', completed, refusal, false);
      throw err;
    });
    this.commitOutcome(cc, key, 'engine', completed, result, replayed);
  }

  /** Events, report and warnings for a checked or made batch commit (replays only feed the report). */
  private commitOutcome(cc: CycleContext, key: string, mode: 'agent' | 'engine', stories: StoryRef[], r: CommitCheck, replayed: boolean): void {
    const storyKeys = stories.map((s) => s.key);
    cc.batch.report.commit(storyKeys, r, mode, cc.lane);
    if (replayed) return;
    const tag = this.laneTag(cc);
    if (r.ok) {
      this.emit({ type: 'commit:verified', stepKey: key, cycle: cc.cycle, storyKeys, mode, sha: r.sha, message: r.message, files: r.files.length, ...tag });
      if (r.leftUncommitted?.length) this.warn(`Batch commit ${r.sha.slice(0, 12)} left changes of the cycle uncommitted: ${r.leftUncommitted.join(', ')}`, { stepKey: key });
      if (r.includedPreexisting?.length) {
        this.warn(`Batch commit ${r.sha.slice(0, 12)} includes files that had uncommitted changes before the cycle started: ${r.includedPreexisting.join(', ')}`, { stepKey: key });
      }
      return;
    }
    this.emit({ type: 'commit:failed', stepKey: key, cycle: cc.cycle, storyKeys, mode, reason: r.reason, detail: r.detail, ...(r.paths?.length ? { paths: r.paths } : {}), ...tag });
    const what = mode === 'agent' ? 'The batch-commit agent reported success, but the commit is not right' : 'The engine could not make the batch commit';
    this.emit({ type: 'error', message: `${what} (${r.reason}): ${r.detail}`, stepKey: key, ...(storyKeys.length === 1 ? { storyKey: storyKeys[0] } : {}), ...tag });
  }

  /** The git snapshot a cycle's commit is checked against (journaled: a resumed cycle reuses it). */
  private async gitSnapshot(cc: CycleContext, cwd: string): Promise<GitSnapshot | null> {
    const git = this.deps.git;
    if (!git) return null;
    const key = `${cc.prefix}/git-snapshot`;
    const { result, replayed } = await this.runStep(cc.batch, key, async (): Promise<{ snapshot: GitSnapshot | null; problem?: string }> => {
      try {
        return { snapshot: await git.snapshot(cwd) };
      } catch (err) {
        return { snapshot: null, problem: err instanceof Error ? err.message : String(err) };
      }
    });
    if (!replayed && result.problem) {
      this.warn(`Git is not usable in ${cwd}, so this cycle's commit cannot be verified: ${result.problem}`, { stepKey: key });
    }
    return result.snapshot;
  }

  private laneSpec(cc: CycleContext): Pick<AgentStepSpec, 'lane' | 'layout'> {
    return cc.lane ? { lane: cc.lane, layout: cc.layout } : {};
  }

  private laneTag(cc: CycleContext): { lane?: string } {
    return laneField(cc.lane);
  }

  // --------------------------------------------------------- parallel mode (opt-in, seed 004)

  /** Checks the settings and reconciles the lanes with git after a crash (deletes nothing). */
  private async prepareParallel(): Promise<void> {
    const max = this.deps.settings.maxParallel ?? 1;
    if (!Number.isInteger(max) || max < 2 || max > MAX_PARALLEL_LIMIT) {
      throw new Halt('failed', `maxParallel must be a whole number from 1 to ${MAX_PARALLEL_LIMIT}, got ${max}. Fix: set it to 1 (one story pair at a time, 003) or 2..${MAX_PARALLEL_LIMIT}.`);
    }
    const lanes = this.deps.lanes;
    if (!lanes) {
      throw new Halt('failed', `maxParallel ${max} runs stories in git worktrees, but ${this.deps.layout.root} is not in a git repository with a commit. Fix: run "git init" and commit once, or set maxParallel to 1.`);
    }
    let recovered;
    try {
      recovered = await lanes.recover();
    } catch (err) {
      throw new Halt('failed', `Could not prepare the parallel lanes: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (const l of recovered) {
      if (l.uncommittedFiles.length > 0 && l.state !== 'merged') {
        this.warn(`Lane of ${l.storyKey} (${l.cwd}) has uncommitted files from an interrupted step: ${l.uncommittedFiles.join(', ')}; the step runs again there.`, { storyKey: l.storyKey });
      }
    }
  }

  /**
   * One parallel cycle: up to maxParallel independent stories (planParallelLanes), each running every
   * phase of 003 for itself in its own worktree at the same time; when all of them have finished, the
   * done ones merge into the sprint branch one at a time, in plan order.
   */
  private async runParallelCycle(ctx: BatchContext, cycle: number): Promise<boolean> {
    const startWith = cycle === 1 ? ctx.batch.options.startWith : undefined;
    const { result: plan, replayed } = await this.runStep(ctx, `c${cycle}/lane-plan`, () => this.planLanes(startWith));
    if (plan.stories.length === 0) return false;
    const keys = plan.stories.map((s) => s.key);
    for (const s of plan.stories) ctx.report.story(s);
    this.emit({ type: 'cycle:start', batchId: ctx.batch.id, cycle, maxCycles: ctx.batch.options.maxCycles, storyKeys: keys, epicId: joinEpics(plan.stories) });
    if (!replayed) {
      for (const s of plan.stories) await this.deps.store.upsertStory(ctx.batch.id, s.key, s.epicId, { status: s.status, startedAt: this.clock.now() });
    }
    const settled = await Promise.allSettled(
      plan.stories.map((s) =>
        this.runLane(ctx, cycle, s).catch((err: unknown) => {
          // One lane ending the batch (pause, permanent failure): the other lanes finish the step they
          // are in and start no new one, as a pause does; the first reason is the batch's.
          if (this.pauseReason === undefined && this.stopReason === undefined) this.pauseReason = err instanceof Error ? err.message : String(err);
          throw err;
        }),
      ),
    );
    const rejected = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    const severity = (e: unknown): number => (e instanceof Halt ? { paused: 0, stopped: 1, failed: 2 }[e.status] : 3);
    if (rejected.length > 0) throw rejected.reduce((a, b) => (severity(b) > severity(a) ? b : a));
    const lanes = settled.map((r) => (r as PromiseFulfilledResult<CycleContext>).value);
    for (const lc of lanes) {
      for (const s of lc.stories) if (lc.done.has(s.key)) await this.mergeLane(lc, s);
    }
    ctx.cyclesCompleted = cycle;
    await this.deps.store.updateBatch(ctx.batch.id, { cyclesCompleted: cycle });
    this.emit({
      type: 'cycle:end',
      batchId: ctx.batch.id,
      cycle,
      storyKeys: keys,
      done: lanes.flatMap((lc) => [...lc.done]),
      blocked: lanes.flatMap((lc) => [...lc.blocked]),
    });
    return true;
  }

  private async planLanes(startWith: string | undefined): Promise<{ stories: StoryRef[] }> {
    const snapshot = await this.deps.ledger.read();
    const ref = (st: LedgerSnapshot['stories'][number]): StoryRef => ({ key: st.key, shortId: st.shortId, epicId: st.epicId, status: st.status });
    const first = startWith !== undefined ? snapshot.stories.find((x) => x.key === startWith && x.status !== 'done' && x.status !== 'blocked') : undefined;
    const plan = planParallelLanes({
      ledger: snapshot,
      maxParallel: this.deps.settings.maxParallel ?? 1,
      running: first ? [first.key] : [],
      independent: this.deps.settings.independentStories ?? [],
    });
    return { stories: [...(first ? [ref(first)] : []), ...plan.start.map(ref)] };
  }

  /** Every phase of one story in its lane. `done` waits for the merge (deferDone). */
  private async runLane(ctx: BatchContext, cycle: number, s: StoryRef): Promise<CycleContext> {
    const lanes = this.deps.lanes!;
    const prefix = `c${cycle}/${s.key}`;
    const { result: lane, replayed } = await this.runStep(ctx, `${prefix}/lane`, () => lanes.prepare(s.key));
    const layout = rebaseLayout(this.deps.layout, lane.cwd);
    const lc: CycleContext = {
      batch: ctx,
      cycle,
      prefix,
      layout,
      agentLedger: new SprintLedger(layout.ledgerPath, this.deps.fs),
      lane,
      deferDone: true,
      before: null,
      doneReason: new Map(),
      epicId: s.epicId,
      stories: [s],
      active: new Set([s.key]),
      done: new Set(),
      blocked: new Set(),
      decisions: {},
    };
    if (!replayed) this.emit({ type: 'lane:state', storyKey: s.key, state: 'started', branch: lane.branch, cwd: lane.cwd, lane: s.key });
    ctx.report.lane(s.key, lane.branch, 'started');
    if (!(await this.deps.fs.exists(layout.ledgerPath))) {
      await this.setStatus(lc, s, 'blocked', `parallel mode needs ${this.deps.ledger.path} committed to git: the lane ${lane.cwd} has no copy of it`);
      return lc;
    }
    lc.before = await this.gitSnapshot(lc, lane.cwd);
    await this.createStoryPhase(lc);
    await this.storyReviewPhase(lc);
    await this.techSpecPhase(lc);
    await this.devAndCodeReviewPhase(lc);
    await this.batchCommitPhase(lc);
    return lc;
  }

  /** Merges a done lane into the sprint branch; a conflict parks the story as blocked, its branch kept. */
  private async mergeLane(lc: CycleContext, s: StoryRef): Promise<void> {
    const lanes = this.deps.lanes!;
    const lane = lc.lane!;
    const key = `${lc.prefix}/merge`;
    const { result: r, replayed } = await this.runStep(lc.batch, key, async (): Promise<LaneMerge> => {
      try {
        return await lanes.merge(s.key);
      } catch (err) {
        return { status: 'failed', branch: lane.branch, cwd: lane.cwd, detail: err instanceof Error ? err.message : String(err) };
      }
    });
    const tag = { lane: s.key };
    lc.deferDone = false;
    if (r.status === 'merged') {
      lc.batch.report.lane(s.key, r.branch, `merged into ${lanes.sprintBranch}${r.fastForward ? ' (fast-forward)' : ''}`);
      if (r.sha) lc.batch.report.mergeCommit(s.key, r.sha, `${r.fastForward ? 'fast-forward of' : 'merge of'} ${r.branch} into ${lanes.sprintBranch}`);
      if (!replayed) this.emit({ type: 'lane:state', storyKey: s.key, state: 'merged', branch: r.branch, ...(r.note ? { detail: r.note } : {}), ...tag });
      await this.setStatus(lc, s, 'done', lc.doneReason.get(s.key) ?? `merged into ${lanes.sprintBranch}`);
      return;
    }
    const reason =
      r.status === 'conflict'
        ? `merge conflict: ${r.files.join(', ')} (branch ${r.branch} and worktree ${r.cwd} kept; resolve it there, then resume the story)`
        : r.status === 'uncommitted'
          ? `work left uncommitted in the lane ${r.cwd}: ${r.files.join(', ')} (branch ${r.branch} kept; commit it there, then resume the story)`
          : `merging ${r.branch} into ${lanes.sprintBranch} failed: ${r.detail}`;
    lc.batch.report.lane(s.key, r.branch, r.status === 'conflict' ? `conflict: ${r.files.join(', ')}` : r.status);
    if (!replayed) {
      this.emit({
        type: 'lane:state',
        storyKey: s.key,
        state: r.status,
        branch: r.branch,
        cwd: r.cwd,
        ...(r.status === 'conflict' || r.status === 'uncommitted' ? { files: r.files } : {}),
        ...(r.status === 'conflict' || r.status === 'failed' ? { detail: r.detail } : {}),
        ...tag,
      });
    }
    await this.setStatus(lc, s, 'blocked', reason);
  }

  private async mergeSprintIntoBase(ctx: BatchContext): Promise<void> {
    const lanes = this.deps.lanes!;
    const r = await lanes.mergeSprintIntoBase().catch((err: unknown) => ({ ok: false, detail: err instanceof Error ? err.message : String(err) }));
    if (r.ok) ctx.report.note(`${lanes.sprintBranch} merged into the base branch: ${r.detail}`);
    else {
      ctx.report.note(`${lanes.sprintBranch} was not merged into the base branch: ${r.detail}`);
      this.warn(`The sprint is complete but ${lanes.sprintBranch} was not merged into the base branch: ${r.detail}`);
    }
  }

  // ------------------------------------------------------------------------ sprint report

  private async writeSprintReport(ctx: BatchContext, status: BatchStatus, reason: string | undefined, endedAt: number): Promise<void> {
    if (this.deps.settings.sprintReport !== true) return;
    const file = `${this.deps.layout.implementationArtifacts}/${sprintReportFileName(ctx.runId, ctx.batch.id)}`;
    try {
      const [costs, commands] = await Promise.all([this.deps.store.costsByStory(ctx.batch.id), this.deps.store.listCommands({ batchId: ctx.batch.id })]);
      const input = ctx.report.build(
        {
          runId: ctx.runId,
          batchId: ctx.batch.id,
          startedAt: ctx.batch.startedAt,
          endedAt,
          status: reason ? `${status}: ${reason}` : status,
          cyclesCompleted: ctx.cyclesCompleted,
        },
        costs,
        commands,
      );
      await this.deps.fs.writeTextAtomic(file, renderSprintReport(input));
      this.emit({ type: 'report:written', path: file });
    } catch (err) {
      this.warn(`The sprint report ${file} could not be written: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  // ------------------------------------------------------------------------ ledger writes

  /** The engine's only ledger writes: done and blocked (journaled, so a replay never writes twice). */
  private async setStatus(cc: CycleContext, s: StoryRef, status: 'done' | 'blocked', reason: string, keySuffix = ''): Promise<void> {
    if (status === 'done' && cc.deferDone) {
      // Parallel mode: the story is done in its lane; the ledger says so once the lane merged.
      cc.active.delete(s.key);
      cc.done.add(s.key);
      cc.doneReason.set(s.key, reason);
      return;
    }
    const key = `${cc.prefix}/set-status/${s.key}${keySuffix}`;
    const { result, replayed } = await this.runStep(cc.batch, key, async (): Promise<SetStatusRecord> => {
      const written = await this.deps.ledger.setStatus(s.key, status);
      const at = this.clock.now();
      // A re-run after a crash between the ledger write and the journal finds the status already set:
      // the status before it is the one the first run recorded (its block row), not the one it wrote.
      const earlierBlock = written.previous === status && status === 'blocked' ? await this.deps.store.openBlock(s.key) : undefined;
      const previous = earlierBlock?.previousStatus ?? written.previous;
      if (status === 'blocked' && !earlierBlock) await this.deps.store.recordBlock({ storyKey: s.key, previousStatus: previous, reason, blockedAt: at });
      await this.deps.store.upsertStory(cc.batch.batch.id, s.key, s.epicId, { status, endedAt: at });
      this.emit({ type: 'story:status', storyKey: s.key, from: previous, to: status, reason, ...this.laneTag(cc) });
      if (status === 'blocked') this.emit({ type: 'error', message: `Story ${s.key} blocked: ${reason}`, storyKey: s.key, stepKey: key, ...this.laneTag(cc) });
      return { storyKey: s.key, status, previous, reason };
    });
    if (replayed) await this.deps.store.upsertStory(cc.batch.batch.id, s.key, s.epicId, { status: result.status });
    cc.batch.report.status(s.key, result.status, result.reason);
    cc.active.delete(s.key);
    if (result.status === 'done') {
      cc.blocked.delete(s.key);
      cc.done.add(s.key);
      if (!cc.batch.storiesDone.includes(s.key)) cc.batch.storiesDone.push(s.key);
    } else {
      cc.done.delete(s.key);
      cc.blocked.add(s.key);
      cc.batch.storiesDone = cc.batch.storiesDone.filter((k) => k !== s.key);
      if (!cc.batch.storiesBlocked.includes(s.key)) cc.batch.storiesBlocked.push(s.key);
    }
  }

  // ------------------------------------------------------------------------ agent steps

  /**
   * 003 step 5: a failed invocation is re-run at once (`<key>`, `<key>/r2`, `<key>/r3`); the
   * maxConsecutiveFailures-th failure in a row returns undefined and the caller blocks the stories.
   */
  private async invokeWithRecovery(ctx: BatchContext, spec: AgentStepSpec): Promise<AgentStepRecord | undefined> {
    const max = Math.max(1, this.deps.settings.maxConsecutiveFailures);
    for (let run = 1; run <= max; run++) {
      const key = run === 1 ? spec.key : `${spec.key}/r${run}`;
      const { result, replayed } = await this.runStep(ctx, key, () => this.invokeAgent(ctx, { ...spec, key }));
      ctx.agentResults.push(toAgentResult(result));
      if (replayed) {
        this.emit({
          type: 'command:end',
          stepKey: key,
          cycle: spec.cycle,
          command: spec.command,
          attempt: spec.attempt,
          storyKeys: result.storyKeys,
          outcome: result.outcome,
          durationMs: 0,
          ...(result.usage ? { usage: result.usage } : {}),
          replayed: true,
          ...laneField(spec.lane),
        });
      }
      if (result.outcome === 'success') {
        for (const d of result.deferredItems) if (!ctx.deferredItems.includes(d)) ctx.deferredItems.push(d);
        ctx.report.deferred(result.storyKeys, result.deferredItems);
        return result;
      }
      if (!replayed) {
        const storyKey = spec.stories.length === 1 ? spec.stories[0].key : undefined;
        const label = commandLabel(spec.command, spec.attempt);
        this.emit({
          type: 'error',
          message: `${label} failed (${run}/${max} in a row): ${result.message ?? result.errorClass ?? 'agent failure'}${run < max ? '; re-running it' : ''}`,
          stepKey: key,
          ...(storyKey ? { storyKey } : {}),
        });
      }
    }
    return undefined;
  }

  private model(command: StepCommand, attempt: number): string | undefined {
    const { settings } = this.deps;
    return REVIEW_MAX[command] !== undefined && attempt >= settings.cheapModelFromAttempt ? settings.reviewModel : settings.defaultModel;
  }

  private async renderFor(spec: AgentStepSpec): Promise<string> {
    const layout = spec.layout ?? this.deps.layout;
    const prompt = await this.deps.prompts.load(spec.command);
    const keys = spec.stories.map((s) => s.key).join(',');
    const ids = spec.stories.map((s) => s.shortId).join(',');
    const vars: PromptVariables = {
      story_key: keys,
      story_keys: keys,
      story_id: ids,
      story_ids: ids,
      epic_id: joinEpics(spec.stories),
      implementation_artifacts: layout.implementationArtifacts,
      planning_artifacts: layout.planningArtifacts,
      project_context_file: layout.projectContextPath,
      ledger_file: this.deps.layout.ledgerPath,
      review_attempt: String(spec.attempt),
      command: commandLabel(spec.command, spec.attempt),
      tech_spec_needed: 'false',
      tech_spec_decisions: '',
      completed_story_ids: ids,
      quality_gates: '',
      ...spec.promptExtras,
    };
    return renderPrompt(prompt.text, vars, prompt.path);
  }

  private env(ctx: BatchContext, spec: AgentStepSpec): Record<string, string> {
    return {
      ...this.deps.env,
      SPRINT_RUNNER_COMMAND: spec.command,
      SPRINT_RUNNER_STORY_KEYS: spec.stories.map((s) => s.key).join(','),
      SPRINT_RUNNER_STORY_IDS: spec.stories.map((s) => s.shortId).join(','),
      SPRINT_RUNNER_EPIC_ID: joinEpics(spec.stories),
      SPRINT_RUNNER_ATTEMPT: String(spec.attempt),
      SPRINT_RUNNER_RUN_ID: ctx.runId,
      SPRINT_RUNNER_COMMAND_LABEL: commandLabel(spec.command, spec.attempt),
      SPRINT_RUNNER_ARTIFACTS: (spec.layout ?? this.deps.layout).implementationArtifacts,
    };
  }

  /** One agent step: transient retries with backoff inside it, markers and hooks checked, command rows stored. */
  private async invokeAgent(ctx: BatchContext, spec: AgentStepSpec): Promise<AgentStepRecord> {
    const { store, settings } = this.deps;
    let prompt: string;
    try {
      prompt = await this.renderFor(spec);
    } catch (err) {
      throw new Halt('failed', err instanceof Error ? err.message : String(err));
    }
    const agent: Agent = this.deps.agents.get(spec.command);
    const model = this.model(spec.command, spec.attempt);
    const storyKeys = spec.stories.map((s) => s.key);
    const epicId = joinEpics(spec.stories);
    const label = commandLabel(spec.command, spec.attempt);
    const stepInfo: StepInfo = { stepKey: spec.key, command: spec.command, storyKeys, attempt: spec.attempt, cycle: spec.cycle };

    for (let retry = 0; ; retry++) {
      const startedAt = this.clock.now();
      this.emit({ type: 'command:start', stepKey: spec.key, cycle: spec.cycle, command: spec.command, attempt: spec.attempt, storyKeys, epicId, ...(model ? { model } : {}), ...laneField(spec.lane) });
      const commandId = await store.startCommand({ batchId: ctx.batch.id, stepKey: spec.key, cycle: spec.cycle, command: spec.command, attempt: spec.attempt, storyKeys, epicId, model, startedAt });
      let result: AgentResult;
      try {
        result = await agent.execute({
          runId: ctx.runId,
          batchId: ctx.batch.id,
          cycle: spec.cycle,
          stepKey: spec.key,
          command: spec.command,
          storyKeys,
          epicId,
          attempt: spec.attempt,
          ...(model ? { model } : {}),
          prompt,
          ...(settings.systemPrompt ? { systemPrompt: settings.systemPrompt } : {}),
          cwd: spec.lane?.cwd ?? this.deps.layout.root,
          env: this.env(ctx, spec),
          signal: this.abort.signal,
          onActivity: (a) => this.forwardActivity(spec, storyKeys, a),
        });
      } catch (err) {
        // An agent that throws broke its contract; treat it as a failed invocation, not a crash of the batch.
        result = { outcome: 'agent-failure', outputText: '', message: err instanceof Error ? err.message : String(err), errorClass: 'agent-threw', deferredItems: [] };
      }
      if (this.abort.signal.aborted && result.outcome !== 'success') result = { ...result, outcome: 'cancelled' };

      if (result.outcome === 'success') {
        const missing = spec.requireMarkers?.(result.outputText);
        if (missing) result = { ...result, outcome: 'agent-failure', errorClass: 'missing-marker', message: `${label}: ${missing}` };
      }
      if (result.outcome === 'success') {
        for (const hook of this.deps.hooks ?? []) {
          const verdict = await hook.validate(stepInfo, result);
          if (!verdict.ok) {
            result = { ...result, outcome: 'agent-failure', errorClass: 'hook', message: `${label} rejected by a hook: ${verdict.reason}` };
            break;
          }
        }
      }
      const durationMs = this.clock.now() - startedAt;
      await store.finishCommand(commandId, {
        endedAt: this.clock.now(),
        outcome: result.outcome,
        ...(result.usage ? { usage: result.usage } : {}),
        outputSummary: summarise(result.outcome === 'success' ? result.outputText : result.message ?? result.outputText),
        ...(result.logFile ? { logPath: result.logFile } : {}),
      });
      this.emit({
        type: 'command:end',
        stepKey: spec.key,
        cycle: spec.cycle,
        command: spec.command,
        attempt: spec.attempt,
        storyKeys,
        outcome: result.outcome,
        durationMs,
        ...(result.usage ? { usage: result.usage } : {}),
        ...(result.message ? { message: result.message } : {}),
        ...laneField(spec.lane),
      });
      await this.checkBudgets(ctx, storyKeys);

      if (result.outcome === 'transient') {
        const { maxRetries, baseDelayMs, maxDelayMs } = settings.transientRetry;
        if (retry >= maxRetries) {
          const why = `${label}: transient failures persisted after ${maxRetries} retries (${result.message ?? result.errorClass ?? 'transient'}); resume when the service is back`;
          if (spec.background) return this.record(spec, model, { ...result, outcome: 'agent-failure', message: why });
          throw new Halt('paused', why);
        }
        const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
        this.warn(`${label}: transient failure (${result.message ?? result.errorClass ?? 'transient'}); retry ${retry + 1}/${maxRetries} in ${Math.round(delay / 1000)} s`, {
          stepKey: spec.key,
        });
        await this.sleep(delay, this.abort.signal);
        if (this.stopReason !== undefined) throw new Halt('stopped', this.stopReason);
        continue;
      }
      if (result.outcome === 'cancelled') throw new Halt('stopped', this.stopReason ?? `${label} was cancelled`);
      if (result.outcome === 'permanent') {
        const why = result.message ?? `${label} failed permanently (${result.errorClass ?? 'unknown cause'})`;
        this.emit({ type: 'error', message: why, stepKey: spec.key, permanent: true });
        if (spec.background) return this.record(spec, model, { ...result, outcome: 'agent-failure' });
        throw new Halt('failed', why);
      }

      const warnings = result.outcome === 'success' && spec.afterSuccess ? await spec.afterSuccess() : [];
      for (const w of warnings) this.warn(w, { stepKey: spec.key, ...(storyKeys.length === 1 ? { storyKey: storyKeys[0] } : {}) });
      if (result.outcome === 'success' && result.deferredItems.length > 0) {
        await appendDeferredItems(this.deps.fs, `${this.deps.layout.implementationArtifacts}/deferred-items.md`, result.deferredItems, {
          storyIds: spec.stories.map((s) => s.shortId),
          commandLabel: label,
          batchId: ctx.batch.id,
        });
      }
      return this.record(spec, model, result);
    }
  }

  private record(spec: AgentStepSpec, model: string | undefined, r: AgentResult): AgentStepRecord {
    return {
      kind: 'agent',
      command: spec.command,
      storyKeys: spec.stories.map((s) => s.key),
      attempt: spec.attempt,
      ...(model ? { model } : {}),
      outcome: r.outcome,
      outputText: r.outputText,
      ...(r.message !== undefined ? { message: r.message } : {}),
      ...(r.errorClass !== undefined ? { errorClass: r.errorClass } : {}),
      ...(r.usage ? { usage: r.usage } : {}),
      deferredItems: r.deferredItems,
      ...(r.logFile ? { logFile: r.logFile } : {}),
      ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
      ...(r.signal !== undefined ? { signal: r.signal } : {}),
    };
  }

  private forwardActivity(spec: AgentStepSpec, storyKeys: string[], a: AgentActivity): void {
    switch (a.kind) {
      case 'progress':
        this.emit({ type: 'command:progress', stepKey: spec.key, command: spec.command, storyKeys, row: a.row, ...laneField(spec.lane) });
        return;
      case 'output':
        this.emit({ type: 'command:output', stepKey: spec.key, command: spec.command, attempt: spec.attempt, storyKeys, line: a.line, ...laneField(spec.lane) });
        return;
      case 'warning':
        this.warn(a.message, { stepKey: spec.key });
        return;
      case 'retry':
        this.emit({
          type: 'command:output',
          stepKey: spec.key,
          command: spec.command,
          attempt: spec.attempt,
          storyKeys,
          line: `API retry ${a.attempt}${a.maxRetries ? `/${a.maxRetries}` : ''}${a.error ? `: ${a.error}` : ''}`,
        });
        return;
      case 'session':
        return;
    }
  }

  /** After each command: crossing a story or batch budget emits budget:reached and pauses the batch. */
  private async checkBudgets(ctx: BatchContext, storyKeys: string[]): Promise<void> {
    const budgets = this.deps.settings.budgets;
    if (!budgets) return;
    if (budgets.perBatchUsd !== undefined) {
      const spent = (await this.deps.store.costs({ batchId: ctx.batch.id })).costUsd;
      if (spent >= budgets.perBatchUsd && this.pauseReason === undefined) {
        this.emit({ type: 'budget:reached', scope: 'batch', limitUsd: budgets.perBatchUsd, spentUsd: spent });
        this.requestPause(`batch budget reached: $${spent.toFixed(2)} of $${budgets.perBatchUsd.toFixed(2)}`);
      }
    }
    if (budgets.perStoryUsd !== undefined) {
      for (const storyKey of storyKeys) {
        const spent = (await this.deps.store.costs({ storyKey })).costUsd;
        if (spent >= budgets.perStoryUsd && this.pauseReason === undefined) {
          this.emit({ type: 'budget:reached', scope: 'story', storyKey, limitUsd: budgets.perStoryUsd, spentUsd: spent });
          this.requestPause(`story budget reached for ${storyKey}: $${spent.toFixed(2)} of $${budgets.perStoryUsd.toFixed(2)}`);
        }
      }
    }
  }

  private requestPause(reason: string): void {
    if (this.pauseReason !== undefined || this.stopReason !== undefined) return;
    this.pauseReason = reason;
    this.setState('pausing');
  }
}

/** Omit over each member of a union (plain Omit collapses a discriminated union). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The workspace's paths as the lane's worktree has them (paths outside the workspace stay as they are). */
function rebaseLayout(layout: WorkspaceLayout, laneRoot: string): WorkspaceLayout {
  const root = layout.root.replace(/[\\/]+$/, '');
  const move = (p: string): string => (p === root ? laneRoot : p.startsWith(`${root}/`) ? `${laneRoot}${p.slice(root.length)}` : p);
  return {
    ...layout,
    root: laneRoot,
    ledgerPath: move(layout.ledgerPath),
    implementationArtifacts: move(layout.implementationArtifacts),
    scriptsDir: move(layout.scriptsDir),
  };
}

/** The `lane` field of events that happened in a lane. */
function laneField(lane: LaneInfo | undefined): { lane?: string } {
  return lane ? { lane: lane.storyKey } : {};
}
