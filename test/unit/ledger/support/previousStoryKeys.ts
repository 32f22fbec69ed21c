// storyKeys.ts before the index-based rewrite (commit 12b66b5), verbatim: the oracle of its differential test.

// Story keys of `development_status`: which keys are stories, their short id and epic, and their order.
//
// Rule (003 step 1 generalised to long keys): split the key on `-`; the story number is the first purely
// numeric segment after segment 0. The epic is everything before it, the short id everything through it:
//   `2a-1-session-scanner` → epic `2a`, short id `2a-1`
//   `5-sr-3-python-orchestrator` → epic `5-sr`, short id `5-sr-3`
//   `1-10` → epic `1`, short id `1-10`

export interface StoryKeyParts {
  shortId: string;
  epicId: string;
}

/** Short id and epic of a story key, or undefined when the key has no story number (or an empty segment before it). */
export function parseStoryKey(key: string): StoryKeyParts | undefined {
  const segments = key.split('-');
  for (let i = 1; i < segments.length; i++) {
    if (!/^[0-9]+$/.test(segments[i])) continue;
    const epicSegments = segments.slice(0, i);
    if (epicSegments.some((s) => s.trim() === '' || s !== s.trim())) return undefined;
    return { epicId: epicSegments.join('-'), shortId: segments.slice(0, i + 1).join('-') };
  }
  return undefined;
}

/** `epic-*` keys are epics (status for context only). */
export function isEpicKey(key: string): boolean {
  return key.startsWith('epic-') && !isRetrospectiveKey(key);
}

export function isRetrospectiveKey(key: string): boolean {
  return key.endsWith('-retrospective');
}

/** 003: story keys are the entries that are not `epic-*` and not `*-retrospective`. Says nothing about parsing. */
export function isStoryKey(key: string): boolean {
  return !key.startsWith('epic-') && !isRetrospectiveKey(key);
}

/** `epic-2a` → `2a`, `epic-5-sr-retrospective` → `5-sr`, `1-retrospective` → `1`. */
export function epicIdOfEpicKey(key: string): string {
  let id = key;
  if (id.startsWith('epic-')) id = id.slice('epic-'.length);
  if (id.endsWith('-retrospective')) id = id.slice(0, -'-retrospective'.length);
  return id;
}

interface SegmentOrder {
  /** Leading digits as a number; undefined when the segment does not start with a digit. */
  number: number | undefined;
  rest: string;
}

function segmentOrder(segment: string): SegmentOrder {
  const m = /^([0-9]+)(.*)$/.exec(segment);
  return m ? { number: Number(m[1]), rest: m[2] } : { number: undefined, rest: segment };
}

function compareText(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

function compareSegments(a: string, b: string): number {
  const sa = segmentOrder(a);
  const sb = segmentOrder(b);
  if (sa.number !== undefined && sb.number !== undefined) {
    if (sa.number !== sb.number) return sa.number - sb.number;
    return compareText(sa.rest, sb.rest);
  }
  // A segment starting with a digit sorts before a word: `5-2` before `5-sr-1`.
  if (sa.number !== undefined) return -1;
  if (sb.number !== undefined) return 1;
  return compareText(a, b);
}

/**
 * Orders story keys segment by segment. A segment's leading number compares numerically, then its suffix
 * alphabetically (case-insensitive): `1-2` < `1-10`, `2` < `2a` < `2b` < `10`. Numeric segments come before
 * word segments, a key that is a prefix of another comes first; ties (`1-01` vs `1-1`) fall back to the text.
 */
export function compareStoryKeys(a: string, b: string): number {
  const as = a.split('-');
  const bs = b.split('-');
  const n = Math.min(as.length, bs.length);
  for (let i = 0; i < n; i++) {
    const c = compareSegments(as[i], bs[i]);
    if (c !== 0) return c;
  }
  if (as.length !== bs.length) return as.length - bs.length;
  return a === b ? 0 : a < b ? -1 : 1;
}
