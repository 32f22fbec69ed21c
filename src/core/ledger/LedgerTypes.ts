// The sprint ledger (`sprint-status.yaml`) as the engine sees it. Implemented by SprintLedger.

export const STORY_STATUSES = ['backlog', 'ready-for-dev', 'in-progress', 'review', 'done', 'blocked'] as const;
export type StoryStatus = (typeof STORY_STATUSES)[number];

export interface LedgerStory {
  /** The key as written in the file (`2a-1-session-scanner-and-database-sync`, `1-2`). */
  key: string;
  /** Short numeric id (`2a-1`, `5-sr-3`): what `{{story_id}}` and the CSV use. */
  shortId: string;
  /** Epic prefix (`2a`, `5-sr`): what `{{epic_id}}` uses. */
  epicId: string;
  /** Status as written (may be unknown; see LedgerSnapshot.problems). */
  status: string;
  /** 1-based line of the entry in the file. */
  line: number;
}

export interface LedgerEpic {
  key: string;
  epicId: string;
  status: string;
  line: number;
}

export interface LedgerProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export interface LedgerSnapshot {
  path: string;
  /** Sorted numerically (1-2 before 1-10; 2a before 2b). Retrospectives and epic-* keys excluded. */
  stories: LedgerStory[];
  epics: LedgerEpic[];
  retrospectives: { key: string; epicId: string; status: string; line: number }[];
  /** Unknown status values and other non-fatal findings; reported, never guessed. */
  problems: LedgerProblem[];
}

export interface SprintLedgerPort {
  readonly path: string;
  read(): Promise<LedgerSnapshot>;
  /**
   * Sets one story's status: re-reads the file just before writing, changes only that value's bytes,
   * writes atomically. Returns the status it had before.
   */
  setStatus(storyKey: string, status: StoryStatus): Promise<{ previous: string }>;
}

/** Step 1 of 003: the first story that is not done/blocked, paired with the next one of the same epic. */
export interface StorySelection {
  storyKeys: string[];
  epicId: string;
  /** Status of each selected story at selection time. */
  statuses: Record<string, string>;
  /**
   * Stories passed over because their status is unknown (not in STORY_STATUSES) and that would otherwise have
   * been candidates for this selection. Absent when none. Added by selectNextStories.
   */
  skipped?: { key: string; status: string }[];
}
