// The markers agents print at the end of their output (003), parsed into what the workflow decides on.
// Parsing is tolerant of Markdown decoration (`**`, backticks, list bullets) and case; the last
// occurrence of a marker wins, because agents sometimes quote the instructions before answering.

export type TechSpecDecision = 'REQUIRED' | 'SKIP';
export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';
export const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];

export interface Finding {
  severity: Severity;
  text: string;
}

export interface IssueCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
}

export interface CodeReviewReport {
  findings: Finding[];
  /** `HIGHEST SEVERITY: …` value, upper-cased (`NONE` when the agent says so). */
  highestSeverity?: string;
  counts?: IssueCounts;
  /** `ZERO ISSUES` marker present. */
  zeroIssuesMarker: boolean;
  /** The review found nothing: ZERO ISSUES or all-zero counts, and no finding lines. */
  zeroIssues: boolean;
  /** At least one CRITICAL finding, CRITICAL count or highest severity. */
  hasCritical: boolean;
  /** Any of the code-review markers was printed (none at all = the agent did not finish its job). */
  hasMarkers: boolean;
}

/** Removes Markdown emphasis/code decoration so `**[CRITICAL-ISSUES-FOUND: NO]**` parses like the bare form. */
function plain(text: string): string {
  return text.replace(/\*\*|__|`/g, '');
}

function lastMatch(text: string, re: RegExp): RegExpMatchArray | undefined {
  let last: RegExpMatchArray | undefined;
  for (const m of text.matchAll(re)) last = m;
  return last;
}

/**
 * Whether a story/tech-spec review found critical issues; undefined when no marker is present. Accepts the
 * spec's `[CRITICAL-ISSUES-FOUND: YES|NO]` and the forms BMAD workflows print: `NO CRITICAL ISSUES FOUND`
 * and `CRITICAL ISSUES FOUND: <n>` (0 = none). The last marker in the text wins.
 */
export function parseCriticalIssuesFound(output: string): boolean | undefined {
  const text = plain(output);
  const found: { at: number; value: boolean }[] = [];
  for (const m of text.matchAll(/\[\s*CRITICAL[- ]ISSUES[- ]FOUND\s*:\s*(YES|NO)\s*\]/gi)) found.push({ at: m.index ?? 0, value: m[1].toUpperCase() === 'YES' });
  for (const m of text.matchAll(/\bNO\s+CRITICAL[- ]ISSUES[- ]FOUND\b/gi)) found.push({ at: m.index ?? 0, value: false });
  for (const m of text.matchAll(/\bCRITICAL[- ]ISSUES[- ]FOUND\s*:\s*(\d+)\b/gi)) found.push({ at: m.index ?? 0, value: Number(m[1]) > 0 });
  if (found.length === 0) return undefined;
  return found.reduce((a, b) => (b.at >= a.at ? b : a)).value;
}

export interface StoryIdentity {
  key: string;
  shortId: string;
}

export interface TechSpecDecisionParse {
  decisions: Record<string, TechSpecDecision>;
  /** Story keys that had no decision in the output (defaulted to REQUIRED). */
  defaulted: string[];
}

/**
 * Per-story lines `Story <id>: [TECH-SPEC-DECISION: REQUIRED|SKIP]` where `<id>` is the short id or the
 * full key (case-insensitive). With a single story a bare `[TECH-SPEC-DECISION: …]` applies to it.
 * A story without a decision is REQUIRED (003's default) and listed in `defaulted`.
 */
export function parseTechSpecDecisions(output: string, stories: readonly StoryIdentity[]): TechSpecDecisionParse {
  const text = plain(output);
  const decisions: Record<string, TechSpecDecision> = {};
  const defaulted: string[] = [];
  // Brackets are optional (workflows also print a bare `TECH-SPEC-DECISION: SKIP`); without them the
  // decision must be on the story's own line.
  const perStoryLine = /story\s+([\w.-]+)(?:\s*[:-]?\s*\[\s*TECH[- ]SPEC[- ]DECISION\s*:\s*(REQUIRED|SKIP)\s*\]|[ \t]*[:-]?[ \t]*TECH[- ]SPEC[- ]DECISION[ \t]*:[ \t]*(REQUIRED|SKIP)\b)/gi;
  const perStory = [...text.matchAll(perStoryLine)];
  // A bare marker is one that is not part of a per-story line (those name their story, maybe another one).
  const bareText = text.replace(perStoryLine, '');
  for (const story of stories) {
    const ids = [story.key.toLowerCase(), story.shortId.toLowerCase()];
    let found: TechSpecDecision | undefined;
    for (const m of perStory) {
      if (ids.includes(m[1].toLowerCase())) found = (m[2] ?? m[3]).toUpperCase() as TechSpecDecision;
    }
    if (!found && stories.length === 1) {
      const bare = lastMatch(bareText, /\[?\s*TECH[- ]SPEC[- ]DECISION\s*:\s*(REQUIRED|SKIP)\b\s*\]?/gi);
      if (bare) found = bare[1].toUpperCase() as TechSpecDecision;
    }
    if (found) decisions[story.key] = found;
    else {
      decisions[story.key] = 'REQUIRED';
      defaulted.push(story.key);
    }
  }
  return { decisions, defaulted };
}

/** Finding lines `- [CRITICAL|HIGH|MEDIUM|LOW] <text>` (also `*` bullets and numbered lists). */
export function parseFindings(output: string): Finding[] {
  const findings: Finding[] = [];
  for (const m of plain(output).matchAll(/^[ \t]*(?:[-*+]|\d+[.)])[ \t]+\[(CRITICAL|HIGH|MEDIUM|LOW)\][ \t]*:?[ \t]*(.+?)[ \t]*$/gim)) {
    findings.push({ severity: m[1].toUpperCase() as Severity, text: m[2] });
  }
  return findings;
}

/** `Issues: n CRITICAL, n HIGH, n MEDIUM, n LOW` (order free, missing severities = 0). */
export function parseIssueCounts(output: string): IssueCounts | undefined {
  const line = lastMatch(plain(output), /^.*\bIssues\s*:\s*(\d+\s*(?:CRITICAL|HIGH|MEDIUM|LOW)\b.*)$/gim);
  if (!line) return undefined;
  const counts: IssueCounts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const m of line[1].matchAll(/(\d+)\s*(CRITICAL|HIGH|MEDIUM|LOW)\b/gi)) {
    counts[m[2].toLowerCase() as keyof IssueCounts] = Number(m[1]);
  }
  return counts;
}

/** `HIGHEST SEVERITY: CRITICAL|HIGH|MEDIUM|LOW|NONE`. */
export function parseHighestSeverity(output: string): string | undefined {
  const m = lastMatch(plain(output), /HIGHEST\s+SEVERITY\s*:\s*\[?\s*([A-Za-z]+)/gi);
  return m ? m[1].toUpperCase() : undefined;
}

export function parseCodeReview(output: string): CodeReviewReport {
  const findings = parseFindings(output);
  const counts = parseIssueCounts(output);
  const highestSeverity = parseHighestSeverity(output);
  const zeroIssuesMarker = /\bZERO\s+ISSUES\b/i.test(plain(output));
  const countsZero = counts !== undefined && counts.critical + counts.high + counts.medium + counts.low === 0;
  const zeroIssues = (zeroIssuesMarker || countsZero) && findings.length === 0 && !(counts && !countsZero);
  const hasCritical =
    findings.some((f) => f.severity === 'CRITICAL') || (counts?.critical ?? 0) > 0 || highestSeverity === 'CRITICAL';
  return {
    findings,
    highestSeverity,
    counts,
    zeroIssuesMarker,
    zeroIssues,
    hasCritical,
    hasMarkers: zeroIssuesMarker || counts !== undefined || highestSeverity !== undefined,
  };
}

export type Diagnosis = { kind: 'continue-as'; status: string } | { kind: 'block'; reason: string };

/** `[DIAGNOSIS: CONTINUE-AS <status>]` or `[DIAGNOSIS: BLOCK <reason>]`; the last one wins; undefined without one. */
export function parseDiagnosis(output: string): Diagnosis | undefined {
  const m = lastMatch(plain(output), /\[\s*DIAGNOSIS\s*:\s*(CONTINUE[- ]AS|BLOCK)\s*:?\s*([^\]\n]*?)\s*\]/gi);
  if (!m) return undefined;
  if (/^BLOCK$/i.test(m[1])) return { kind: 'block', reason: m[2] || 'no reason given' };
  const status = m[2].replace(/^[<"']+|[>"']+$/g, '').trim().toLowerCase();
  return status ? { kind: 'continue-as', status } : undefined;
}
