// The 003 workflow (steps 0a–6) executed by code, as a durable function: every agent invocation and
// every read of the world a decision depends on is a journaled step with a deterministic key
// (`c2/select`, `c2/code-review/<key>/a4`, …). A step with a recorded result is never executed again:
// resume replays the journal and continues at the first step without one. Everything else the engine
// computes is a pure function of those results, so a replay takes exactly the same decisions.
//
// This file is the batch and its cycle loop; each step of 003 lives in its own module:
//   0a project context → ProjectContextStep   1 select → here   2–4 story phases → StoryPhases
//   quality gates → QualityGateStep   4c batch commit → BatchCommit   5 agent steps → AgentSteps
//   parallel lanes → ParallelCycle   budgets → BudgetGuard   journal → StepJournal

import type { Event } from '../Emitter';
import { renderSprintReport } from '../report/renderSprintReport';
import type { LedgerSnapshot } from '../ledger/LedgerTypes';
import { selectNextStories } from '../ledger/selectNextStories';
import type { BatchMode, BatchStatus, RunState, SprintEvent } from '../SprintEvents';
import type { BatchRecord, RunOptionsRecord } from '../store/RunStore';
import type { CostForecast } from '../forecast/CostForecast';
import { batchCommitPhase, gitSnapshot } from './BatchCommit';
import { forecastAtStart, recordForecastVsActual } from './ForecastStep';
import { mergeSprintIntoBase, prepareParallel, runParallelCycle } from './ParallelCycle';
import { projectContextPhase } from './ProjectContextStep';
import { RunContext } from './RunContext';
import {
  canResumeBatch,
  DEFAULT_CYCLES,
  Halt,
  NothingToResumeError,
  type BatchContext,
  type CycleContext,
  type RunOptions,
  type RunResult,
  type SprintRunnerDeps,
  type StoryRef,
} from './RunTypes';
import { SprintReportCollector, sprintReportFileName } from './SprintReportCollector';
import { runStep } from './StepJournal';
import { runStoryPhases } from './StoryPhases';

export {
  canResumeBatch,
  DEFAULT_CYCLES,
  NothingToResumeError,
  RunInProgressError,
  type RunOptions,
  type RunResult,
  type SprintRunnerDeps,
  type StepHook,
  type StepInfo,
  type StepVerdict,
} from './RunTypes';

interface SelectRecord {
  stories: StoryRef[];
  epicId: string;
  skipped: { key: string; status: string }[];
}

