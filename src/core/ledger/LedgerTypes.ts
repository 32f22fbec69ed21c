// The sprint ledger (`sprint-status.yaml`) as the engine sees it. Implemented by SprintLedger.

export const STORY_STATUSES = ['backlog', 'ready-for-dev', 'in-progress', 'review', 'done', 'blocked'] as const;
export type StoryStatus = (typeof STORY_STATUSES)[number];

/**
 * Statuses older BMAD wrote, read the way BMAD itself reads them today. The file keeps the word the user wrote
 * until a workflow moves the story on.
 */
export const LEGACY_STORY_STATUSES: Readonly<Record<string, StoryStatus>> = { drafted: 'ready-for-dev', contexted: 'in-progress' };

/** A status as BMAD reads it: legacy words mapped, everything else as written. */
export function storyStatusAsBmadReads(written: string): string {
  return Object.prototype.hasOwnProperty.call(LEGACY_STORY_STATUSES, written) ? LEGACY_STORY_STATUSES[written] : written;
}

export interface LedgerStory {
  /** The key as written in the file (`2a-1-session-scanner-and-database-sync`, `1-2`). */
  key: string;
  /** Short numeric id (`2a-1`, `5-sr-3`): what `{{story_id}}` and the CSV use. */
  shortId: string;
  /** Epic prefix (`2a`, `5-sr`): what `{{epic_id}}` uses. */
  epicId: string;
  /** Status as BMAD reads it (`drafted` → `ready-for-dev`, `contexted` → `in-progress`); may be unknown (see problems). */
  status: string;
  /** The word in the file, when it differs from `status` (a legacy status). */
  writtenStatus?: string;
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
  /**
   * `unknown-status`: a story never selected (a status BMAD does not define); `unusable-key`: a key that cannot
   * be a file name, never run; `not-a-story`: an entry ignored. Absent for YAML warnings.
   */
  kind?: 'unknown-status' | 'unusable-key' | 'not-a-story';
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
