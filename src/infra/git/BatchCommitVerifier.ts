// Step 4c, verified instead of believed: after the batch-commit agent says it is done, the engine checks
// that a new commit exists on the branch the cycle started on, that its message has the 003 shape and
// names the cycle's epic(s) and stories, and that it changes files.
//
// The snapshot taken when the cycle starts (snapshotBefore) is plain JSON: the engine stores it in the
// run journal so that a resumed cycle compares against the same starting point.

import { checkBatchCommitSubject, parseBatchCommitSubject } from '../../core/git/batchCommitMessage';
import type { GitRepository } from './GitRepository';

export interface DirtyPath {
  path: string;
  code: string;
  /** Blob id of the working file at snapshot time; null when it was deleted / not a file. */
  blob: string | null;
}

export interface RepoSnapshot {
  head: string;
  /** undefined when HEAD was detached. */
  branch: string | undefined;
  /** Uncommitted changes that existed before the cycle: never the cycle's to commit. */
  dirty: DirtyPath[];
  takenAt: number;
}

export interface BatchCommitExpectation {
  /** `3a`, or several epics comma-joined (`3a,3b`) / as an array. */
  epicId: string | readonly string[];
  /** Short ids as 003 formats them (`3a-1`). */
  storyIds: readonly string[];
  /** Full keys, same order; a message may name a story by its key instead of its short id. */
  storyKeys?: readonly string[];
}

export type BatchCommitReason = 'no-commit' | 'empty-commit' | 'bad-message' | 'not-on-branch';

export type BatchCommitVerification =
  | {
      ok: true;
      sha: string;
      message: string;
      files: string[];
      /** Paths changed during the cycle that are still uncommitted (reported as a warning). */
      leftUncommitted: string[];
      /** Paths that were already uncommitted before the cycle and went into this commit (reported as a warning). */
      includedPreexisting: string[];
    }
  | { ok: false; reason: BatchCommitReason; detail: string };

export async function snapshotBefore(repo: GitRepository, now: () => number = Date.now): Promise<RepoSnapshot> {
  const [head, branch, status] = await Promise.all([repo.head(), repo.currentBranch(), repo.statusPorcelain()]);
  const blobs = await repo.hashWorkingFiles(status.map((s) => s.path));
  return {
    head,
    branch,
    dirty: status.map((s) => ({ path: s.path, code: s.code, blob: blobs.get(s.path) ?? null })),
    takenAt: now(),
  };
}

/** Paths whose working state differs from the snapshot: new changes, or pre-existing ones changed again. */
export async function changedSinceSnapshot(repo: GitRepository, before: RepoSnapshot): Promise<{ fresh: string[]; touchedPreexisting: string[] }> {
  const status = await repo.statusPorcelain();
  const pre = new Map(before.dirty.map((d) => [d.path, d]));
  const blobs = await repo.hashWorkingFiles(status.filter((s) => pre.has(s.path)).map((s) => s.path));
  const fresh: string[] = [];
  const touchedPreexisting: string[] = [];
  for (const s of status) {
    const old = pre.get(s.path);
    if (!old) fresh.push(s.path);
    else if ((blobs.get(s.path) ?? null) !== old.blob) touchedPreexisting.push(s.path);
  }
  return { fresh, touchedPreexisting };
}

export async function verifyBatchCommit(repo: GitRepository, before: RepoSnapshot, expected: BatchCommitExpectation): Promise<BatchCommitVerification> {
  const branch = await repo.currentBranch();
  if (before.branch !== undefined && branch !== before.branch) {
    return { ok: false, reason: 'not-on-branch', detail: `the cycle started on branch ${before.branch}, HEAD is now ${branch ?? 'detached'} in ${repo.cwd}` };
  }
  const head = await repo.head();
  if (head !== before.head && !(await repo.isAncestor(before.head, head))) {
    return { ok: false, reason: 'not-on-branch', detail: `HEAD ${head.slice(0, 12)} does not descend from the cycle's start ${before.head.slice(0, 12)} (history was rewritten or another branch was checked out)` };
  }
  const commits = await repo.commitsSince(before.head);
  if (commits.length === 0) {
    return { ok: false, reason: 'no-commit', detail: `no commit on ${branch ?? 'HEAD'} since ${before.head.slice(0, 12)}: the batch-commit step reported success but committed nothing` };
  }
  // The batch commit is the newest new commit with the 003 shape; an agent may have made others before it.
  let candidate: string | undefined;
  for (const sha of commits) {
    const info = await repo.showCommit(sha);
    if (parseBatchCommitSubject(info.message)) {
      candidate = sha;
      break;
    }
  }
  const chosen = await repo.showCommit(candidate ?? commits[0]);
  const check = checkBatchCommitSubject(chosen.message, expected);
  if (!check.ok) {
    return { ok: false, reason: 'bad-message', detail: `commit ${chosen.sha.slice(0, 12)}: ${check.detail}` };
  }
  if (chosen.files.length === 0) {
    return { ok: false, reason: 'empty-commit', detail: `commit ${chosen.sha.slice(0, 12)} "${chosen.subject}" changes no files` };
  }
  const { fresh, touchedPreexisting } = await changedSinceSnapshot(repo, before);
  const preexisting = new Set(before.dirty.map((d) => d.path));
  return {
    ok: true,
    sha: chosen.sha,
    message: chosen.message,
    files: chosen.files,
    leftUncommitted: [...fresh, ...touchedPreexisting],
    includedPreexisting: chosen.files.filter((f) => preexisting.has(f)),
  };
}
