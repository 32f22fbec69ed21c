// A single-pass line scanner for the shape BMAD writes sprint-status.yaml in: top-level `key: value` lines,
// `development_status:` followed by one level of `key: value  # comment` lines, comment and blank lines.
// It is the fast path of parseLedgerText (a 5,000-story file scans in a few ms; yaml's Document parse takes
// 70+ ms) and answers `undefined` for anything it does not understand (flow collections, anchors/aliases,
// tags, block or multi-line scalars, escapes, tabs, odd line breaks, duplicate keys, a missing or
// non-mapping `development_status`), so the caller falls back to the full parse, which gives the precise
// result or error. Whatever it accepts, it reads exactly as yaml's Document API does (same values, same
// source ranges): test/unit/ledger/LedgerLineScanner.test.ts compares both on real and generated ledgers.

export type ScannedValueStyle = 'plain' | 'single' | 'double' | 'empty';

/** One `key: value` line. Offsets index the whole text; `start`/`end` bound the value's bytes. */
export interface ScannedEntryLine {
  key: string;
  keyOffset: number;
  /** The value as yaml's failsafe schema reads it (quotes removed, `''` unescaped). */
  status: string;
  /** Source range of the value, [start, end). For an empty value both are the insertion point yaml uses. */
  start: number;
  end: number;
  style: ScannedValueStyle;
}

export interface ScannedEntry extends ScannedEntryLine {
  /** 1-based line and column of the key. */
  line: number;
  col: number;
}

/** The `development_status` entries in file order; present only when the whole file was understood. */
export interface ScannedLedger {
  entries: ScannedEntry[];
}

const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const SINGLE = 0x27;
const DOUBLE = 0x22;
const BACKSLASH = 0x5c;
const CR = 0x0d;

/** Tabs, control characters, YAML's other line breaks, a BOM after the start: the full parser decides. */
// eslint-disable-next-line no-control-regex -- control characters are what sends a line to the full parser
const NOT_SCANNED = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f\u0085\u2028\u2029\ufeff]/g;
/** A CR that does not end a line. Checked apart: one character class alone scans several times faster. */
const LONE_CR = /\r(?!\n)/;

/**
 * YAML indicators a plain scalar may not start with (and `-`, `?`, `:` which may in some positions:
 * never in BMAD's keys and statuses, so they go to the full parser too). Quotes are handled by the caller.
 */
function isIndicator(code: number): boolean {
  switch (code) {
    case 0x2d: // -
    case 0x3f: // ?
    case 0x3a: // :
    case 0x2c: // ,
    case 0x5b: // [
    case 0x5d: // ]
    case 0x7b: // {
    case 0x7d: // }
    case 0x23: // #
    case 0x26: // &
    case 0x2a: // *
    case 0x21: // !
    case 0x7c: // |
    case 0x3e: // >
    case 0x25: // %
    case 0x40: // @
    case 0x60: // `
      return true;
    default:
      return false;
  }
}

/** Brackets and braces inside a plain scalar are legal in block context; the full parser judges them anyway. */
const FLOW_CHARS = /[[\]{}]/;

/** A single-quoted scalar starting at `s` and closed on the same line: its value and the offset after the closing quote. */
function readSingleQuoted(text: string, s: number, e: number): { value: string; end: number } | undefined {
  let i = s + 1;
  let value = '';
  for (;;) {
    const q = text.indexOf("'", i);
    if (q < 0 || q >= e) return undefined;
    value += text.slice(i, q);
    if (q + 1 < e && text.charCodeAt(q + 1) === SINGLE) {
      value += "'";
      i = q + 2;
      continue;
    }
    return { value, end: q + 1 };
  }
}

/** A double-quoted scalar without escapes, closed on the same line. Escapes go to the full parser. */
function readDoubleQuoted(text: string, s: number, e: number): { value: string; end: number } | undefined {
  const q = text.indexOf('"', s + 1);
  if (q < 0 || q >= e) return undefined;
  for (let i = s + 1; i < q; i++) if (text.charCodeAt(i) === BACKSLASH) return undefined;
  return { value: text.slice(s + 1, q), end: q + 1 };
}

/** After a quoted value only spaces and a comment (separated by a space) may follow. */
function onlyCommentFrom(text: string, i: number, e: number): boolean {
  let j = i;
  while (j < e && text.charCodeAt(j) === SPACE) j++;
  return j === e || (j > i && text.charCodeAt(j) === HASH);
}

/**
 * Reads one `key: value  # comment` line whose content runs from `s` (first non-space) to `e` (before the
 * line break). Undefined when the line is anything else.
 */
