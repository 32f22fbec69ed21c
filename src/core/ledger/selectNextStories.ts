// Step 1 of 003: which stories the next cycle works on.
//
// - first  = the first story, in numeric order, whose status is not `done` and not `blocked`;
// - second = the next story after it (in the same order) with the SAME epic prefix that is not `done` and not
//   `blocked`. It need not be adjacent: with 1-1 backlog, 1-2 done, 1-3 backlog the pair is [1-1, 1-3],
//   because 003 says "next non-done, non-blocked story with SAME epic prefix", not "the story after it".
// - one story when no such second story exists (last open story of its epic); undefined when every story is
//   done or blocked (sprint complete).
// Legacy statuses count as BMAD reads them (`drafted` is `ready-for-dev`, `contexted` is `in-progress`).
// Stories whose status is not one of the known statuses are skipped (never guessed into a phase) and listed in
// `skipped`; the ledger snapshot's `problems` already carry a message with their line.

import { compareStoryKeys } from './storyKeys';
import { STORY_STATUSES, storyStatusAsBmadReads, type LedgerSnapshot, type LedgerStory, type StorySelection } from './LedgerTypes';

export interface SelectNextStoriesOptions {
  /**
   * "Resume story": the cycle starts with this story (whatever its status) and pairs it the same way,
   * with the next open story of its epic after it. Throws when the ledger has no such story.
   */
  startWith?: string;
}

function isKnownStatus(status: string): boolean {
  return (STORY_STATUSES as readonly string[]).includes(status);
}

function isOpen(story: LedgerStory): boolean {
  return isKnownStatus(story.status) && story.status !== 'done' && story.status !== 'blocked';
}

export function selectNextStories(
  snapshot: LedgerSnapshot,
  opts: SelectNextStoriesOptions = {},
): StorySelection | undefined {
  // SprintLedger already sorts and reads legacy statuses as BMAD does; a snapshot built elsewhere may not.
  const stories = snapshot.stories
    .map((s) => {
      const status = storyStatusAsBmadReads(s.status);
      return status === s.status ? s : { ...s, status };
    })
    .sort((a, b) => compareStoryKeys(a.key, b.key));

  let firstIndex: number;
  if (opts.startWith !== undefined) {
    firstIndex = stories.findIndex((s) => s.key === opts.startWith);
    if (firstIndex < 0) throw new Error(`Story "${opts.startWith}" is not in ${snapshot.path}; cannot start with it`);
  } else {
    firstIndex = stories.findIndex(isOpen);
    if (firstIndex < 0) return undefined;
  }
  const first = stories[firstIndex];
  const second = stories.slice(firstIndex + 1).find((s) => s.epicId === first.epicId && isOpen(s));
  const selected = second ? [first, second] : [first];
  const lastIndex = second ? stories.indexOf(second) : firstIndex;

  // The unknown-status stories that would otherwise have been candidates for this selection.
  const skipped = stories
    .slice(opts.startWith !== undefined ? firstIndex + 1 : 0, lastIndex + 1)
    .filter((s) => !isKnownStatus(s.status) && s !== first)
    .map((s) => ({ key: s.key, status: s.status }));

  return {
    storyKeys: selected.map((s) => s.key),
    epicId: first.epicId,
    statuses: Object.fromEntries(selected.map((s) => [s.key, s.status])),
    ...(skipped.length > 0 ? { skipped } : {}),
  };
}

