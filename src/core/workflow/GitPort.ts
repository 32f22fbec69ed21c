// What the engine needs from git, as a port: core never runs git itself. The infra
// implementation (src/infra/git/NodeGitPort.ts) wraps BatchCommitVerifier and EngineBatchCommitter.
// Every value crossing the port is plain JSON, because the engine stores it in the run journal.

/**
 * The progress log `media/sprint-log.sh` appends to, relative to the agent's cwd (003's
 * `docs/sprint-runner.csv`). Agents write it during a cycle, so the engine commits it with the cycle; in
 * parallel mode it is engine-owned like the ledger (each lane's copy stays in the lane's history).
 */
export const PROGRESS_LOG_FILE = 'docs/sprint-runner.csv';

/** The state of a working tree when a cycle (or a lane) starts; opaque to the engine, stored as is. */
export interface GitSnapshot {
  head: string;
  branch: string | undefined;
  dirty: { path: string; code: string; blob: string | null }[];
  takenAt: number;
}

export interface CommitExpectation {
  /** `3a`, or several epics comma-joined (`3a,3b`). */
  epicId: string;
  storyIds: string[];
  storyKeys: string[];
}

export type CommitFailureReason =
  | 'no-commit'
  | 'empty-commit'
  | 'bad-message'
  | 'not-on-branch'
  | 'unexpected-dirty'
  | 'merge-in-progress'
  | 'nothing-to-commit'
  | 'git-error';

export type CommitCheck =
  | {
      ok: true;
      sha: string;
      message: string;
      files: string[];
      /** Verified agent commits: paths changed during the cycle and still uncommitted. */
      leftUncommitted?: string[];
      /** Verified agent commits: paths dirty before the cycle that went into the commit. */
      includedPreexisting?: string[];
      /** Engine commits: artifacts moved to the archive / discovery files deleted. */
      archived?: string[];
      deleted?: string[];
    }
  | { ok: false; reason: CommitFailureReason; detail: string; paths?: string[] };

export interface EngineCommitRequest extends CommitExpectation {
  /** Absolute {implementation_artifacts} of the tree being committed. */
  artifactsDir: string;
  /** Absolute paths the engine owns and commits when changed (the ledger). */
  extraPaths: string[];
}

/** One changed path of a working tree against a commit: lines added and removed (null for binary or untracked files). */
export interface DiffStatFile {
  path: string;
  insertions: number | null;
  deletions: number | null;
  /** A new file git does not track yet. */
  untracked?: boolean;
}

/** What changed in a working tree since `base` (a commit), committed or not. */
export interface DiffStat {
  base: string;
  /** The repository's top folder: every `files[].path` is relative to it. */
  root: string;
  files: DiffStatFile[];
}

export interface GitPort {
  /** Snapshot of the working tree at `cwd` (the workspace, or a lane's worktree). */
  snapshot(cwd: string): Promise<GitSnapshot>;
  /** Step 4c verified: a new commit on the branch, 003 message, non-empty. */
  verifyBatchCommit(cwd: string, before: GitSnapshot, expected: CommitExpectation): Promise<CommitCheck>;
  /** Step 4c by the engine: archive the stories' artifacts, commit exactly the cycle's changes. */
  engineCommit(cwd: string, before: GitSnapshot, request: EngineCommitRequest): Promise<CommitCheck>;
  /** The review point before step 4c: every path changed since `before` (its HEAD), committed or not. */
  diffStat(cwd: string, before: GitSnapshot): Promise<DiffStat>;
}
