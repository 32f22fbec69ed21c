// sprint-status.yaml: read into a LedgerSnapshot, and single-value status writes that leave every other
// byte of the file alone (comments, blank lines, quote style, key order, CRLF, BOM, trailing comments).
//
// Writes never re-stringify the document: the new value replaces exactly the source range of the old
// scalar. The file is re-read and re-parsed right before each write, so edits made meanwhile by agents or
// people are kept, and written atomically (temp + rename).
//
// Two readers give the same ParsedLedger: LedgerLineScanner (one pass over the lines, for the shape BMAD
// writes; ~1 ms per 1,000 stories) and yaml's Document parse (everything else, and every error with its
// position). An edit of a scanned file is verified by re-scanning the edited line: the scanner reads each
// line on its own given its indentation, the other lines are the same bytes, so that line is all that can
// change. An edit of a file only the Document parse understands is verified by parsing the whole result.

import { LineCounter, isAlias, isMap, isScalar, parseDocument } from 'yaml';
import type { Document, Node as YamlNode, Pair, Scalar, YAMLMap } from 'yaml';
import type { FileSystem } from '../fs/FileSystem';
import { LedgerNotFoundError } from './LedgerNotFoundError';
import { LedgerError } from './LedgerError';
import { scanEntryLine, scanLedgerText } from './LedgerLineScanner';
import {
  STORY_STATUSES,
  type LedgerEpic,
  type LedgerProblem,
  type LedgerSnapshot,
  type LedgerStory,
  type SprintLedgerPort,
  type StoryStatus,
  storyStatusAsBmadReads,
} from './LedgerTypes';
import {
  compareStoryKeys,
  epicIdOfEpicKey,
  isEpicKey,
  isRetrospectiveKey,
  isStoryKey,
  parseStandaloneKey,
  parseStoryKey,
  storyKeyFileNameProblem,
} from './storyKeys';

export function isStoryStatus(s: string): s is StoryStatus {
  return (STORY_STATUSES as readonly string[]).includes(s);
}

/** Where a `development_status` value sits in the source text. */
interface ValueSpan {
  kind: 'story' | 'epic' | 'retrospective';
  /** The value as the engine sees it (aliases resolved). */
  status: string;
  /** 1-based position of the key. */
  line: number;
  col: number;
  /** Source offsets of the value's bytes, [start, end). For an empty value both are the insertion point. */
  start: number;
  end: number;
  style: 'plain' | 'single' | 'double' | 'empty' | 'unsupported';
}

export interface ParsedLedger {
  text: string;
  snapshot: LedgerSnapshot;
  values: Map<string, ValueSpan>;
  /** Which reader produced it: the line scanner (fast path) or yaml's Document parse. */
  parser: 'scan' | 'document';
}

type ValueDescription = { status: string; start: number; end: number; style: ValueSpan['style'] };

/** A `development_status` entry as a reader found it (file order), or a problem found at that spot. */
type SectionItem =
  | { kind: 'entry'; key: string; line: number; col: number; value: ValueDescription }
  | { kind: 'problem'; line: number; col: number; message: string };

const DEVELOPMENT_STATUS = 'development_status';
/** Read-edit-write rounds before a ledger that keeps changing under the write is reported. */
const WRITE_ATTEMPTS = 10;

function yamlErrorHint(code: string): string {
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs (YAML forbids tabs for indentation)';
    case 'DUPLICATE_KEY':
      return 'keep one entry per key: delete or rename the duplicate';
    case 'MULTIPLE_DOCS':
      return 'keep a single YAML document (remove the extra `---` / `...` separators)';
    default:
      return 'correct the YAML syntax at this position, then run again';
  }
}

/** yaml's messages end with " at line L, column C:\n\n<excerpt>"; the location goes in front instead. */
function yamlErrorReason(message: string): string {
  const cut = message.search(/ at line \d+, column \d+/);
  return (cut >= 0 ? message.slice(0, cut) : message.split('\n')[0]).replace(/[.:]\s*$/, '');
}

function scalarStyle(node: Scalar, text: string): ValueSpan['style'] {
  const [start, end] = node.range ?? [0, 0];
  if (start === end) return 'empty';
  switch (node.type) {
    case 'PLAIN':
      return 'plain';
    case 'QUOTE_SINGLE':
      return text[start] === "'" ? 'single' : 'unsupported';
    case 'QUOTE_DOUBLE':
      return text[start] === '"' ? 'double' : 'unsupported';
    default:
      return 'unsupported';
  }
}

