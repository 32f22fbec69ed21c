// Opt-in parallel stories: each story runs in its own `git worktree` on branch
// `story/{run-id}/{story-key}` (see laneBranchName for why not `sprint/{run-id}/…`), made from the sprint branch `sprint/{run-id}`, which lives in its own
// worktree (the user's checkout is never switched). Finished stories merge into the sprint branch one at a
// time (fast-forward, else a merge commit). A conflict aborts the merge and keeps the story's branch and
// worktree. A worktree is removed only after its merge and only when git agrees it is clean
// (`git worktree remove` without --force). Merged branches are deleted with `git branch -d` (refuses
// unmerged work). State is in a LaneRegistry file so that recover() resumes after a crash.

import * as path from 'node:path';
import { promises as fsp } from 'node:fs';
import { laneBranchName, laneBranchPrefix, sanitizeNameSegment, sprintBranchName } from '../../core/git/branchNames';
import { GitRepository, type MergeResult } from './GitRepository';
import { LaneRegistry, type LaneRecord, type LaneRegistryData } from './LaneRegistry';

export interface WorktreeLanesOptions {
  /** The user's repository (its main working tree). */
  repo: GitRepository;
  runId: string;
  /** Folder for the registry (`{stateDir}/lanes/{run-id}.json`). */
  stateDir: string;
  /** Where worktrees go; default `{stateDir}/worktrees/{run-id}` (outside the repository). */
  worktreesRoot?: string;
  /** Branch the sprint branch starts from; default the repository's current branch. */
  baseBranch?: string;
  /**
   * Repo-relative files only the engine writes (e.g. the sprint-status.yaml): a lane's edits to them are
   * undone by a commit in the lane before its merge, so lanes never conflict on the engine's ledger.
   */
  engineOwnedPaths?: readonly string[];
  now?: () => number;
}

export type LaneFinish =
  | { status: 'merged'; storyKey: string; branch: string; mergeSha: string; fastForward: boolean; worktreeRemoved: boolean; note?: string }
  | { status: 'conflict'; storyKey: string; branch: string; cwd: string; files: string[]; detail: string }
  | { status: 'uncommitted'; storyKey: string; branch: string; cwd: string; files: string[] }
  | { status: 'failed'; storyKey: string; branch: string; cwd: string; detail: string };

export interface RecoveredLane extends LaneRecord {
  worktreePresent: boolean;
  branchPresent: boolean;
  /** Commits on the lane branch not yet in the sprint branch. */
  commitsAhead: number;
  uncommittedFiles: string[];
}

export class WorktreeLanes {
  readonly registry: LaneRegistry;
  readonly sprintBranch: string;
  private readonly root: string;
  private readonly now: () => number;
  private mergeQueue: Promise<unknown> = Promise.resolve();
  private writeQueue: Promise<unknown> = Promise.resolve();
  /**
   * `git worktree add/prune/remove` edit `.git/worktrees` and are not safe to run at the same time in
   * one repository: a prune while another lane's add is half done deletes that add's admin folder.
   */
  private worktreeAdminQueue: Promise<unknown> = Promise.resolve();