export function scanEntryLine(text: string, s: number, e: number): ScannedEntryLine | undefined {
  let key: string;
  let colon: number;
  const first = text.charCodeAt(s);
  if (first === DOUBLE || first === SINGLE) {
    const q = first === DOUBLE ? readDoubleQuoted(text, s, e) : readSingleQuoted(text, s, e);
    if (!q) return undefined;
    key = q.value;
    colon = q.end;
    if (colon >= e || text.charCodeAt(colon) !== COLON) return undefined;
  } else {
    if (isIndicator(first)) return undefined;
    // A plain key ends at the first `:` followed by a space or the end of the line.
    let j = s;
    for (;;) {
      j = text.indexOf(':', j);
      if (j < 0 || j >= e) return undefined;
      if (j + 1 === e || text.charCodeAt(j + 1) === SPACE) break;
      j++;
    }
    let k = j;
    while (k > s && text.charCodeAt(k - 1) === SPACE) k--;
    key = text.slice(s, k);
    if (key.includes(' #') || key.endsWith(':') || FLOW_CHARS.test(key)) return undefined;
    colon = j;
  }
  // yaml refuses implicit keys longer than 1024 characters.
  if (key.length === 0 || key.length > 1000) return undefined;

  let v = colon + 1;
  if (v < e && text.charCodeAt(v) !== SPACE) return undefined;
  while (v < e && text.charCodeAt(v) === SPACE) v++;
  // Empty value (`key:`, `key:   # note`): yaml places it after the colon and the spaces that follow.
  if (v === e || text.charCodeAt(v) === HASH) return { key, keyOffset: s, status: '', start: v, end: v, style: 'empty' };

  const c = text.charCodeAt(v);
  if (c === SINGLE || c === DOUBLE) {
    const q = c === DOUBLE ? readDoubleQuoted(text, v, e) : readSingleQuoted(text, v, e);
    if (!q || !onlyCommentFrom(text, q.end, e)) return undefined;
    return { key, keyOffset: s, status: q.value, start: v, end: q.end, style: c === DOUBLE ? 'double' : 'single' };
  }
  if (isIndicator(c)) return undefined;
  const comment = text.indexOf(' #', v);
  let end = comment >= 0 && comment < e ? comment : e;
  while (end > v && text.charCodeAt(end - 1) === SPACE) end--;
  const status = text.slice(v, end);
  // `a: b: c` is a yaml error, `a: b:` a nested key: both for the full parser.
  if (status.includes(': ') || status.endsWith(':') || FLOW_CHARS.test(status)) return undefined;
  return { key, keyOffset: s, status, start: v, end, style: 'plain' };
}

const DEVELOPMENT_STATUS = 'development_status';

/**
 * Scans sprint-status.yaml text. Returns the `development_status` entries when every line of the file is of
 * the understood shape, the section exists and is a mapping (or empty), and no mapping repeats a key at the
 * top level or in the section; otherwise undefined (use the full parse).
 */
export function scanLedgerText(text: string): ScannedLedger | undefined {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  NOT_SCANNED.lastIndex = bom;
  if (NOT_SCANNED.test(text)) return undefined;
  if (text.includes('\r') && LONE_CR.test(text)) return undefined;

  const topKeys = new Set<string>();
  const devKeys = new Set<string>();
  const entries: ScannedEntry[] = [];
  let sawDev = false;
  /** The current top-level key: whether it opened a block (empty value), whether that block is the section. */
  let inTop: 'none' | 'scalar' | 'block' = 'none';
  let inDev = false;
  let blockIndent = -1;

  let lineNo = 0;
  let lineStart = bom;
  const length = text.length;
  while (lineStart <= length) {
    lineNo++;
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = length;
    const next = lineEnd + 1;
    const e = lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd;
    let s = lineStart;
    while (s < e && text.charCodeAt(s) === SPACE) s++;
    const indent = s - lineStart;
    // The first line's column counts a BOM, as yaml's LineCounter does.
    const colBase = lineNo === 1 ? 0 : lineStart;

    if (s < e && text.charCodeAt(s) !== HASH) {
      const entry = scanEntryLine(text, s, e);
      if (!entry) return undefined;
      if (indent === 0) {
        if (topKeys.has(entry.key)) return undefined;
        topKeys.add(entry.key);
        inDev = entry.key === DEVELOPMENT_STATUS;
        if (inDev) sawDev = true;
        // `development_status: something` is not a mapping: the full parse words the error.
        if (inDev && entry.style !== 'empty') return undefined;
        inTop = entry.style === 'empty' ? 'block' : 'scalar';
        blockIndent = -1;
      } else {
        // An indented line belongs to the block of the last top-level key, one level deep, one indent.
        if (inTop !== 'block') return undefined;
        if (blockIndent < 0) blockIndent = indent;
        else if (indent !== blockIndent) return undefined;
        if (inDev) {
          if (devKeys.has(entry.key)) return undefined;
          devKeys.add(entry.key);
          // An explicit literal: object spread here costs more than the rest of the scan.
          entries.push({
            key: entry.key,
            keyOffset: entry.keyOffset,
            status: entry.status,
            start: entry.start,
            end: entry.end,
            style: entry.style,
            line: lineNo,
            col: entry.keyOffset - colBase + 1,
          });
        }
      }
    }
    if (lineEnd === length) break;
    lineStart = next;
  }
  return sawDev ? { entries } : undefined;
}