function describeValue(
  doc: Document.Parsed,
  value: unknown,
  text: string,
): ValueDescription | undefined {
  if (isAlias(value)) {
    const target = value.resolve(doc);
    const status = isScalar(target) ? String(target.value ?? '') : '';
    const [start, end] = value.range ?? [0, 0];
    return { status, start, end, style: 'plain' };
  }
  if (isScalar(value)) {
    const [start, end] = value.range ?? [0, 0];
    return { status: String(value.value ?? ''), start, end, style: scalarStyle(value, text) };
  }
  return undefined;
}

/**
 * Parses sprint-status.yaml text. Throws LedgerError for invalid YAML, duplicate keys, tabs used as indentation,
 * a missing or non-mapping `development_status`. Unknown statuses and keys that are not stories go to `problems`.
 * The line scanner reads the usual shape; anything else (and every error) goes through yaml's Document parse.
 */
export function parseLedgerText(file: string, text: string): ParsedLedger {
  const scanned = scanLedgerText(text);
  if (!scanned) return parseLedgerDocument(file, text);
  const items: SectionItem[] = scanned.entries.map((e) => ({
    kind: 'entry',
    key: e.key,
    line: e.line,
    col: e.col,
    value: { status: e.status, start: e.start, end: e.end, style: e.style },
  }));
  return buildParsedLedger(file, text, items, [], 'scan');
}

/** The full parse (yaml's Document API): every YAML construct, and the precise error for a bad file. */
export function parseLedgerDocument(file: string, text: string): ParsedLedger {
  const lineCounter = new LineCounter();
  // failsafe: every scalar stays the string it is written as (no `1e3` → 1000, no `no` → false).
  // uniqueKeys off: yaml's check is quadratic (seconds for 10,000 stories); duplicates are found below in one pass.
  const doc = parseDocument(text, { lineCounter, schema: 'failsafe', uniqueKeys: false, prettyErrors: true });
  const pos = (offset: number) => lineCounter.linePos(offset);

  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    let at = e.linePos?.[0] ?? pos(e.pos[0]);
    let reason = yamlErrorReason(e.message);
    // yaml reports an unclosed quote where the file ends; the user needs the line where it opens.
    const quote = /^Missing closing (["'])quote/.exec(e.message)?.[1] as '"' | "'" | undefined;
    const atEnd = text.slice(e.pos[0]).trim() === '';
    const opened = quote && atEnd ? unclosedQuoteOffset(text, quote) : undefined;
    if (opened !== undefined) {
      at = pos(opened);
      reason = `this ${quote === '"' ? 'double' : 'single'} quote is never closed`;
    }
    const hint = opened !== undefined ? `close the quote at the end of the value on this line (or remove it)` : yamlErrorHint(e.code);
    if (e.code === 'DUPLICATE_KEY') {
      const dupKey = /^[^:\n]*/.exec(text.slice(e.pos[0]))?.[0].trim();
      if (dupKey) reason = `duplicate key "${dupKey}"`;
    }
    throw new LedgerError(file, at.line, at.col, reason, hint);
  }

  const root = doc.contents;
  if (isMap(root)) {
    rejectDuplicateKeys(file, root, pos);
    const section: unknown = root.get(DEVELOPMENT_STATUS, true);
    if (isMap(section)) rejectDuplicateKeys(file, section, pos);
  }
  if (!isMap(root)) {
    const at = root?.range ? pos(root.range[0]) : { line: 1, col: 1 };
    throw new LedgerError(
      file,
      at.line,
      at.col,
      `no \`${DEVELOPMENT_STATUS}\` mapping: the top level is not a mapping`,
      `the file must be a YAML mapping with a \`${DEVELOPMENT_STATUS}:\` section listing epics and stories (see BMAD's sprint-status template)`,
    );
  }
  const devPair = root.items.find((p) => isScalar(p.key) && p.key.value === DEVELOPMENT_STATUS) as
    | Pair<Scalar, unknown>
    | undefined;
  if (!devPair) {
    throw new LedgerError(
      file,
      1,
      1,
      `missing \`${DEVELOPMENT_STATUS}\` section`,
      `add a top-level \`${DEVELOPMENT_STATUS}:\` mapping listing epics and stories (e.g. \`  1-1-first-story: backlog\`)`,
    );
  }

  const items: SectionItem[] = [];
  const problem = (offset: number, message: string) => items.push({ kind: 'problem', ...pos(offset), message });

  const dev = devPair.value;
  // An empty section (`development_status:` with nothing under it) is a ledger without stories.
  const devIsEmpty = dev === null || (isScalar(dev) && (dev.value === null || dev.value === ''));
  if (!devIsEmpty && !isMap(dev)) {
    const at = pos((dev as YamlNode).range?.[0] ?? devPair.key.range?.[0] ?? 0);
    throw new LedgerError(
      file,
      at.line,
      at.col,
      `\`${DEVELOPMENT_STATUS}\` is not a mapping`,
      `write it as \`key: status\` lines indented under \`${DEVELOPMENT_STATUS}:\``,
    );
  }

  if (isMap(dev)) {
    for (const pair of dev.items) {
      const keyNode = pair.key;
      if (!isScalar(keyNode) || keyNode.value === null || keyNode.value === '') {
        const offset = (keyNode as YamlNode | null)?.range?.[0] ?? (pair.value as YamlNode | null)?.range?.[0] ?? 0;
        problem(offset, 'entry without a plain key ignored');
        continue;
      }
      const key = String(keyNode.value);
      const keyOffset = keyNode.range?.[0] ?? 0;
      const value = describeValue(doc, pair.value, text) ?? (pair.value === null ? emptyValueAfterKey(keyNode, text) : undefined);
      if (!value) {
        problem(keyOffset, `"${key}": the status is not a single value; entry ignored`);
        continue;
      }
      items.push({ kind: 'entry', key, ...pos(keyOffset), value });
    }
  }

  const warnings: LedgerProblem[] = doc.warnings.map((w) => {
    const at = w.linePos?.[0] ?? pos(w.pos[0]);
    return { file, line: at.line, col: at.col, message: yamlErrorReason(w.message) };
  });
  return buildParsedLedger(file, text, items, warnings, 'document');
}

/**
 * Offset of the quote of kind `quote` that opens a scalar and is still open at the end of the text, if any. A
 * quote opens a scalar where one may start (after the indentation, `: `, `- `, `[`, `{` or `,`); inside a
 * double-quoted scalar `\\` escapes, inside a single-quoted one `''` does; `#` after a space starts a comment.
 */
export function unclosedQuoteOffset(text: string, quote: '"' | "'"): number | undefined {
  let open: { at: number; kind: string } | undefined;
  let atScalarStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (open) {
      if (open.kind === '"' && c === '\\') {
        i++;
      } else if (c === open.kind) {
        if (c === "'" && text[i + 1] === "'") i++;
        else open = undefined;
      }
      continue;
    }
    if (c === '\n') {
      atScalarStart = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const eol = text.indexOf('\n', i);
      i = (eol < 0 ? text.length : eol) - 1;
      continue;
    }
    if ((c === '"' || c === "'") && atScalarStart) {
      open = { at: i, kind: c };
      continue;
    }
    atScalarStart = c === '-' || c === '[' || c === '{' || c === ',' || c === '?' || (c === ':' && /\s/.test(text[i + 1] ?? ' '));
  }
  return open?.kind === quote ? open.at : undefined;
}