  private exclusiveWorktreeAdmin<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.worktreeAdminQueue.then(fn);
    this.worktreeAdminQueue = run.catch(() => undefined);
    return run;
  }

  constructor(private readonly opts: WorktreeLanesOptions) {
    const safeRun = sanitizeNameSegment(opts.runId);
    this.sprintBranch = sprintBranchName(opts.runId);
    this.registry = new LaneRegistry(path.join(opts.stateDir, 'lanes', `${safeRun}.json`));
    this.root = opts.worktreesRoot ?? path.join(opts.stateDir, 'worktrees', safeRun);
    this.now = opts.now ?? Date.now;
  }

  /** The sprint worktree folder (`.sprint` cannot collide with a sanitised story key). */
  get sprintCwd(): string {
    return path.join(this.root, '.sprint');
  }

  /** Registry read-modify-write, serialised (lanes are prepared and finished concurrently). */
  private update<T>(fn: (data: LaneRegistryData) => T | Promise<T>): Promise<T> {
    const run = this.writeQueue.then(async () => {
      const data = await this.ensureSprint();
      const out = await fn(data);
      await this.registry.save(data);
      return out;
    });
    this.writeQueue = run.catch(() => undefined);
    return run;
  }

  private sprintInit: Promise<LaneRegistryData> | undefined;

  /** Creates (once) the sprint branch and its worktree, and the registry. Idempotent across restarts. */
  ensureSprint(): Promise<LaneRegistryData> {
    this.sprintInit ??= this.initSprint().catch((err) => {
      this.sprintInit = undefined;
      throw err;
    });
    return this.sprintInit;
  }

  private async initSprint(): Promise<LaneRegistryData> {
    const repo = this.opts.repo;
    let data = await this.registry.load();
    if (!data) {
      const baseBranch = this.opts.baseBranch ?? (await repo.currentBranch());
      if (!baseBranch) throw new Error(`${repo.cwd}: HEAD is detached. Fix: check out the branch the sprint should start from, or set the base branch.`);
      data = { version: 1, runId: this.opts.runId, repoRoot: await repo.topLevel(), sprintBranch: this.sprintBranch, sprintCwd: this.sprintCwd, baseBranch, lanes: [] };
      await this.registry.save(data);
    }
    if (!(await repo.branchExists(this.sprintBranch))) await repo.createBranch(this.sprintBranch, data.baseBranch);
    await this.exclusiveWorktreeAdmin(async () => {
      await repo.worktreePrune();
      const listed = await repo.worktreeList();
      if (!listed.some((w) => w.path === this.sprintCwd)) {
        await fsp.mkdir(this.root, { recursive: true });
        await repo.worktreeAdd(this.sprintCwd, { branch: this.sprintBranch, newBranch: false });
      }
    });
    return data;
  }

  /** Returns the lane of a story, creating its branch and worktree if needed (idempotent). */
  async prepareLane(storyKey: string): Promise<{ cwd: string; branch: string }> {
    const branch = laneBranchName(this.opts.runId, storyKey);
    const cwd = path.join(this.root, sanitizeNameSegment(storyKey));
    const existing = await this.update((data) => {
      const lane = data.lanes.find((l) => l.storyKey === storyKey);
      if (lane && lane.state !== 'merged') return lane;
      const t = this.now();
      const fresh: LaneRecord = { storyKey, branch, cwd, state: 'preparing', createdAt: t, updatedAt: t };
      if (lane) Object.assign(lane, fresh);
      else data.lanes.push(fresh);
      return undefined;
    });
    if (existing && existing.state !== 'preparing') return { cwd: existing.cwd, branch: existing.branch };

    const repo = this.opts.repo;
    await this.exclusiveWorktreeAdmin(async () => {
      await repo.worktreePrune();
      const worktrees = await repo.worktreeList();
      if (!worktrees.some((w) => w.path === cwd)) {
        const branchThere = await repo.branchExists(branch);
        await repo.worktreeAdd(cwd, branchThere ? { branch, newBranch: false } : { branch, newBranch: true, startPoint: this.sprintBranch });
      }
    });
    const baseSha = await new GitRepository(cwd).head();
    await this.update((data) => {
      const lane = data.lanes.find((l) => l.storyKey === storyKey)!;
      lane.state = 'active';
      lane.baseSha ??= baseSha;
      lane.updatedAt = this.now();
    });
    return { cwd, branch };
  }

  /** Lanes as recorded (a copy). */
  async lanes(): Promise<LaneRecord[]> {
    const data = await this.registry.load();
    return data ? data.lanes.map((l) => ({ ...l })) : [];
  }

  /**
   * Merges a finished story into the sprint branch (one merge at a time). The story's work must be
   * committed in its worktree first; uncommitted files are reported and nothing is merged.
   */
  finishLane(storyKey: string): Promise<LaneFinish> {
    const run = this.mergeQueue.then(() => this.finishLaneNow(storyKey));
    this.mergeQueue = run.catch(() => undefined);
    return run;
  }

  private async finishLaneNow(storyKey: string): Promise<LaneFinish> {
    const data = await this.ensureSprint();
    const lane = data.lanes.find((l) => l.storyKey === storyKey);
    if (!lane) throw new Error(`No lane for story ${storyKey} in ${this.registry.file}. Fix: call prepareLane first.`);
    const { branch, cwd } = lane;
    if (lane.state === 'merged') return { status: 'merged', storyKey, branch, mergeSha: lane.mergeSha ?? '', fastForward: false, worktreeRemoved: true, note: 'already merged' };
    const laneRepo = new GitRepository(cwd);
    const dirty = await laneRepo.statusPorcelain();
    if (dirty.length > 0) return { status: 'uncommitted', storyKey, branch, cwd, files: dirty.map((d) => d.path) };

    await this.restoreEngineOwnedPaths(laneRepo, storyKey);

    const sprint = new GitRepository(this.sprintCwd);
    if (await sprint.mergeInProgress()) await sprint.abortMerge();
    await this.update((d) => setLane(d, storyKey, { state: 'merging', updatedAt: this.now() }));
    let result: MergeResult;
    try {
      result = await sprint.merge(branch, { message: `Merge story ${storyKey} into ${this.sprintBranch}` });
    } catch (err) {
      await this.update((d) => setLane(d, storyKey, { state: 'active', updatedAt: this.now() }));
      return { status: 'failed', storyKey, branch, cwd, detail: (err as Error).message };
    }
    if (!result.ok) {
      if (await sprint.mergeInProgress()) await sprint.abortMerge();
      if (result.conflict) {
        await this.update((d) => setLane(d, storyKey, { state: 'conflict', conflictFiles: result.ok ? [] : result.conflict ? result.files : [], updatedAt: this.now() }));
        return { status: 'conflict', storyKey, branch, cwd, files: result.files, detail: result.detail };
      }
      await this.update((d) => setLane(d, storyKey, { state: 'active', updatedAt: this.now() }));
      return { status: 'failed', storyKey, branch, cwd, detail: result.detail };
    }
    const cleanup = await this.cleanupMergedLane(lane);
    await this.update((d) => setLane(d, storyKey, { state: 'merged', mergeSha: result.ok ? result.sha : undefined, note: cleanup.note, updatedAt: this.now() }));
    return { status: 'merged', storyKey, branch, mergeSha: result.sha, fastForward: result.fastForward, worktreeRemoved: cleanup.removed, ...(cleanup.note ? { note: cleanup.note } : {}) };
  }

  /** A lane's edits to engine-owned files are undone by a new commit in the lane (history is kept). */
  private async restoreEngineOwnedPaths(laneRepo: GitRepository, storyKey: string): Promise<void> {
    const owned = this.opts.engineOwnedPaths ?? [];
    if (owned.length === 0) return;
    const base = await laneRepo.mergeBase('HEAD', this.sprintBranch);
    const changed = (await laneRepo.run(['diff', '--name-only', '-z', base, 'HEAD', '--', ...owned])).stdout.split('\0').filter(Boolean);
    if (changed.length === 0) return;
    for (const p of changed) {
      const existed = (await laneRepo.run(['cat-file', '-e', `${base}:${p}`], { okExitCodes: [1, 128] })).exitCode === 0;
      if (existed) await laneRepo.run(['checkout', base, '--', p]);
      else await laneRepo.run(['rm', '-q', '--', p]);
    }
    // The lane's tree was clean, so the index holds exactly these restorations. The lane's own version
    // stays in the lane branch's history.
    await laneRepo.commit(`chore(${storyKey}): leave engine-owned files to the engine\n\n${changed.join('\n')}`);
  }

  private async cleanupMergedLane(lane: LaneRecord): Promise<{ removed: boolean; note?: string }> {
    const repo = this.opts.repo;
    const laneRepo = new GitRepository(lane.cwd);
    const dirty = await laneRepo.statusPorcelain().catch(() => []);
    if (dirty.length > 0) return { removed: false, note: `worktree ${lane.cwd} kept: it has uncommitted files (${dirty.map((d) => d.path).join(', ')})` };
    try {
      await this.exclusiveWorktreeAdmin(() => repo.worktreeRemove(lane.cwd));
    } catch (err) {
      return { removed: false, note: `worktree ${lane.cwd} kept: ${(err as Error).message}` };
    }
    try {
      await new GitRepository(this.sprintCwd).deleteMergedBranch(lane.branch);
    } catch (err) {
      return { removed: true, note: `branch ${lane.branch} kept: ${(err as Error).message}` };
    }
    return { removed: true };
  }

  /**
   * After a crash: reconciles the registry with git. An interrupted merge is aborted (the lane goes back
   * to active, its branch intact); a lane whose branch is already in the sprint branch is marked merged;
   * a lane left `preparing` becomes active when its worktree exists. Worktrees on this run's lane branches
   * missing from the registry are adopted. Nothing is deleted.
   */
  async recover(): Promise<RecoveredLane[]> {
    await this.ensureSprint();
    const repo = this.opts.repo;
    const sprint = new GitRepository(this.sprintCwd);
    if (await sprint.mergeInProgress()) await sprint.abortMerge();
    const worktrees = await repo.worktreeList();
    const out: RecoveredLane[] = [];
    await this.update(async (d) => {
      for (const w of worktrees) {
        const prefix = laneBranchPrefix(this.opts.runId);
        if (!w.branch?.startsWith(prefix) || d.lanes.some((l) => l.cwd === w.path)) continue;
        const t = this.now();
        d.lanes.push({ storyKey: w.branch.slice(prefix.length), branch: w.branch, cwd: w.path, state: 'active', note: 'adopted from git worktree list', createdAt: t, updatedAt: t });
      }
      for (const lane of d.lanes) {
        const worktreePresent = worktrees.some((w) => w.path === lane.cwd);
        const branchPresent = await repo.branchExists(lane.branch);
        let commitsAhead = 0;
        if (branchPresent) {
          commitsAhead = Number((await repo.run(['rev-list', '--count', `${this.sprintBranch}..${lane.branch}`, '--'])).stdout.trim());
        }
        if (lane.state === 'merging') lane.state = branchPresent && commitsAhead === 0 ? 'merged' : 'active';
        if (lane.state === 'preparing' && worktreePresent) lane.state = 'active';
        const uncommittedFiles = worktreePresent ? (await new GitRepository(lane.cwd).statusPorcelain()).map((s) => s.path) : [];
        lane.updatedAt = this.now();
        out.push({ ...lane, worktreePresent, branchPresent, commitsAhead, uncommittedFiles });
      }
    });
    return out;
  }

  /**
   * Optional end of sprint: merges the sprint branch into the base branch, only in the user's checkout,
   * only when it is on that branch and clean. Otherwise says why and changes nothing.
   */
  async mergeSprintIntoBase(): Promise<MergeResult> {
    const data = await this.ensureSprint();
    const repo = this.opts.repo;
    const branch = await repo.currentBranch();
    if (branch !== data.baseBranch) return { ok: false, conflict: false, detail: `${repo.cwd} is on ${branch ?? 'a detached HEAD'}, not ${data.baseBranch}; merge ${this.sprintBranch} yourself` };
    // The engine's own files (the ledger it keeps writing here) may be modified: lanes never change them
    // on the sprint branch, and git itself refuses a merge that would overwrite a local change.
    const owned = new Set(this.opts.engineOwnedPaths ?? []);
    const dirty = (await repo.statusPorcelain()).filter((s) => s.code !== '??' && !owned.has(s.path));
    if (dirty.length > 0) return { ok: false, conflict: false, detail: `${repo.cwd} has uncommitted changes (${dirty.map((d) => d.path).join(', ')}); merge ${this.sprintBranch} yourself` };
    const r = await repo.merge(this.sprintBranch, { message: `Merge ${this.sprintBranch}` });
    if (!r.ok && (await repo.mergeInProgress())) await repo.abortMerge();
    return r;
  }
}

function setLane(data: LaneRegistryData, storyKey: string, patch: Partial<LaneRecord>): void {
  const lane = data.lanes.find((l) => l.storyKey === storyKey);
  if (lane) Object.assign(lane, patch);
}
