// The durable state the engine needs. Implemented by infra/store/SqlJsRunStore (sql.js, a real SQLite file).
// All writes that matter for resume (batches, steps, blocks) are durable when their promise resolves;
// events are cheap appends (journal first) and durable within a second.

import type { AgentOutcome, AgentUsage } from '../agent/AgentContract';
import type { BatchMode, BatchStatus, CommandStep, SprintEvent } from '../SprintEvents';

export interface RunOptionsRecord {
  batchMode: BatchMode;
  /** null in `all` mode. */
  maxCycles: number | null;
  /** Story key a "Resume story" run must start with, if any. */
  startWith?: string;
  /** Anything else the front end wants recorded with the run (models, limits, workspace). */
  [key: string]: unknown;
}

export interface BatchRecord {
  id: number;
  runId: string;
  startedAt: number;
  endedAt: number | null;
  batchMode: BatchMode;
  maxCycles: number | null;
  cyclesCompleted: number;
  status: BatchStatus;
  options: RunOptionsRecord;
  /** Why it ended when not completed. */
  reason: string | null;
}

export interface StepRecord {
  batchId: number;
  stepKey: string;
  startedAt: number;
  endedAt: number | null;
  /** JSON-serialisable result; undefined while the step is running (a crash leaves it so). */
  result?: unknown;
}

export interface CommandStart extends CommandStep {
  batchId: number;
  startedAt: number;
}

export interface CommandEnd {
  endedAt: number;
  outcome: AgentOutcome;
  usage?: AgentUsage;
  /** Short summary of the output (first/last lines), or the CLI's error text. */
  outputSummary?: string;
  logPath?: string;
}

export interface CommandRecord extends CommandStart {
  id: number;
  endedAt: number | null;
  outcome: AgentOutcome | null;
  usage: AgentUsage | null;
  outputSummary: string | null;
  logPath: string | null;
}

/** The searchable columns of a stored event (the rest of it is in its payload). */
export interface EventColumns {
  batchId: number | null;
  storyKey: string | null;
  epicId: string | null;
  command: string | null;
  taskId: string | null;
  status: string | null;
  message: string | null;
  stepKey: string | null;
}

export interface StoredEvent extends Omit<EventColumns, 'stepKey'> {
  id: number;
  timestamp: number;
  type: SprintEvent['type'];
  payload: SprintEvent;
}

export interface CostTotals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  costUsd: number;
  commands: number;
}

export interface StoryBlockRecord {
  storyKey: string;
  previousStatus: string;
  reason: string;
  blockedAt: number;
  unblockedAt: number | null;
}

export interface BackgroundTaskRecord {
  id: number;
  batchId: number | null;
  storyKey: string | null;
  taskType: string;
  spawnedAt: number;
  completedAt: number | null;
  status: string;
}

export interface RunStore {
  createBatch(input: { runId: string; startedAt: number; options: RunOptionsRecord }): Promise<BatchRecord>;
  getBatch(id: number): Promise<BatchRecord | undefined>;
  /** Most recent batch, whatever its status. */
  latestBatch(): Promise<BatchRecord | undefined>;
  listBatches(limit?: number): Promise<BatchRecord[]>;
  updateBatch(id: number, patch: Partial<Pick<BatchRecord, 'status' | 'endedAt' | 'cyclesCompleted' | 'reason'>>): Promise<void>;

  /** The run journal: a step with a result is finished and is never executed again. */
  getStep(batchId: number, stepKey: string): Promise<StepRecord | undefined>;
  listSteps(batchId: number): Promise<StepRecord[]>;
  markStepStarted(batchId: number, stepKey: string, at: number): Promise<void>;
  /**
   * Durable when resolved (it survives a kill or a power loss: a synced journal line, or the database
   * file); the database file holds it after the checkpoint this starts, and at the latest at close.
   */
  saveStepResult(batchId: number, stepKey: string, result: unknown, at: number): Promise<void>;

  upsertStory(batchId: number, storyKey: string, epicId: string, patch: { status?: string; startedAt?: number; endedAt?: number }): Promise<void>;

  startCommand(c: CommandStart): Promise<number>;
  finishCommand(id: number, end: CommandEnd): Promise<void>;
  listCommands(filter: { batchId?: number; storyKey?: string }): Promise<CommandRecord[]>;

  /** Cheap and synchronous: appended to a journal, flushed within a second, in the db by the next checkpoint. */
  appendEvent(event: SprintEvent): void;
  listEvents(filter: { batchId?: number; afterId?: number; limit?: number }): Promise<StoredEvent[]>;

  costs(filter: { batchId?: number; storyKey?: string; cycle?: number }): Promise<CostTotals>;
  costsByStory(batchId?: number): Promise<Map<string, CostTotals>>;

  recordBlock(b: Omit<StoryBlockRecord, 'unblockedAt'>): Promise<void>;
  /** The latest block of a story that was not yet lifted. */
  openBlock(storyKey: string): Promise<StoryBlockRecord | undefined>;
  closeBlock(storyKey: string, at: number): Promise<void>;

  addBackgroundTask(t: { batchId: number | null; storyKey: string | null; taskType: string; spawnedAt: number }): Promise<number>;
  finishBackgroundTask(id: number, status: string, at: number): Promise<void>;
  listBackgroundTasks(batchId?: number): Promise<BackgroundTaskRecord[]>;

  /** Writes the complete database file atomically (temp + rename) and empties the event journal. */
  checkpoint(): Promise<void>;
  close(): Promise<void>;
}
