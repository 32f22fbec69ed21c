// `{implementation_artifacts}/deferred-items.md`: the items agents reported as `DEFERRED: <text>`,
// the input of the next sprint planning. Appending is read + atomic rewrite, and skips lines that
// are already there, so a step that re-runs after a crash never lists an item twice.

import type { FileSystem } from '../fs/FileSystem';

export const DEFERRED_ITEMS_HEADER =
  '# Deferred items\n\nReported by agents as `DEFERRED:` lines during Sprint Runner batches, oldest first.\n\n';

export interface DeferredItemSource {
  /** Short ids of the stories the command covered (`2a-1`). */
  storyIds: string[];
  /** Command label with iteration (`code-review-3`). */
  commandLabel: string;
  batchId: number;
}

export function deferredItemLine(item: string, source: DeferredItemSource): string {
  const stories = source.storyIds.length > 0 ? source.storyIds.join(', ') : 'sprint';
  return `- [ ] ${item.replace(/\s*\n\s*/g, ' ')} — ${stories}, ${source.commandLabel}, batch ${source.batchId}`;
}

/** Returns the lines it added. */
export async function appendDeferredItems(
  fs: FileSystem,
  file: string,
  items: readonly string[],
  source: DeferredItemSource,
): Promise<string[]> {
  if (items.length === 0) return [];
  const existing = (await fs.exists(file)) ? await fs.readText(file) : '';
  const present = new Set(existing.split(/\r?\n/));
  const added = items.map((i) => deferredItemLine(i, source)).filter((l, i, all) => !present.has(l) && all.indexOf(l) === i);
  if (added.length === 0) return [];
  const base = existing === '' ? DEFERRED_ITEMS_HEADER : existing.endsWith('\n') ? existing : `${existing}\n`;
  const dir = file.replace(/[\\/][^\\/]*$/, '');
  if (dir && dir !== file) await fs.mkdirp(dir);
  await fs.writeTextAtomic(file, `${base}${added.join('\n')}\n`);
  return added;
}