/** The snapshot and value spans from the section's entries, whichever reader found them. */
function buildParsedLedger(
  file: string,
  text: string,
  items: readonly SectionItem[],
  trailingProblems: readonly LedgerProblem[],
  parser: ParsedLedger['parser'],
): ParsedLedger {
  const problems: LedgerProblem[] = [];
  const stories: LedgerStory[] = [];
  const epics: LedgerEpic[] = [];
  const retrospectives: LedgerSnapshot['retrospectives'] = [];
  const values = new Map<string, ValueSpan>();
  const epicIds = new Set<string>();
  for (const item of items) if (item.kind === 'entry' && isEpicKey(item.key)) epicIds.add(epicIdOfEpicKey(item.key));
  for (const item of items) {
    const { line, col } = item;
    if (item.kind === 'problem') {
      problems.push({ file, line, col, message: item.message });
      continue;
    }
    const { key, value } = item;
    const kind: ValueSpan['kind'] = isStoryKey(key) ? 'story' : isRetrospectiveKey(key) ? 'retrospective' : 'epic';
    values.set(key, { kind, status: value.status, line, col, start: value.start, end: value.end, style: value.style });

    if (kind === 'epic') {
      epics.push({ key, epicId: epicIdOfEpicKey(key), status: value.status, line });
      continue;
    }
    if (kind === 'retrospective') {
      retrospectives.push({ key, epicId: epicIdOfEpicKey(key), status: value.status, line });
      continue;
    }
    const parts = parseStoryKey(key, epicIds) ?? parseStandaloneKey(key);
    if (!parts) {
      problems.push({
        file,
        line,
        col,
        kind: 'not-a-story',
        message: `"${key}" is not a story key (expected <epic>-<number>[-title], e.g. 2a-1-login, or one word like hotfix-login); ignored`,
      });
      continue;
    }
    const unusable = storyKeyFileNameProblem(key);
    if (unusable) {
      problems.push({
        file,
        line,
        col,
        kind: 'unusable-key',
        message: `story key ${JSON.stringify(key)} cannot name a story file: ${unusable}; it is skipped. Fix: rename the key to letters, digits and dashes (e.g. ${parts.shortId.replace(/[^A-Za-z0-9-]/g, '') || '1-1'}-title)`,
      });
      continue;
    }
    const status = storyStatusAsBmadReads(value.status);
    if (!isStoryStatus(status)) {
      problems.push({
        file,
        line,
        col,
        kind: 'unknown-status',
        message: `story "${key}" has unknown status "${value.status}" (BMAD does not define it; expected one of ${STORY_STATUSES.join(', ')}); it is skipped`,
      });
    }
    stories.push({ key, shortId: parts.shortId, epicId: parts.epicId, status, ...(status !== value.status ? { writtenStatus: value.status } : {}), line });
  }
  problems.push(...trailingProblems);

  stories.sort((a, b) => compareStoryKeys(a.key, b.key));
  return { text, snapshot: { path: file, stories, epics, retrospectives, problems }, values, parser };
}

