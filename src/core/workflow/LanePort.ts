// Opt-in parallel stories as a port: one git worktree ("lane") per story on its own
// branch, merged back into the sprint branch one at a time. The infra implementation
// (src/infra/git/NodeLanePort.ts) wraps WorktreeLanes; its registry survives kill -9.

export interface LaneInfo {
  storyKey: string;
  cwd: string;
  branch: string;
}

export type LaneMerge =
  | { status: 'merged'; branch: string; sha: string; fastForward: boolean; note?: string }
  | { status: 'conflict'; branch: string; cwd: string; files: string[]; detail: string }
  | { status: 'uncommitted'; branch: string; cwd: string; files: string[] }
  | { status: 'failed'; branch: string; cwd: string; detail: string };

export interface RecoveredLaneInfo extends LaneInfo {
  state: string;
  uncommittedFiles: string[];
  commitsAhead: number;
}

export interface LanePort {
  /** `sprint/{id}`: where finished stories are merged. */
  readonly sprintBranch: string;
  /** After a crash: aborts a half-done merge, reconciles the registry with git; deletes nothing. */
  recover(): Promise<RecoveredLaneInfo[]>;
  /** The story's worktree and branch, created when missing (idempotent). */
  prepare(storyKey: string): Promise<LaneInfo>;
  /**
   * Merges the story's branch into the sprint branch (one at a time). Uncommitted edits of engine-owned
   * files (the ledger) in the lane are discarded first: the engine is the ledger's only writer.
   */
  merge(storyKey: string): Promise<LaneMerge>;
  /** Optional end of sprint: the sprint branch into the base branch, only when safe. */
  mergeSprintIntoBase(): Promise<{ ok: boolean; detail: string }>;
}
