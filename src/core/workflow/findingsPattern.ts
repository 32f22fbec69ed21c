// 003 step 4: "attempt ≥ 3 and the last three error patterns are substantially similar → blocked".
// A review's pattern is its set of normalised findings; patterns are compared on the findings' text,
// never on the severity word alone (three reviews that each say "1 HIGH" about different things are
// progress, not a loop). The rule, also in docs/workflow.md:
//
//   normalise(finding) = lower-case "<severity> <text>" with file:line / file:line:col reduced to the
//                        file, `L12`, `L12-L14`, `line 12`, `lines 12-14` and `#L12` removed, and
//                        runs of whitespace collapsed;
//   pattern(review)    = the sorted, de-duplicated normalised findings;
//   similar(a, b)      = both non-empty and |a ∩ b| / |a ∪ b| ≥ 0.5 (Jaccard index);
//   repeated(r1,r2,r3) = similar(r1,r2) ∧ similar(r2,r3) ∧ similar(r1,r3).
//
// Empty patterns are never similar: a review that lists no findings gives nothing to compare, and the
// other exits (ZERO ISSUES, no CRITICAL after 3, hard limit) still apply.

import type { Finding } from './markers';

export const SIMILARITY_THRESHOLD = 0.5;

export function normaliseFinding(f: Finding): string {
  const text = f.text
    .toLowerCase()
    .replace(/#l\d+(?:-l?\d+)?\b/g, '')
    .replace(/([\w./\\-]+\.\w+):\d+(?::\d+)?(?:-\d+)?/g, '$1')
    .replace(/\(?\blines?\s+\d+(?:\s*[-–]\s*\d+)?\)?/g, '')
    .replace(/\(?\bl\d+(?:\s*[-–]\s*l?\d+)?\b\)?/g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:)])/g, '$1')
    .trim();
  return `${f.severity.toLowerCase()} ${text}`;
}

export function findingsPattern(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map(normaliseFinding))].sort();
}

export function patternSimilarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const setB = new Set(b);
  const intersection = new Set(a.filter((x) => setB.has(x))).size;
  const union = new Set([...a, ...b]).size;
  return intersection / union;
}

export function patternsSimilar(a: readonly string[], b: readonly string[]): boolean {
  return patternSimilarity(a, b) >= SIMILARITY_THRESHOLD;
}

/** True when the three patterns (oldest first) are pairwise substantially similar. */
export function isRepeatedPattern(lastThree: readonly (readonly string[])[]): boolean {
  if (lastThree.length < 3) return false;
  const [a, b, c] = lastThree.slice(-3);
  return patternsSimilar(a, b) && patternsSimilar(b, c) && patternsSimilar(a, c);
}