function defaultRunId(): string {
  return `run-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
}

export class SprintRunner {
  private readonly context: RunContext;
  readonly onDidEmit: Event<SprintEvent>;

  constructor(private readonly deps: SprintRunnerDeps) {
    this.context = new RunContext(deps);
    this.onDidEmit = this.context.onDidEmit;
  }

  get state(): RunState {
    return this.context.state;
  }

  /** Starts a new batch and waits for its end. Records its options before its first step. */
  async run(options: RunOptions = {}, onProgress?: (e: SprintEvent) => void): Promise<RunResult> {
    const cycles = options.cycles ?? DEFAULT_CYCLES;
    if (cycles !== 'all' && (!Number.isInteger(cycles) || cycles < 1)) {
      throw new Error(`cycles must be a whole number ≥ 1 or "all", got ${String(cycles)}`);
    }
    this.context.begin(onProgress);
    try {
      const record: RunOptionsRecord = {
        batchMode: cycles === 'all' ? 'all' : 'fixed',
        maxCycles: cycles === 'all' ? null : cycles,
        ...(options.startWith !== undefined ? { startWith: options.startWith } : {}),
      };
      const runId = (this.deps.runId ?? defaultRunId)();
      const batch = await this.deps.store.createBatch({ runId, startedAt: this.context.clock.now(), options: record });
      return await this.execute(batch, false);
    } finally {
      this.context.finish();
    }
  }

  /** Continues the latest batch when it did not end completed/failed, with its recorded options. */
  async resume(onProgress?: (e: SprintEvent) => void): Promise<RunResult> {
    const latest = await this.deps.store.latestBatch();
    if (!latest) throw new NothingToResumeError('no batch was ever started in this state folder');
    if (!canResumeBatch(latest.status)) {
      throw new NothingToResumeError(`the latest batch (#${latest.id}) ended ${latest.status}`);
    }
    this.context.begin(onProgress);
    try {
      await this.deps.store.updateBatch(latest.id, { status: 'running', endedAt: null, reason: null });
      return await this.execute({ ...latest, status: 'running' }, true);
    } finally {
      this.context.finish();
    }
  }

  /** Lets the running step(s) finish and starts no new one; the batch ends `paused`. */
  pause(reason = 'paused by the user'): void {
    this.context.pause(reason);
  }

  /** Stops the agents (AbortSignal) and ends the batch `stopped`; the journal keeps everything finished. */
  cancel(reason: string): void {
    this.context.cancel(reason);
  }

  // ------------------------------------------------------------------------------------ batch

  private async execute(batch: BatchRecord, resumed: boolean): Promise<RunResult> {
    const run = this.context;
    const ctx: BatchContext = {
      batch,
      runId: batch.runId,
      startedAt: run.clock.now(),
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
    run.batchId = batch.id;
    const mode: BatchMode = batch.options.batchMode;
    const maxCycles = batch.options.maxCycles;
    run.emit({ type: 'batch:start', batchId: batch.id, runId: batch.runId, batchMode: mode, maxCycles, resumed });

    let status: BatchStatus = 'completed';
    let reason: string | undefined;
    let sprintComplete = false;
    let forecast: CostForecast | undefined;
    const parallel = (this.deps.settings.maxParallel ?? 1) > 1;
    try {
      forecast = await forecastAtStart(run, ctx);
      if (parallel) await prepareParallel(run);
      await projectContextPhase(run, ctx);
      for (let cycle = 1; mode === 'all' || maxCycles === null || cycle <= maxCycles; cycle++) {
        const ran = parallel ? await runParallelCycle(run, ctx, cycle) : await this.runCycle(ctx, cycle);
        if (!ran) {
          sprintComplete = true;
          break;
        }
      }
      await settleBackground(ctx);
      if (parallel && this.deps.settings.mergeSprintIntoBase && (sprintComplete || (await this.isSprintComplete()))) await mergeSprintIntoBase(run, ctx);
    } catch (err) {
      if (err instanceof Halt) {
        status = err.status;
        reason = err.reason;
      } else {
        status = 'failed';
        reason = err instanceof Error ? err.message : String(err);
        run.emit({ type: 'error', message: `The batch failed: ${reason}` });
      }
      if (status === 'stopped') run.abortAgents(reason);
      await settleBackground(ctx);
    }

    if (!sprintComplete) sprintComplete = await this.isSprintComplete();
    const endedAt = run.clock.now();
    await this.writeSprintReport(ctx, status, reason, endedAt);
    await recordForecastVsActual(run, ctx, forecast).catch((err: unknown) => run.warn(`The forecast could not be compared with the actual cost: ${err instanceof Error ? err.message : String(err)}`));
    await this.deps.store.updateBatch(batch.id, {
      status,
      cyclesCompleted: ctx.cyclesCompleted,
      endedAt,
      reason: reason ?? null,
    });
    const outcome = {
      status,
      cyclesCompleted: ctx.cyclesCompleted,
      storiesDone: ctx.storiesDone,
      storiesBlocked: ctx.storiesBlocked,
      sprintComplete,
      ...(reason !== undefined ? { reason } : {}),
    };
    run.emit({ type: 'batch:end', batchId: batch.id, ...outcome });
    await this.deps.store.checkpoint();
    run.setState(status === 'paused' ? 'paused' : 'idle');
    return {
      sprintId: this.deps.ledger.path,
      batchId: batch.id,
      success: status === 'completed',
      stepsCompleted: ctx.stepsCompleted,
      stepsTotal: ctx.stepsStarted,
      agentResults: ctx.agentResults,
      deferredItems: ctx.deferredItems,
      durationSeconds: (endedAt - ctx.startedAt) / 1000,
      ...outcome,
    };
  }

  private async isSprintComplete(): Promise<boolean> {
    try {
      const snapshot = await this.deps.ledger.read();
      return snapshot.stories.every((s) => s.status === 'done' || s.status === 'blocked');
    } catch {
      return false;
    }
  }

  // ----------------------------------------------------------------------------- the cycle

  /** One cycle (003 steps 1–4c). Returns false when there was nothing left to select (sprint complete). */
  private async runCycle(ctx: BatchContext, cycle: number): Promise<boolean> {
    const run = this.context;
    const startWith = cycle === 1 ? ctx.batch.options.startWith : undefined;
    const { result: selection, replayed } = await runStep(run, ctx, `c${cycle}/select`, () => this.select(startWith));
    if (selection.stories.length === 0) return false;
    if (!replayed) {
      for (const s of selection.skipped) {
        run.warn(`Story ${s.key} has an unknown status "${s.status}" in ${this.deps.ledger.path}; it is skipped. Fix the status by hand.`, {
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
    run.emit({ type: 'cycle:start', batchId: ctx.batch.id, cycle, maxCycles: ctx.batch.options.maxCycles, storyKeys: keys, epicId: selection.epicId });
    if (!replayed) {
      for (const s of selection.stories) {
        await this.deps.store.upsertStory(ctx.batch.id, s.key, s.epicId, { status: s.status, startedAt: run.clock.now() });
      }
    }
    cc.before = await gitSnapshot(run, cc, this.deps.layout.root);

    await runStoryPhases(run, cc);
    await batchCommitPhase(run, cc);

    ctx.cyclesCompleted = cycle;
    await this.deps.store.updateBatch(ctx.batch.id, { cyclesCompleted: cycle });
    run.emit({ type: 'cycle:end', batchId: ctx.batch.id, cycle, storyKeys: keys, done: [...cc.done], blocked: [...cc.blocked] });
    return true;
  }

  /** 003 step 1. An empty `stories` means every story is done or blocked (the journal never stores null). */
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
      this.context.emit({ type: 'report:written', path: file });
    } catch (err) {
      this.context.warn(`The sprint report ${file} could not be written: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** Waits for the background steps (the project-context refresh), including any they started. */
async function settleBackground(ctx: BatchContext): Promise<void> {
  while (ctx.background.length > 0) {
    const pending = ctx.background.splice(0);
    await Promise.allSettled(pending);
  }
}
