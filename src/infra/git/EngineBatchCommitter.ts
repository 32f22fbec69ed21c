// Step 4c done by the engine itself (setting: deterministic batch commit instead of the agent).
// 1. archive each story's artifacts from {implementation_artifacts}: `{key}.md`, `{key}-*.md` and
//    `tech-spec-{key}*.md` move to the archive folder (default: `archived-artifacts` beside the artifacts
//    folder, i.e. `_bmad-output/archived-artifacts/`); `*-discovery-*.md` of the story are deleted;
// 2. stage exactly the cycle's changes (see the rule below) plus the archive moves and `extraPaths`;
// 3. `git commit --only` with `feat({epic_id}): implement stories {story_ids}`.
//
// The dirty-tree rule, against the snapshot taken when the cycle started (snapshotBefore):
//   - a path that was uncommitted before the cycle and is unchanged since is NOT committed (it is the
//     user's work, left exactly as it was, staged or not);
//   - a path that was uncommitted before the cycle and changed again during it cannot be split into the
//     user's part and the cycle's part: the commit is refused (`unexpected-dirty`, paths listed), nothing
//     is staged, nothing is moved;
//   - the stories' own artifacts are always the cycle's, whatever the snapshot says;
//   - other files in the artifacts folder (other stories' active artifacts, sprint-status.yaml) are not
//     committed unless listed in `extraPaths` (the batch-commit workflow skips active artifacts too).
// Never on another branch than the cycle's, never during a merge, never pushes, never amends.

import * as path from 'node:path';
import { promises as fsp } from 'node:fs';
import { formatBatchCommitMessage, epicIdsOfStories } from '../../core/git/batchCommitMessage';
import { UnsafeNameError } from '../../core/git/UnsafeNameError';
import { archivedArtifactsDir } from '../../core/workspace/WorkspaceLayout';
import type { GitRepository } from './GitRepository';
import type { RepoSnapshot } from './BatchCommitVerifier';

export interface EngineCommitInput {
  /** `3a` or `3a,3b`; derived from the story ids when omitted. */
  epicId?: string | readonly string[];
  /** Short ids for the message (`3a-1`). */
  storyIds: readonly string[];
  /** Full keys, to find the artifacts (`3a-1-login-form.md`). */
  storyKeys: readonly string[];
  /** Absolute {implementation_artifacts}. */
  artifactsDir: string;
  /** Absolute archive folder; default `{dirname(artifactsDir)}/archived-artifacts`. */
  archiveDir?: string;
  /** Absolute paths the engine owns and wants in the commit when changed (sprint-status.yaml, the CSV log). */
  extraPaths?: readonly string[];
}

export type EngineCommitResult =
  | { ok: true; sha: string; message: string; files: string[]; archived: string[]; deleted: string[] }
  | { ok: false; reason: 'unexpected-dirty' | 'not-on-branch' | 'merge-in-progress' | 'nothing-to-commit'; detail: string; paths: string[] };

export interface ArtifactPlan {
  moves: { from: string; to: string }[];
  deletes: string[];
}

function assertSafeKey(key: string): void {
  // eslint-disable-next-line no-control-regex
  if (key.length === 0 || /[/\\\u0000-\u001f]/.test(key) || key.includes('..')) {
    throw new UnsafeNameError(key, 'a story key used to find artifact files may not contain path separators, control characters or ".."');
  }
}

