// The engine's public run API (deps, options, result, errors) and the records and contexts its steps
// share. Types and small pure helpers only, so every step module can import them without a cycle.

import type { AgentRegistry, AgentResult } from '../agent/AgentContract';
import type { StepCommand } from '../commands';
import type { FileSystem } from '../fs/FileSystem';
import type { SprintLedgerPort, StoryStatus } from '../ledger/LedgerTypes';
import type { PromptSource } from '../prompts/PromptSource';
import type { PromptVariables } from '../prompts/renderPrompt';
import type { BatchStatus } from '../SprintEvents';
import type { BatchRecord, RunStore } from '../store/RunStore';
import type { WorkspaceLayout } from '../workspace/WorkspaceLayout';
import type { Clock } from './Clock';
import type { CommitReviewPort } from './CommitReviewPort';
import type { EngineSettings } from './EngineSettings';
import type { GitPort, GitSnapshot } from './GitPort';
import type { LaneInfo, LanePort } from './LanePort';
import type { TechSpecDecision } from './markers';
import type { QualityGatePort } from '../gates/QualityGatePort';
import type { ScriptRunner } from './ScriptRunner';
import type { SprintReportCollector } from './SprintReportCollector';

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
  /** Asks a human before each batch commit when `settings.reviewBeforeCommit` is on. */
  commitReview?: CommitReviewPort;
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

/** The engine continues a batch that did not end completed or failed (paused, stopped, interrupted). */
export function canResumeBatch(status: BatchStatus | undefined): boolean {
  return status !== undefined && status !== 'completed' && status !== 'failed';
}

/** 003 step 0b: "no number provided → max_cycles = 2". */
export const DEFAULT_CYCLES = 2;

// ----------------------------------------------------------------------------------------- internals

/** Unwinds the workflow when the batch must end early; never escapes the runner. */
export class Halt extends Error {
  constructor(
    readonly status: 'paused' | 'stopped' | 'failed',
    readonly reason: string,
  ) {
    super(reason);
  }
}

export interface StoryRef {
  key: string;
  shortId: string;
  epicId: string;
  /** Status at selection time: the phase the story enters at. */
  status: string;
}

/** What the journal keeps of an agent step. */
export interface AgentStepRecord extends AgentResult {
  kind: 'agent';
  command: StepCommand;
  storyKeys: string[];
  attempt: number;
  model?: string;
  /** The Claude session of the invocation (a reminder continues it). */
  sessionId?: string;
}

export interface SetStatusRecord {
  storyKey: string;
  status: StoryStatus;
  previous: string;
  reason: string;
}

export interface BatchContext {
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

export interface CycleContext {
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

export interface AgentStepSpec {
  key: string;
  cycle: number;
  command: StepCommand;
  stories: StoryRef[];
  attempt: number;
  /** Returns why the output is unusable (missing marker), or undefined. */
  requireMarkers?: (output: string) => string | undefined;
  /** Returns what the step should have left on disk or in the ledger and did not, or undefined. */
  evidence?: () => Promise<string | undefined>;
  /** A reminder: continue this session with the autonomous-mode phrase as the prompt. */
  resumeSessionId?: string;
  /** With resumeSessionId: what the step still lacks (said after the phrase). */
  reminderOf?: string;
  promptExtras?: Partial<PromptVariables>;
  /** Runs after a successful invocation; its warnings are recorded with the step. */
  afterSuccess?: () => Promise<string[]>;
  /** Background steps never halt the batch. */
  background?: boolean;
  /** Lane mode: the worktree the agent runs in, and the paths it is given. */
  lane?: LaneInfo;
  layout?: WorkspaceLayout;
}

/** The first and last part of a long text, for logs and journal summaries. */
export function summarise(text: string, max = 500): string {
  const t = text.trim();
  return t.length <= max ? t : `${t.slice(0, max / 2)}\n…\n${t.slice(-max / 2)}`;
}

export function joinEpics(stories: readonly StoryRef[]): string {
  return [...new Set(stories.map((s) => s.epicId))].join(',');
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The `lane` field of events that happened in a lane. */
export function laneField(lane: LaneInfo | undefined): { lane?: string } {
  return lane ? { lane: lane.storyKey } : {};
}

/** The lane part of an agent step's spec for a cycle (nothing outside parallel mode). */
export function laneSpec(cc: CycleContext): Pick<AgentStepSpec, 'lane' | 'layout'> {
  return cc.lane ? { lane: cc.lane, layout: cc.layout } : {};
}

/** The events' `lane` field for a cycle. */
export function laneTag(cc: CycleContext): { lane?: string } {
  return laneField(cc.lane);
}
