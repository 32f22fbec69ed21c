// The optional human review point before a batch commit (setting `git.reviewBeforeCommit`): the engine
// asks a front end through this port and waits for the answer. Every value is plain JSON: the decision is
// journaled, so a resumed run replays it and a run stopped while waiting asks again.

import type { DiffStat } from './GitPort';

export interface CommitReviewRequest {
  /** The journal key of this review point (`c1/commit-review/r0`, `c2/<story>/commit-review/r1` in a lane). */
  stepKey: string;
  cycle: number;
  /** 0 for the first review of the cycle, n after the n-th rejection. */
  round: number;
  storyKeys: string[];
  storyIds: string[];
  epicId: string;
  /** The working tree about to be committed (the workspace, or a lane's worktree). */
  cwd: string;
  lane?: string;
  /** What changed since the cycle started; null without git (or when git could not tell). */
  diff: DiffStat | null;
}

/** What the journal keeps of a review point. */
export type CommitReviewDecision = { decision: 'approve' } | { decision: 'reject'; reason: string };

/** A reviewer's answer: a decision, or `later` (not now: the batch pauses unanswered and resume asks again). */
export type CommitReviewAnswer = CommitReviewDecision | { decision: 'later' };

export interface CommitReviewPort {
  /**
   * Resolves with the reviewer's answer. `signal` aborts when the run is paused or stopped: the engine then
   * stops waiting by itself (the question may be withdrawn; its answer is ignored).
   */
  decide(request: CommitReviewRequest, signal: AbortSignal): Promise<CommitReviewAnswer>;
}
