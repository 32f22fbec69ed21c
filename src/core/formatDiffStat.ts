// A batch's changes as `git diff --stat` would say them, for the review before the batch commit (the CLI
// prints it; the extension writes it to its Output).

import type { DiffStat } from './workflow/GitPort';

/** One line per changed file, then the totals; a single line when git is not in use. */
export function formatDiffStat(diff: DiffStat | null, maxFiles = 200): string[] {
  if (!diff) return ['(no diff: git is not in use for this workspace)'];
  if (diff.files.length === 0) return ['(no changes since the cycle started)'];
  const width = Math.min(60, Math.max(...diff.files.map((f) => f.path.length)));
  const lines = diff.files.slice(0, maxFiles).map((f) => {
    const what = f.untracked ? 'new file' : f.insertions === null ? 'binary' : `+${f.insertions} −${f.deletions ?? 0}`;
    return ` ${f.path.padEnd(width)} | ${what}`;
  });
  if (diff.files.length > maxFiles) lines.push(` … and ${diff.files.length - maxFiles} more`);
  const ins = diff.files.reduce((s, f) => s + (f.insertions ?? 0), 0);
  const del = diff.files.reduce((s, f) => s + (f.deletions ?? 0), 0);
  const added = diff.files.filter((f) => f.untracked).length;
  const lineCounts = added === diff.files.length ? '' : `, +${ins} −${del}${added > 0 ? ' in the others' : ''}`;
  lines.push(` ${diff.files.length} file${diff.files.length === 1 ? '' : 's'} changed${added > 0 ? ` (${added} new)` : ''}${lineCounts} (since ${diff.base.slice(0, 10)}, committed or not)`);
  return lines;
}
