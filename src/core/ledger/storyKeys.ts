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

/**
 * Short id and epic of a story key, or undefined when the key has no story number (or an empty segment before it).
 * `epicIds` are the ledger's own epics (from its `epic-…` keys): a key that starts with one of them followed by a
 * story number belongs to it, the longest first, so `7-5-2-routing` is story `7-5-2` of epic `7-5` when the
 * ledger has `epic-7-5` (a "decimal" epic), and story `7-5` of epic `7` otherwise.
 */
export function parseStoryKey(key: string, epicIds?: ReadonlySet<string>): StoryKeyParts | undefined {
  if (epicIds && epicIds.size > 0) {
    const own = storyOfKnownEpic(key, epicIds);
    if (own) return own;
  }
  return parseByFirstNumber(key);
}

/** The longest `<epic>-<number>` prefix of `key` whose epic is one of `epicIds` (which may contain dashes). */
function storyOfKnownEpic(key: string, epicIds: ReadonlySet<string>): StoryKeyParts | undefined {
  let best: StoryKeyParts | undefined;
  for (let dash = key.indexOf('-'); dash > 0; dash = key.indexOf('-', dash + 1)) {
    const epicId = key.slice(0, dash);
    if (!epicIds.has(epicId)) continue;
    let end = key.indexOf('-', dash + 1);
    if (end < 0) end = key.length;
    if (end > dash + 1 && allDigits(key, dash + 1, end) && epicSegmentsClean(epicId)) best = { epicId, shortId: key.slice(0, end) };
  }
  return best;
}

/**
 * A key with no story number (`hotfix-profile-band-segmentation`) written as a plain file-name-like word: it is
 * work the ledger lists all the same, run as a story of its own (its own id and epic).
 */
export function parseStandaloneKey(key: string): StoryKeyParts | undefined {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(key) ? { epicId: key, shortId: key } : undefined;
}

/** The 003 rule: the first purely numeric segment after segment 0 is the story number. */
function parseByFirstNumber(key: string): StoryKeyParts | undefined {
  // Index-based (no split, no regex per segment): a 5,000-story ledger parses every key on each read.
  const firstDash = key.indexOf('-');
  if (firstDash < 0) return undefined;
  let start = firstDash + 1;
  for (;;) {
    let end = key.indexOf('-', start);
    if (end < 0) end = key.length;
    if (end > start && allDigits(key, start, end)) {
      const epicId = key.slice(0, start - 1);
      return epicSegmentsClean(epicId) ? { epicId, shortId: key.slice(0, end) } : undefined;
    }
    if (end === key.length) return undefined;
    start = end + 1;
  }
}

