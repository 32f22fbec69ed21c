// Read models the store offers beyond RunStore, for the tree, the dashboard and `sprint-runner status`.

import type { AgentOutcome } from '../../core/agent/AgentContract';
import type { CostTotals, StoryBlockRecord } from '../../core/store/RunStore';

export interface StorySummary {
  storyKey: string;
  epicId: string | null;
  /** Last status the engine recorded for the story in that batch. */
  status: string | null;
  batchId: number;
  startedAt: number | null;
  endedAt: number | null;
  /** Commands that covered the story; a command covering n stories counts 1/n of its cost here. */
  costs: CostTotals;
  lastCommand: { command: string; attempt: number; outcome: AgentOutcome | null; status: string; startedAt: number; endedAt: number | null } | null;
  /** The story's open block, if it is blocked now. */
  openBlock: StoryBlockRecord | null;
}

/** Work a previous process left running (it crashed or was killed): see SqlJsRunStore.reconcileOrphans. */
export interface UnfinishedWork {
  commands: { id: number; batchId: number; stepKey: string; command: string; startedAt: number; pid: number | null; pidStartTime: string | null }[];
  backgroundTasks: { id: number; batchId: number | null; taskType: string; storyKey: string | null; spawnedAt: number; pid: number | null; pidStartTime: string | null }[];
}

export interface MaxIds {
  batch: number;
  command: number;
  event: number;
  block: number;
  background: number;
}

export function emptyCosts(): CostTotals {
  return { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 0, commands: 0 };
}
