// Which stories may run at the same time, each in its own worktree (opt-in parallel mode).
//
// Rule: walk the ledger's stories in ledger order (already numerically sorted). A story is a candidate
// when its status is a known, unfinished one (not done, not blocked, not unknown) and it is not already
// running. A candidate is eligible when every earlier story of its epic is done or blocked (stories of
// one epic build on each other, as 003 runs them in order), or when it is declared independent. Eligible
// stories are taken in order until `maxParallel` lanes (running ones included) are in use. So by default
// lanes hold stories of different epics; declared-independent stories may share an epic.

import type { LedgerSnapshot, LedgerStory } from '../ledger/LedgerTypes';
import { STORY_STATUSES } from '../ledger/LedgerTypes';

export const MAX_PARALLEL_LIMIT = 5;

export interface ParallelPlanInput {
  ledger: Pick<LedgerSnapshot, 'stories'>;
  /** 1..5; 1 means the default 003 workflow (the engine should not use lanes at all then). */
  maxParallel: number;
  /** Story keys already running in a lane (they count against maxParallel and are never picked again). */
  running?: readonly string[];
  /** Story keys declared independent of the other stories of their epic. */
  independent?: readonly string[];
  /** Story keys to leave out (e.g. parked after a merge conflict this run). */
  exclude?: readonly string[];
}

export interface ParallelPlan {
  /** Stories to start now, in ledger order. */
  start: LedgerStory[];
  /** Why each unfinished, not-started story waits (for the board's tooltip and the log). */
  waiting: { storyKey: string; reason: string }[];
}

const UNFINISHED = new Set<string>(STORY_STATUSES.filter((s) => s !== 'done' && s !== 'blocked'));

export function planParallelLanes(input: ParallelPlanInput): ParallelPlan {
  if (!Number.isInteger(input.maxParallel) || input.maxParallel < 1 || input.maxParallel > MAX_PARALLEL_LIMIT) {
    throw new RangeError(`maxParallel must be an integer from 1 to ${MAX_PARALLEL_LIMIT}, got ${input.maxParallel}. Fix: set sprintRunner.git.maxParallel to 1..${MAX_PARALLEL_LIMIT}.`);
  }
  const running = new Set(input.running ?? []);
  const independent = new Set(input.independent ?? []);
  const exclude = new Set(input.exclude ?? []);
  let free = input.maxParallel - running.size;

  const start: LedgerStory[] = [];
  const waiting: ParallelPlan['waiting'] = [];
  /** Epic → key of its earliest story that is not done/blocked. */
  const firstOpen = new Map<string, string>();

  for (const story of input.ledger.stories) {
    const finished = story.status === 'done' || story.status === 'blocked';
    const earlierOpen = firstOpen.get(story.epicId);
    if (!finished && earlierOpen === undefined) firstOpen.set(story.epicId, story.key);
    if (finished || running.has(story.key)) continue;
    if (!UNFINISHED.has(story.status)) {
      waiting.push({ storyKey: story.key, reason: `unknown status "${story.status}"` });
      continue;
    }
    if (exclude.has(story.key)) {
      waiting.push({ storyKey: story.key, reason: 'excluded for this run' });
      continue;
    }
    if (earlierOpen !== undefined && !independent.has(story.key)) {
      waiting.push({ storyKey: story.key, reason: `waits for ${earlierOpen} (same epic ${story.epicId})` });
      continue;
    }
    if (free <= 0) {
      waiting.push({ storyKey: story.key, reason: `all ${input.maxParallel} lanes are busy` });
      continue;
    }
    start.push(story);
    free--;
  }
  return { start, waiting };
}
