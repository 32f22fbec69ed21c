// The lanes of one run, in a JSON file in the state dir, written atomically (temp + fsync + rename) before
// and after every git step, so that after a crash (kill -9) WorktreeLanes.recover() finds every lane again.

import * as path from 'node:path';
import { promises as fsp } from 'node:fs';
import { writeFileAtomic } from '../NodeFileSystem';

export type LaneState =
  /** Registry written, worktree being created. */
  | 'preparing'
  /** Worktree exists; the story runs there. */
  | 'active'
  /** Merge into the sprint branch started. */
  | 'merging'
  /** Merged; worktree removed (or kept because it was not clean: see `note`). */
  | 'merged'
  /** Merge conflicted and was aborted; branch and worktree kept. */
  | 'conflict';

export interface LaneRecord {
  storyKey: string;
  branch: string;
  cwd: string;
  state: LaneState;
  /** Sprint branch sha the lane was created from. */
  baseSha?: string;
  mergeSha?: string;
  conflictFiles?: string[];
  note?: string;
  createdAt: number;
  updatedAt: number;
}

export interface LaneRegistryData {
  version: 1;
  runId: string;
  repoRoot: string;
  sprintBranch: string;
  sprintCwd: string;
  /** Branch the sprint branch was made from (and may merge back into at the end). */
  baseBranch: string;
  lanes: LaneRecord[];
}

export class LaneRegistry {
  constructor(readonly file: string) {}

  async load(): Promise<LaneRegistryData | undefined> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let data: LaneRegistryData;
    try {
      data = JSON.parse(text) as LaneRegistryData;
    } catch (err) {
      throw new Error(`${this.file}:1:1: the lane registry is not valid JSON (${(err as Error).message}). Fix: restore it from the worktrees listed by "git worktree list", or delete it after checking that every sprint/* branch is merged.`);
    }
    if (data.version !== 1 || !Array.isArray(data.lanes)) throw new Error(`${this.file}:1:1: unknown lane registry format. Fix: use the Sprint Runner version that wrote it.`);
    return data;
  }

  async save(data: LaneRegistryData): Promise<void> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n');
  }
}
