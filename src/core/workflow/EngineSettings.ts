// The knobs of the 003 workflow. Defaults are 003's numbers; front ends map their settings onto this.

import type { QualityGateConfig } from '../gates/QualityGatePort';

export interface TransientRetrySettings {
  /** Retries after the first transient failure of one invocation (not review attempts). */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface BudgetSettings {
  /** Cost of one story over all its commands, in USD; crossing it pauses the batch. */
  perStoryUsd?: number;
  /** Cost of the batch, in USD; crossing it pauses the batch. */
  perBatchUsd?: number;
}

export interface EngineSettings {
  /** Model for non-review steps and review attempt 1; undefined = the agent's own default. */
  defaultModel?: string;
  /** The cheaper model 003 uses for review attempts ≥ cheapModelFromAttempt (`haiku`). */
  reviewModel: string;
  cheapModelFromAttempt: number;
  maxStoryReviews: number;
  maxTechSpecReviews: number;
  maxCodeReviews: number;
  /** Consecutive failed invocations of one step that block the stories it covers (003 step 5). */
  maxConsecutiveFailures: number;
  transientRetry: TransientRetrySettings;
  /**
   * 003 rule 4: an agent that ended without its step's evidence (asked a question, stopped short) is
   * continued in its own session with the reminder phrase at most this many times before the invocation
   * counts as a failure. 0 = never. Default 2.
   */
  maxReminders?: number;
  /**
   * A usage limit that resets within this many hours is waited out (journaled, cancellable); one further away
   * (a weekly limit) pauses the batch and says when it resets. Default 12.
   */
  maxLimitWaitHours?: number;
  /** project-context.md older than this is refreshed in the background. */
  projectContextMaxAgeHours: number;
  budgets?: BudgetSettings;
  /** Appended system prompt for every agent. */
  systemPrompt?: string;
  /**
   * Step 4c: `agent` (003: the batch-commit agent commits, the engine verifies when git is available) or
   * `engine` (the engine archives the artifacts and commits deterministically). Default `agent`.
   */
  commitMode?: 'agent' | 'engine';
  /**
   * Step 4c waits for a human: the run asks through `SprintRunnerDeps.commitReview` before each batch commit;
   * a rejection sends the cycle's stories back to code review with the reason. Default false.
   */
  reviewBeforeCommit?: boolean;
  /** Commands run after dev-story and after each code-review round; none by default (003's loop). */
  qualityGates?: QualityGateConfig[];
  /** 1 (default) = 003, one story pair at a time; 2..5 = independent stories in parallel worktrees. */
  maxParallel?: number;
  /** Parallel mode: stories that may run beside earlier stories of their own epic. */
  independentStories?: string[];
  /** Parallel mode: merge the sprint branch into the base branch when the sprint is complete. */
  mergeSprintIntoBase?: boolean;
  /** Write `{implementation_artifacts}/sprint-report-{run-id}-{batch}.md` at the end of a batch (SprintSession turns it on by default). */
  sprintReport?: boolean;
}

/** An agent step running longer than this is stopped (both front ends' default). */
export const DEFAULT_STEP_TIMEOUT_MINUTES = 60;
/** An agent printing nothing for this long is stopped: long answers and tool runs print nothing for minutes. */
export const DEFAULT_IDLE_TIMEOUT_MINUTES = 15;

export function defaultEngineSettings(): EngineSettings {
  return {
    reviewModel: 'haiku',
    cheapModelFromAttempt: 2,
    maxStoryReviews: 3,
    maxTechSpecReviews: 3,
    maxCodeReviews: 10,
    maxConsecutiveFailures: 3,
    transientRetry: { maxRetries: 5, baseDelayMs: 2_000, maxDelayMs: 60_000 },
    maxReminders: 2,
    maxLimitWaitHours: 12,
    projectContextMaxAgeHours: 24,
  };
}
