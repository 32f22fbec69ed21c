// The typed events the engine emits; front ends (CLI --json, tree, status bar, dashboard, webhook)
// subscribe to them. Every event is also stored as an `events` row.

import type { AgentOutcome, AgentUsage, ProgressRow } from './agent/AgentContract';
import type { StepCommand } from './commands';

export type BatchMode = 'fixed' | 'all';
export type RunState = 'idle' | 'running' | 'pausing' | 'paused' | 'stopping';
export type BatchStatus = 'running' | 'paused' | 'stopped' | 'completed' | 'failed';

/** Which agent step a command is: what the command:start event and the stored command row both say. */
export interface CommandStep {
  stepKey: string;
  cycle: number;
  command: StepCommand;
  attempt: number;
  storyKeys: string[];
  epicId: string;
  model?: string;
}

interface Base {
  /** Epoch milliseconds. */
  at: number;
  batchId?: number;
  /** Parallel mode: the story whose worktree ("lane") this event happened in. */
  lane?: string;
}

/** A quality gate's outcome as events carry it (output bounded by the gate runner). */
export interface GateOutcome {
  name: string;
  ok: boolean;
  exitCode: number | null;
  durationMs: number;
  timedOut?: boolean;
  error?: string;
  output: string;
}

export type SprintEvent =
  | (Base & { type: 'run:state'; state: RunState })
  | (Base & { type: 'batch:start'; batchId: number; runId: string; batchMode: BatchMode; maxCycles: number | null; resumed: boolean })
  | (Base & {
      type: 'batch:end';
      batchId: number;
      status: BatchStatus;
      cyclesCompleted: number;
      storiesDone: string[];
      storiesBlocked: string[];
      /** Why it ended when not completed (stop reason, permanent failure text, budget). */
      reason?: string;
      /** True when every story in the ledger is done or blocked. */
      sprintComplete: boolean;
    })
  | (Base & { type: 'cycle:start'; batchId: number; cycle: number; maxCycles: number | null; storyKeys: string[]; epicId: string })
  | (Base & { type: 'cycle:end'; batchId: number; cycle: number; storyKeys: string[]; done: string[]; blocked: string[] })
  | (Base & CommandStep & { type: 'command:start' })
  | (Base & { type: 'command:progress'; stepKey?: string; command: StepCommand | string; storyKeys: string[]; row: ProgressRow })
  /** A rendered line of the child's stream for output channels (not stored as an event row). */
  | (Base & { type: 'command:output'; stepKey: string; command: StepCommand; attempt: number; storyKeys: string[]; line: string })
  | (Base & {
      type: 'command:end';
      stepKey: string;
      cycle: number;
      command: StepCommand;
      attempt: number;
      storyKeys: string[];
      outcome: AgentOutcome;
      durationMs: number;
      usage?: AgentUsage;
      message?: string;
      /** True when the result came from the journal (resume), not from running the agent. */
      replayed?: boolean;
    })
  | (Base & { type: 'story:status'; storyKey: string; from?: string; to: string; reason?: string })
  | (Base & { type: 'story:phase'; storyKey: string; phase: string; command?: StepCommand; attempt?: number })
  | (Base & {
      type: 'context:status';
      /** missing → generating (wait); expired → refreshing (background); fresh; then done/failed. */
      status: 'missing' | 'expired' | 'fresh' | 'generating' | 'refreshing' | 'generated' | 'refreshed' | 'failed';
      path: string;
      message?: string;
    })
  | (Base & { type: 'budget:reached'; scope: 'story' | 'batch'; storyKey?: string; limitUsd: number; spentUsd: number })
  /** Step 4c checked: the agent's commit verified, or the engine's own commit made. */
  | (Base & { type: 'commit:verified'; stepKey: string; cycle: number; storyKeys: string[]; mode: 'agent' | 'engine'; sha: string; message: string; files: number })
  /** Step 4c not trusted: no commit, wrong message, empty, dirty tree the engine did not expect, … */
  | (Base & { type: 'commit:failed'; stepKey: string; cycle: number; storyKeys: string[]; mode: 'agent' | 'engine'; reason: string; detail: string; paths?: string[] })
  /**
   * The review point before step 4c (setting `git.reviewBeforeCommit`): `waiting` when the run asks, then
   * `approved` (the commit follows) or `rejected` (the stories go back to code review with `reason`).
   */
  | (Base & {
      type: 'commit:review';
      stepKey: string;
      cycle: number;
      round: number;
      storyKeys: string[];
      state: 'waiting' | 'approved' | 'rejected';
      /** waiting: changed paths and lines since the cycle started (absent without git). */
      files?: number;
      insertions?: number;
      deletions?: number;
      reason?: string;
    })
  /** Quality gates run before code-review `attempt` of a story (after dev-story or the previous review). */
  | (Base & { type: 'gates:result'; stepKey: string; storyKey: string; attempt: number; ok: boolean; results: GateOutcome[] })
  /** Parallel mode: a story's worktree started, merged into the sprint branch, or was parked. */
  | (Base & {
      type: 'lane:state';
      storyKey: string;
      state: 'started' | 'merged' | 'conflict' | 'uncommitted' | 'failed' | 'kept';
      branch: string;
      cwd?: string;
      files?: string[];
      detail?: string;
    })
  /**
   * A usage limit: the run waits until `resetsAt` (epoch ms) and then continues by itself. Sent when the wait
   * starts, about once a minute while it lasts (a countdown for the front ends), and `over` when it ended.
   */
  | (Base & { type: 'limit:wait'; stepKey: string; storyKeys: string[]; resetsAt: number; limitType?: string; state: 'waiting' | 'over' })
  /** Before anything is spent: what the batch is forecast to cost (docs/cost-forecast.md). */
  | (Base & {
      type: 'batch:forecast';
      batchId: number;
      nextBatchUsd: number;
      basis: 'history' | 'default' | 'mixed';
      historyCommands: number;
      stories: { key: string; usd: number }[];
      budgetUsd?: number;
    })
  /** The end-of-batch Markdown report was written. */
  | (Base & { type: 'report:written'; path: string })
  | (Base & { type: 'warning'; message: string; storyKey?: string; stepKey?: string })
  | (Base & { type: 'error'; message: string; storyKey?: string; stepKey?: string; permanent?: boolean });

export type SprintEventType = SprintEvent['type'];