function isArtifactOf(name: string, key: string): boolean {
  if (!name.endsWith('.md')) return false;
  return name === `${key}.md` || name.startsWith(`${key}-`) || name.startsWith(`tech-spec-${key}.md`) || name.startsWith(`tech-spec-${key}-`);
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

export class EngineBatchCommitter {
  async planArtifacts(input: Pick<EngineCommitInput, 'storyKeys' | 'artifactsDir' | 'archiveDir'>): Promise<ArtifactPlan> {
    input.storyKeys.forEach(assertSafeKey);
    const archiveDir = input.archiveDir ?? archivedArtifactsDir(input.artifactsDir);
    const names = await fsp.readdir(input.artifactsDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const plan: ArtifactPlan = { moves: [], deletes: [] };
    for (const name of names.sort()) {
      if (!input.storyKeys.some((k) => isArtifactOf(name, k))) continue;
      const from = path.join(input.artifactsDir, name);
      if (!(await fsp.stat(from)).isFile()) continue;
      if (/-discovery-/.test(name) || name.endsWith('-discovery.md')) plan.deletes.push(from);
      else plan.moves.push({ from, to: path.join(archiveDir, name) });
    }
    return plan;
  }

  /**
   * Carries out a plan: moves keep the file (a name already in the archive gets a numbered suffix,
   * nothing is overwritten); discovery files are deleted. Returns the absolute paths archived and deleted.
   */
  async archiveArtifacts(plan: ArtifactPlan): Promise<{ archived: string[]; deleted: string[] }> {
    const archived: string[] = [];
    for (const m of plan.moves) {
      await fsp.mkdir(path.dirname(m.to), { recursive: true });
      let to = m.to;
      for (let n = 2; await fsp.stat(to).then(() => true, () => false); n++) to = m.to.replace(/\.md$/, `.${n}.md`);
      await fsp.rename(m.from, to);
      archived.push(to);
    }
    const deleted: string[] = [];
    for (const d of plan.deletes) {
      await fsp.rm(d, { force: true });
      deleted.push(d);
    }
    return { archived, deleted };
  }

  async commit(repo: GitRepository, before: RepoSnapshot, input: EngineCommitInput): Promise<EngineCommitResult> {
    const branch = await repo.currentBranch();
    if (branch !== before.branch) {
      return { ok: false, reason: 'not-on-branch', detail: `the cycle started on ${before.branch ?? 'a detached HEAD'}, ${repo.cwd} is now on ${branch ?? 'a detached HEAD'}`, paths: [] };
    }
    if ((await repo.mergeInProgress()) || (await repo.unmergedFiles()).length > 0) {
      return { ok: false, reason: 'merge-in-progress', detail: `a merge is in progress in ${repo.cwd}; finish or abort it first`, paths: [] };
    }
    const top = await repo.topLevel();
    const rel = (abs: string): string => {
      const r = path.relative(top, abs);
      if (r.startsWith('..') || path.isAbsolute(r)) throw new Error(`${abs} is outside the repository ${top}. Fix: keep implementation artifacts inside the repository.`);
      return toPosix(r);
    };
    const plan = await this.planArtifacts(input);
    const storyArtifacts = new Set<string>();
    for (const m of plan.moves) {
      storyArtifacts.add(rel(m.from));
      storyArtifacts.add(rel(m.to));
    }
    for (const d of plan.deletes) storyArtifacts.add(rel(d));

    // The dirty-tree rule: pre-existing changes must be unchanged (unless they are the stories' artifacts).
    const pre = new Map(before.dirty.map((d) => [d.path, d]));
    const status = await repo.statusPorcelain();
    const blobs = await repo.hashWorkingFiles(status.filter((s) => pre.has(s.path)).map((s) => s.path));
    const touched = status
      .filter((s) => pre.has(s.path) && !storyArtifacts.has(s.path) && (blobs.get(s.path) ?? null) !== pre.get(s.path)!.blob)
      .map((s) => s.path);
    const extra = new Set((input.extraPaths ?? []).map(rel));
    const refused = touched.filter((p) => !extra.has(p));
    if (refused.length > 0) {
      return {
        ok: false,
        reason: 'unexpected-dirty',
        detail: `these files had uncommitted changes before the cycle started and were changed again during it, so the engine cannot tell your changes from the cycle's: ${refused.join(', ')}. Fix: commit or stash them yourself, then resume.`,
        paths: refused,
      };
    }

    const done = await this.archiveArtifacts(plan);
    const archived = done.archived.map(rel);
    for (const a of archived) storyArtifacts.add(a);
    const deleted = done.deleted.map(rel);

    const artifactsRel = rel(input.artifactsDir);
    const inArtifacts = (p: string): boolean => p === artifactsRel || p.startsWith(`${artifactsRel}/`);
    const after = await repo.statusPorcelain();
    const toCommit = new Set<string>();
    for (const s of after) {
      for (const p of [s.path, s.origPath].filter((x): x is string => !!x)) {
        const preexisting = pre.has(p) && !storyArtifacts.has(p) && !extra.has(p);
        if (preexisting) continue;
        if (inArtifacts(p) && !storyArtifacts.has(p) && !extra.has(p)) continue;
        toCommit.add(p);
      }
    }
    const paths = [...toCommit].sort();
    if (paths.length === 0) {
      return { ok: false, reason: 'nothing-to-commit', detail: `no changes of this cycle to commit in ${repo.cwd}`, paths: [] };
    }
    const message = formatBatchCommitMessage({ epicId: input.epicId ?? epicIdsOfStories(input.storyIds), storyIds: input.storyIds });
    await repo.addPaths(paths);
    const sha = await repo.commit(message, { only: paths });
    const info = await repo.showCommit(sha);
    return { ok: true, sha, message, files: info.files, archived, deleted };
  }
}