/** A key written twice in one mapping: the second one is reported (YAML forbids it; BMAD tools disagree on which wins). */
function rejectDuplicateKeys(file: string, map: YAMLMap, pos: (offset: number) => { line: number; col: number }): void {
  const seen = new Set<string>();
  for (const pair of map.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    if (seen.has(key)) {
      const at = pos(pair.key.range?.[0] ?? 0);
      throw new LedgerError(file, at.line, at.col, `duplicate key "${key}"`, yamlErrorHint('DUPLICATE_KEY'));
    }
    seen.add(key);
  }
}

/** `key:` with nothing after it: yaml gives no value node; the insertion point is right after the colon. */
function emptyValueAfterKey(keyNode: Scalar, text: string): ValueDescription {
  const keyEnd = keyNode.range?.[1] ?? 0;
  const colon = text.indexOf(':', keyEnd);
  const at = colon >= 0 ? colon + 1 : keyEnd;
  return { status: '', start: at, end: at, style: 'empty' };
}

/** The bytes that replace a value, in the quote style it already had. Statuses are plain-safe words. */
function replacementText(span: ValueSpan, status: StoryStatus, text: string): string {
  switch (span.style) {
    case 'plain':
      return status;
    case 'single':
      return `'${status}'`;
    case 'double':
      return `"${status}"`;
    case 'empty': {
      const before = text[span.start - 1];
      const after = text[span.end];
      const lead = before === ' ' || before === '\t' ? '' : ' ';
      // `key: # note` → `key: done # note` (a `#` right after a plain value would become part of it).
      const trail = after === '#' ? ' ' : '';
      return `${lead}${status}${trail}`;
    }
    case 'unsupported':
      throw new Error('unreachable: unsupported styles are rejected before');
  }
}

export class SprintLedger implements SprintLedgerPort {
  /** setStatus calls of this instance run one after another, so paired stories never overwrite each other. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly fs: FileSystem,
  ) {}

  async read(): Promise<LedgerSnapshot> {
    return (await this.load()).snapshot;
  }

  setStatus(storyKey: string, status: StoryStatus): Promise<{ previous: string }> {
    const result = this.writes.then(() => this.writeStatus(storyKey, status));
    this.writes = result.catch(() => undefined);
    return result;
  }

  private editRefused(storyKey: string, status: StoryStatus, span: ValueSpan, why: string): LedgerError {
    return new LedgerError(
      this.path,
      span.line,
      span.col,
      `refusing to write "${storyKey}": ${why}`,
      `set the status by hand to \`${storyKey}: ${status}\` and report this file's layout as a bug`,
    );
  }

  /**
   * The edit of a file the line scanner read: only the edited line's bytes differ, so that line must still
   * scan as the same key with the new status (the scanner reads a line on its own, given its indentation,
   * which the edit does not touch). Otherwise nothing is written.
   */
  private verifyScannedEdit(after: string, storyKey: string, status: StoryStatus, span: ValueSpan): void {
    const lineStart = after.lastIndexOf('\n', span.start - 1) + 1;
    let lineEnd = after.indexOf('\n', span.start);
    if (lineEnd < 0) lineEnd = after.length;
    if (lineEnd > lineStart && after.charCodeAt(lineEnd - 1) === 0x0d) lineEnd--;
    let s = lineStart;
    while (s < lineEnd && after.charCodeAt(s) === 0x20) s++;
    const entry = scanEntryLine(after, s, lineEnd);
    if (!entry || entry.key !== storyKey) throw this.editRefused(storyKey, status, span, 'the edited line would no longer read as this entry');
    if (entry.status !== status) throw this.editRefused(storyKey, status, span, `the edited line would read as "${entry.status}"`);
  }

