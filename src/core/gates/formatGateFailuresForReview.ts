// Failed gate output, as text for the next code-review prompt, so the review sees what failed.
// Output is fenced with a fence longer than any backtick run inside it, so agent or
// test output can never close the block early.

import type { GateResult } from './GateResult';

function fenceFor(text: string): string {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Empty string when every gate passed. */
export function formatGateFailuresForReview(results: readonly GateResult[]): string {
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 0) return '';
  const lines: string[] = [
    '## Quality gate failures',
    '',
    `${failed.length} of ${results.length} quality gate(s) failed after dev-story. Treat each failure as a review issue and fix it.`,
  ];
  for (const r of failed) {
    const how = r.timedOut ? 'timed out' : r.exitCode === null ? 'did not run' : `exit code ${r.exitCode}`;
    lines.push('', `### ${r.name} (${how}, ${seconds(r.durationMs)})`);
    if (r.error) lines.push('', r.error);
    const body = r.output.trimEnd();
    if (body) {
      const fence = fenceFor(body);
      lines.push('', fence, body, fence);
    }
  }
  return lines.join('\n') + '\n';
}