/** The short id of a story key (`2a-1` for `2a-1-session-scanner`); the key itself when it has no story number. */
export function shortIdOf(key: string): string {
  return parseStoryKey(key)?.shortId ?? key;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function allDigits(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

/** What `String.prototype.trim` removes is exactly what `\s` matches. */
const TRIMMED = /\s/;

/** Every segment of the epic part is non-empty and has no surrounding whitespace. */
function epicSegmentsClean(epicId: string): boolean {
  let start = 0;
  for (;;) {
    let end = epicId.indexOf('-', start);
    if (end < 0) end = epicId.length;
    if (end === start || TRIMMED.test(epicId[start]) || TRIMMED.test(epicId[end - 1])) return false;
    if (end === epicId.length) return true;
    start = end + 1;
  }
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

function compareText(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

function isLineTerminator(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029;
}

/**
 * Where a segment's leading number ends (`from` when it has none). A segment with a line break after its
 * digits counts as a word, as it always has (the rule was a `^([0-9]+)(.*)$` match, and `.` stops at breaks).
 */
function numberEnd(s: string, from: number, to: number): number {
  let i = from;
  while (i < to && isDigit(s.charCodeAt(i))) i++;
  if (i === from) return from;
  for (let j = i; j < to; j++) if (isLineTerminator(s.charCodeAt(j))) return from;
  return i;
}

function numberOf(s: string, from: number, to: number): number {
  // Up to 15 digits add up exactly; longer runs go through Number() for the same rounding as before.
  if (to - from > 15) return Number(s.slice(from, to));
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (s.charCodeAt(i) - 0x30);
  return n;
}

/** compareText of two ranges, without copying them when they are equal (the usual case: same epic, same word). */
function compareRanges(a: string, aFrom: number, aTo: number, b: string, bFrom: number, bTo: number): number {
  if (aTo - aFrom === bTo - bFrom) {
    let same = true;
    for (let i = 0; i < aTo - aFrom; i++) {
      if (a.charCodeAt(aFrom + i) !== b.charCodeAt(bFrom + i)) {
        same = false;
        break;
      }
    }
    if (same) return 0;
  }
  return compareText(a.slice(aFrom, aTo), b.slice(bFrom, bTo));
}

function compareSegments(a: string, aFrom: number, aTo: number, b: string, bFrom: number, bTo: number): number {
  const aDigits = numberEnd(a, aFrom, aTo);
  const bDigits = numberEnd(b, bFrom, bTo);
  const aNumbered = aDigits > aFrom;
  const bNumbered = bDigits > bFrom;
  if (aNumbered && bNumbered) {
    const na = numberOf(a, aFrom, aDigits);
    const nb = numberOf(b, bFrom, bDigits);
    if (na !== nb) return na - nb;
    return compareRanges(a, aDigits, aTo, b, bDigits, bTo);
  }
  // A segment starting with a digit sorts before a word: `5-2` before `5-sr-1`.
  if (aNumbered) return -1;
  if (bNumbered) return 1;
  return compareRanges(a, aFrom, aTo, b, bFrom, bTo);
}

function dashesFrom(s: string, from: number): number {
  let n = 0;
  for (let i = s.indexOf('-', from); i >= 0; i = s.indexOf('-', i + 1)) n++;
  return n;
}

/**
 * Orders story keys segment by segment. A segment's leading number compares numerically, then its suffix
 * alphabetically (case-insensitive): `1-2` < `1-10`, `2` < `2a` < `2b` < `10`. Numeric segments come before
 * word segments, a key that is a prefix of another comes first; ties (`1-01` vs `1-1`) fall back to the text.
 * Walks both keys in place (no split): sorting 5,000 stories must cost a few milliseconds, not tens.
 */
export function compareStoryKeys(a: string, b: string): number {
  let aFrom = 0;
  let bFrom = 0;
  for (;;) {
    let aTo = a.indexOf('-', aFrom);
    if (aTo < 0) aTo = a.length;
    let bTo = b.indexOf('-', bFrom);
    if (bTo < 0) bTo = b.length;
    const c = compareSegments(a, aFrom, aTo, b, bFrom, bTo);
    if (c !== 0) return c;
    const aLast = aTo === a.length;
    const bLast = bTo === b.length;
    // The difference in segment counts, as before (`as.length - bs.length`).
    if (aLast && !bLast) return -dashesFrom(b, bTo);
    if (bLast && !aLast) return dashesFrom(a, aTo);
    if (aLast && bLast) return a === b ? 0 : a < b ? -1 : 1;
    aFrom = aTo + 1;
    bFrom = bTo + 1;
  }
}

/** The longest suffix the runner appends to a story key to name a file (`{key}-discovery-story.md`). */
export const LONGEST_STORY_FILE_SUFFIX = '-discovery-story.md';
/** What most file systems allow for one file name, in bytes. */
const MAX_FILE_NAME_BYTES = 255;
/** C0/C1 control characters, DEL, YAML's and Unicode's line separators, and the bidirectional controls. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this pattern exists to find
const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Why a story key cannot be used as a file name (story files are `{key}.md`, `{key}-discovery-story.md` in the
 * artifacts folder), or undefined when it can. A key with a path separator or `..` would name a file elsewhere,
 * a control or bidi character one that displays as something else.
 */
export function storyKeyFileNameProblem(key: string): string | undefined {
  if (key.includes('/') || key.includes('\\')) return 'it contains a path separator ("/" or "\\")';
  if (key.includes('..')) return 'it contains ".."';
  const bad = UNSAFE_CHARACTER.exec(key);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `it contains the ${code === '0000' ? 'NUL' : 'control or bidirectional'} character U+${code}`;
  }
  const bytes = new TextEncoder().encode(key + LONGEST_STORY_FILE_SUFFIX).length;
  if (bytes > MAX_FILE_NAME_BYTES) {
    return `it is too long for a file name (${bytes} bytes with "${LONGEST_STORY_FILE_SUFFIX}", at most ${MAX_FILE_NAME_BYTES})`;
  }
  return undefined;
}
