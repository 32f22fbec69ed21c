// The engine's LanePort over WorktreeLanes. Lanes are worktrees of the repository; the engine works with
// the lane's copy of the *workspace* folder (the workspace may be a subfolder of the repository), so
// `prepare` returns that folder. Before a merge, uncommitted edits agents made to engine-owned files
// (the ledger, the progress log) in the lane are committed there and then undone by WorktreeLanes with a
// commit: the ledger has one writer, the engine, in the main workspace.

import * as path from 'node:path';
import type { LaneInfo, LaneMerge, LanePort, RecoveredLaneInfo } from '../../core/workflow/LanePort';
import { GitRepository } from './GitRepository';
import { WorktreeLanes } from './WorktreeLanes';

export interface NodeLanePortOptions {
  /** The workspace folder (inside the repository). */
  workspaceRoot: string;
  /** Stable id of the sprint: the sprint branch is `sprint/{id}`, lanes `story/{id}/{key}`. */
  sprintId: string;
  stateDir: string;
  /** Absolute files only the engine writes (the ledger). */
  engineOwnedFiles: string[];
  worktreesRoot?: string;
  baseBranch?: string;
}

export class NodeLanePort implements LanePort {
  private constructor(
    private readonly lanes: WorktreeLanes,
    private readonly repoTop: string,
    /** Workspace folder relative to the repository top ('' when they are the same). */
    private readonly workspaceRel: string,
    private readonly ownedRel: string[],
  ) {}

  static async open(o: NodeLanePortOptions): Promise<NodeLanePort> {
    const repo = new GitRepository(o.workspaceRoot);
    const top = await repo.topLevel();
    const rel = (abs: string): string => path.relative(top, abs).split(path.sep).join('/');
    const owned = o.engineOwnedFiles.map(rel).filter((p) => p !== '' && !p.startsWith('..'));
    const lanes = new WorktreeLanes({
      repo: new GitRepository(top),
      runId: o.sprintId,
      stateDir: o.stateDir,
      engineOwnedPaths: owned,
      ...(o.worktreesRoot ? { worktreesRoot: o.worktreesRoot } : {}),
      ...(o.baseBranch ? { baseBranch: o.baseBranch } : {}),
    });
    return new NodeLanePort(lanes, top, rel(o.workspaceRoot), owned);
  }

  get sprintBranch(): string {
    return this.lanes.sprintBranch;
  }

  /** Where the sprint branch is checked out (for tests and the report). */
  get sprintCwd(): string {
    return this.lanes.sprintCwd;
  }

  private workspaceIn(worktree: string): string {
    return this.workspaceRel ? path.join(worktree, this.workspaceRel) : worktree;
  }

  async recover(): Promise<RecoveredLaneInfo[]> {
    const lanes = await this.lanes.recover();
    return lanes.map((l) => ({ storyKey: l.storyKey, cwd: this.workspaceIn(l.cwd), branch: l.branch, state: l.state, uncommittedFiles: l.uncommittedFiles, commitsAhead: l.commitsAhead }));
  }

  async prepare(storyKey: string): Promise<LaneInfo> {
    const { cwd, branch } = await this.lanes.prepareLane(storyKey);
    return { storyKey, cwd: this.workspaceIn(cwd), branch };
  }

  async merge(storyKey: string): Promise<LaneMerge> {
    const lane = (await this.lanes.lanes()).find((l) => l.storyKey === storyKey);
    if (lane && lane.state !== 'merged') await this.commitOwnedEdits(lane.cwd, storyKey);
    const r = await this.lanes.finishLane(storyKey);
    switch (r.status) {
      case 'merged':
        return { status: 'merged', branch: r.branch, sha: r.mergeSha, fastForward: r.fastForward, ...(r.note ? { note: r.note } : {}) };
      case 'conflict':
        return { status: 'conflict', branch: r.branch, cwd: this.workspaceIn(r.cwd), files: r.files, detail: r.detail };
      case 'uncommitted':
        return { status: 'uncommitted', branch: r.branch, cwd: this.workspaceIn(r.cwd), files: r.files };
      case 'failed':
        return { status: 'failed', branch: r.branch, cwd: this.workspaceIn(r.cwd), detail: r.detail };
    }
  }

  /**
   * Uncommitted edits of engine-owned files (the ledger, the progress log) in a lane are the agents' copy
   * of what the engine records itself. They are committed in the lane (nothing is deleted), and
   * WorktreeLanes then undoes them with a commit before the merge, so lanes never conflict on them.
   */
  private async commitOwnedEdits(worktree: string, storyKey: string): Promise<void> {
    if (this.ownedRel.length === 0) return;
    const repo = new GitRepository(worktree);
    const owned = new Set(this.ownedRel);
    const dirty = (await repo.statusPorcelain()).map((s) => s.path).filter((p) => owned.has(p));
    if (dirty.length === 0) return;
    await repo.addPaths(dirty);
    await repo.commit(`chore(${storyKey}): agents' copy of engine-owned files\n\n${dirty.join('\n')}`, { only: dirty });
  }

  async mergeSprintIntoBase(): Promise<{ ok: boolean; detail: string }> {
    const r = await this.lanes.mergeSprintIntoBase();
    return r.ok ? { ok: true, detail: `${r.fastForward ? 'fast-forward to' : 'merge commit'} ${r.sha.slice(0, 12)} in ${this.repoTop}` } : { ok: false, detail: r.detail };
  }
}
