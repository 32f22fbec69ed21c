// What the epic actions of the Sprint tree act on, without `vscode` (unit-tested in Node): the story a
// "Run Next Cycle of This Epic" starts with, and where an epic's heading is in BMAD's epics file(s).

import * as path from 'node:path';
import type { FileSystem } from '../core/fs/FileSystem';
import { STORY_STATUSES, type LedgerSnapshot, type LedgerStory } from '../core/ledger/LedgerTypes';

/**
 * The engine selects a cycle's stories itself (the first open story and the next open one of the same
 * epic); it has no "only this epic" filter. Starting the cycle with the epic's first open story is the
 * nearest honest action: that cycle works on this epic's stories only (one or two of them).
 */
export function firstOpenStoryOfEpic(snapshot: LedgerSnapshot, epicId: string): LedgerStory | undefined {
  const open = (s: LedgerStory) => (STORY_STATUSES as readonly string[]).includes(s.status) && s.status !== 'done' && s.status !== 'blocked';
  return snapshot.stories.find((s) => s.epicId === epicId && open(s));
}

/** BMAD's epics: `{planning_artifacts}/epics.md`, or the sharded `epics/*.md` in name order (as the tree reads them). */
export async function epicsFiles(planningArtifacts: string, fs: FileSystem): Promise<string[]> {
  const single = path.join(planningArtifacts, 'epics.md');
  if ((await fs.stat(single))?.isFile) return [single];
  const shardDir = path.join(planningArtifacts, 'epics');
  if (!(await fs.stat(shardDir))?.isDirectory) return [];
  return (await fs.readDir(shardDir)).filter((n) => n.endsWith('.md')).sort().map((n) => path.join(shardDir, n));
}

/** `## Epic 2: Persistence` (any heading level; `:`, `.`, dashes after the id), as the outline parser reads it. */
function isHeadingOf(line: string, epicId: string): boolean {
  const m = /^#{1,6}\s+Epic\s+([0-9][0-9A-Za-z-]*)\s*(?:[:.\u2013\u2014-]|$)/i.exec(line.trim());
  return m !== null && m[1].toLowerCase() === epicId.toLowerCase();
}

/** The file and 1-based line of the epic's heading; the first file at line 1 when no heading names it. */
export async function locateEpic(files: string[], epicId: string, fs: FileSystem): Promise<{ file: string; line: number; found: boolean } | undefined> {
  for (const file of files) {
    const lines = (await fs.readText(file)).split(/\r?\n/);
    const i = lines.findIndex((l) => isHeadingOf(l, epicId));
    if (i >= 0) return { file, line: i + 1, found: true };
  }
  return files.length > 0 ? { file: files[0], line: 1, found: false } : undefined;
}