  /** The edited text must parse to the same entries with only this story's status changed; otherwise nothing is written. */
  private verifyEdit(old: Map<string, ValueSpan>, after: string, storyKey: string, status: StoryStatus, span: ValueSpan): void {
    const fail = (why: string) => this.editRefused(storyKey, status, span, why);
    let parsed: ParsedLedger;
    try {
      parsed = parseLedgerText(this.path, after);
    } catch (err) {
      throw fail(`the edit would make the file invalid (${(err as Error).message})`);
    }
    if (parsed.values.size !== old.size) throw fail('the edit would change the number of entries');
    for (const [key, v] of old) {
      const now = parsed.values.get(key);
      const expected = key === storyKey ? status : v.status;
      if (!now || now.status !== expected) throw fail(`the edit would change "${key}"`);
    }
  }

  private async load(): Promise<ParsedLedger> {
    let text: string;
    try {
      text = await this.fs.readText(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new LedgerNotFoundError([this.path], this.path);
      throw err;
    }
    return parseLedgerText(this.path, text);
  }

  private async writeStatus(storyKey: string, status: StoryStatus): Promise<{ previous: string }> {
    if (!isStoryStatus(status)) {
      throw new Error(`Cannot set story "${storyKey}" to "${String(status)}": not one of ${STORY_STATUSES.join(', ')}`);
    }
    // Re-read right before writing, and write only if nothing changed in between (compared again right before
    // the rename): whatever agents or people write meanwhile is kept, never overwritten by a stale copy.
    for (let attempt = 1; ; attempt++) {
      const written = await this.writeStatusOnce(storyKey, status);
      if (written) return written;
      if (attempt >= WRITE_ATTEMPTS) {
        throw new LedgerError(
          this.path,
          1,
          1,
          `refusing to write "${storyKey}": the file changed while it was being written, ${WRITE_ATTEMPTS} times in a row`,
          `stop whatever rewrites the file continuously, or set the status by hand to \`${storyKey}: ${status}\``,
        );
      }
    }
  }

  /** One read-edit-write; undefined when the file changed before the rename (nothing written). */
  private async writeStatusOnce(storyKey: string, status: StoryStatus): Promise<{ previous: string } | undefined> {
    const { text, values, parser } = await this.load();
    const span = values.get(storyKey);
    if (!span) {
      throw new LedgerError(
        this.path,
        1,
        1,
        `no entry "${storyKey}" under \`${DEVELOPMENT_STATUS}\``,
        'use a story key exactly as written in the file, or add the story to the file first',
      );
    }
    if (span.kind !== 'story') {
      throw new LedgerError(
        this.path,
        span.line,
        span.col,
        `"${storyKey}" is an ${span.kind === 'epic' ? 'epic' : 'epic retrospective'}, not a story`,
        'only story statuses are written by the runner; pass a story key',
      );
    }
    if (span.style === 'unsupported') {
      throw new LedgerError(
        this.path,
        span.line,
        span.col,
        `the status of "${storyKey}" is written in a style the runner does not rewrite (block scalar or multi-line)`,
        `write it on one line, e.g. \`${storyKey}: ${span.status.trim() || 'backlog'}\``,
      );
    }
    // A legacy word that already means the new status is the user's to keep (`drafted` is `ready-for-dev`).
    if (storyStatusAsBmadReads(span.status) === status) return { previous: span.status };
    const next = text.slice(0, span.start) + replacementText(span, status, text) + text.slice(span.end);
    if (parser === 'scan') this.verifyScannedEdit(next, storyKey, status, span);
    else this.verifyEdit(values, next, storyKey, status, span);
    if (!(await this.fs.replaceTextAtomic(this.path, text, next))) return undefined;
    return { previous: span.status };
  }
}
