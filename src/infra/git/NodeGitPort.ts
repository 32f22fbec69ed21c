// The engine's GitPort over the git CLI: snapshots, the step 4c verification and the engine-made commit,
// each on the working tree it is given (the workspace, or a lane's worktree).

import type { CommitCheck, CommitExpectation, DiffStat, DiffStatFile, EngineCommitRequest, GitPort, GitSnapshot } from '../../core/workflow/GitPort';
import { snapshotBefore, verifyBatchCommit } from './BatchCommitVerifier';
import { EngineBatchCommitter } from './EngineBatchCommitter';
import { GitRepository } from './GitRepository';

export class NodeGitPort implements GitPort {
  private readonly committer = new EngineBatchCommitter();

  constructor(private readonly now: () => number = Date.now) {}

  /** A GitPort when `cwd` is inside a git repository with at least one commit, else undefined. */
  static async detect(cwd: string): Promise<NodeGitPort | undefined> {
    try {
      const repo = new GitRepository(cwd);
      await repo.head();
      return new NodeGitPort();
    } catch {
      return undefined;
    }
  }

  snapshot(cwd: string): Promise<GitSnapshot> {
    return snapshotBefore(new GitRepository(cwd), this.now);
  }

  verifyBatchCommit(cwd: string, before: GitSnapshot, expected: CommitExpectation): Promise<CommitCheck> {
    return verifyBatchCommit(new GitRepository(cwd), before, expected);
  }

  async engineCommit(cwd: string, before: GitSnapshot, request: EngineCommitRequest): Promise<CommitCheck> {
    const r = await this.committer.commit(new GitRepository(cwd), before, {
      epicId: request.epicId,
      storyIds: request.storyIds,
      storyKeys: request.storyKeys,
      artifactsDir: request.artifactsDir,
      extraPaths: request.extraPaths,
    });
    return r.ok
      ? { ok: true, sha: r.sha, message: r.message, files: r.files, archived: r.archived, deleted: r.deleted }
      : { ok: false, reason: r.reason, detail: r.detail, paths: r.paths };
  }

  async diffStat(cwd: string, before: GitSnapshot): Promise<DiffStat> {
    const repo = new GitRepository(cwd);
    // Tracked paths: the working tree against the cycle's first commit (so agent commits made during the
    // cycle count too); renames as a delete and an add, so every path is one the reviewer can open.
    const numstat = await repo.run(['diff', '--numstat', '-z', '--no-renames', before.head, '--']);
    const files: DiffStatFile[] = [];
    for (const entry of numstat.stdout.split('\0')) {
      const m = /^(\d+|-)\t(\d+|-)\t(.+)$/s.exec(entry);
      if (!m) continue;
      files.push({ path: m[3], insertions: m[1] === '-' ? null : Number(m[1]), deletions: m[2] === '-' ? null : Number(m[2]) });
    }
    const untracked = await repo.run(['ls-files', '--others', '--exclude-standard', '--full-name', '-z']);
    for (const p of untracked.stdout.split('\0')) if (p) files.push({ path: p, insertions: null, deletions: null, untracked: true });
    files.sort((a, b) => a.path.localeCompare(b.path));
    return { base: before.head, root: await repo.topLevel(), files };
  }
}
