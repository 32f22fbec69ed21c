// Reads BMAD's epics from `{planning_artifacts}/epics.md`, or the sharded `{planning_artifacts}/epics/*.md`
// (in name order) when there is no single file. Used to fill a new ledger and to title epics in the tree.

import * as path from 'node:path';
import type { FileSystem } from '../fs/FileSystem';
import { parseEpicsOutline, type OutlineEpic } from './parseEpicsOutline';

export async function readEpicsOutline(planningArtifacts: string, fs: FileSystem): Promise<{ epics: OutlineEpic[]; sources: string[] }> {
  const sources: string[] = [];
  const single = path.join(planningArtifacts, 'epics.md');
  if ((await fs.stat(single))?.isFile) sources.push(single);
  const shardDir = path.join(planningArtifacts, 'epics');
  if (sources.length === 0 && (await fs.stat(shardDir))?.isDirectory) {
    const names = (await fs.readDir(shardDir)).filter((n) => n.endsWith('.md')).sort();
    sources.push(...names.map((n) => path.join(shardDir, n)));
  }
  const texts = await Promise.all(sources.map((s) => fs.readText(s)));
  return { epics: parseEpicsOutline(texts.join('\n')), sources };
}

/**
 * Epic id → title (`1` → `Task Basics`) for the epics whose heading has one. Titles are decoration:
 * a missing or unreadable file gives an empty map, never an error.
 */
export async function readEpicTitles(planningArtifacts: string, fs: FileSystem): Promise<Map<string, string>> {
  try {
    const { epics } = await readEpicsOutline(planningArtifacts, fs);
    return new Map(epics.filter((e) => e.title !== '').map((e) => [e.epicId, e.title]));
  } catch {
    return new Map();
  }
}
