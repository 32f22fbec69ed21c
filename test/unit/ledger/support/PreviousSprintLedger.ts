// The ledger as it was before the line scanner (commit 12b66b5): yaml's Document parse for every read and a
// full re-parse to verify every write. Kept verbatim (renamed, imports re-pointed) as the oracle of the
// differential tests: the fast path must give the same snapshots and write the same bytes.

// sprint-status.yaml: read into a LedgerSnapshot, and single-value status writes that leave every other
// byte of the file alone (comments, blank lines, quote style, key order, CRLF, BOM, trailing comments).
//
// Writes never re-stringify the document: the new value replaces exactly the source range of the old
// scalar (offsets from yaml's Document API). The file is re-read and re-parsed right before each write,
// so edits made meanwhile by agents or people are kept, and written atomically (temp + rename).

import { LineCounter, isAlias, isMap, isScalar, parseDocument } from 'yaml';
import type { Document, Node as YamlNode, Pair, Scalar, YAMLMap } from 'yaml';
import type { FileSystem } from '../../../../src/core/fs/FileSystem';
import { LedgerNotFoundError } from '../../../../src/core/ledger/LedgerNotFoundError';
import { LedgerError } from '../../../../src/core/ledger/LedgerError';
import {
  STORY_STATUSES,
  type LedgerEpic,
  type LedgerProblem,
  type LedgerSnapshot,
  type LedgerStory,
  type SprintLedgerPort,
  type StoryStatus,
} from '../../../../src/core/ledger/LedgerTypes';
import { compareStoryKeys, epicIdOfEpicKey, isRetrospectiveKey, isStoryKey, parseStoryKey } from './previousStoryKeys';

function isStoryStatus(s: string): s is StoryStatus {
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

export interface PreviousParsedLedger {
  text: string;
  snapshot: LedgerSnapshot;
  values: Map<string, ValueSpan>;
}

const DEVELOPMENT_STATUS = 'development_status';

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
): { status: string; start: number; end: number; style: ValueSpan['style'] } | undefined {
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
 */
export function previousParseLedgerText(file: string, text: string): PreviousParsedLedger {
  const lineCounter = new LineCounter();
  // failsafe: every scalar stays the string it is written as (no `1e3` → 1000, no `no` → false).
  // uniqueKeys off: yaml's check is quadratic (seconds for 10,000 stories); duplicates are found below in one pass.
  const doc = parseDocument(text, { lineCounter, schema: 'failsafe', uniqueKeys: false, prettyErrors: true });
  const pos = (offset: number) => lineCounter.linePos(offset);

  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const at = e.linePos?.[0] ?? pos(e.pos[0]);
    let reason = yamlErrorReason(e.message);
    if (e.code === 'DUPLICATE_KEY') {
      const dupKey = /^[^:\n]*/.exec(text.slice(e.pos[0]))?.[0].trim();
      if (dupKey) reason = `duplicate key "${dupKey}"`;
    }
    throw new LedgerError(file, at.line, at.col, reason, yamlErrorHint(e.code));
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

  const problems: LedgerProblem[] = [];
  const stories: LedgerStory[] = [];
  const epics: LedgerEpic[] = [];
  const retrospectives: LedgerSnapshot['retrospectives'] = [];
  const values = new Map<string, ValueSpan>();
  const problem = (offset: number, message: string) => {
    const at = pos(offset);
    problems.push({ file, line: at.line, col: at.col, message });
  };

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
      const at = pos(keyOffset);
      const kind: ValueSpan['kind'] = isStoryKey(key) ? 'story' : isRetrospectiveKey(key) ? 'retrospective' : 'epic';
      const value = describeValue(doc, pair.value, text) ?? (pair.value === null ? emptyValueAfterKey(keyNode, text) : undefined);
      if (!value) {
        problem(keyOffset, `"${key}": the status is not a single value; entry ignored`);
        continue;
      }
      values.set(key, { kind, status: value.status, line: at.line, col: at.col, start: value.start, end: value.end, style: value.style });

      if (kind === 'epic') {
        epics.push({ key, epicId: epicIdOfEpicKey(key), status: value.status, line: at.line });
        continue;
      }
      if (kind === 'retrospective') {
        retrospectives.push({ key, epicId: epicIdOfEpicKey(key), status: value.status, line: at.line });
        continue;
      }
      const parts = parseStoryKey(key);
      if (!parts) {
        problem(keyOffset, `"${key}" is not a story key (expected <epic>-<number>[-title], e.g. 2a-1-login); ignored`);
        continue;
      }
      if (!isStoryStatus(value.status)) {
        problem(
          keyOffset,
          `story "${key}" has unknown status "${value.status}" (expected one of ${STORY_STATUSES.join(', ')}); it is skipped`,
        );
      }
      stories.push({ key, shortId: parts.shortId, epicId: parts.epicId, status: value.status, line: at.line });
    }
  }

  for (const w of doc.warnings) {
    const at = w.linePos?.[0] ?? pos(w.pos[0]);
    problems.push({ file, line: at.line, col: at.col, message: yamlErrorReason(w.message) });
  }

  stories.sort((a, b) => compareStoryKeys(a.key, b.key));
  return { text, snapshot: { path: file, stories, epics, retrospectives, problems }, values };
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
function emptyValueAfterKey(keyNode: Scalar, text: string): { status: string; start: number; end: number; style: ValueSpan['style'] } {
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

export class PreviousSprintLedger implements SprintLedgerPort {
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

  /** The edited text must parse to the same entries with only this story's status changed; otherwise nothing is written. */
  private verifyEdit(old: Map<string, ValueSpan>, after: string, storyKey: string, status: StoryStatus, span: ValueSpan): void {
    const fail = (why: string) =>
      new LedgerError(
        this.path,
        span.line,
        span.col,
        `refusing to write "${storyKey}": ${why}`,
        `set the status by hand to \`${storyKey}: ${status}\` and report this file's layout as a bug`,
      );
    let parsed: PreviousParsedLedger;
    try {
      parsed = previousParseLedgerText(this.path, after);
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

  private async load(): Promise<PreviousParsedLedger> {
    let text: string;
    try {
      text = await this.fs.readText(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new LedgerNotFoundError([this.path], this.path);
      throw err;
    }
    return previousParseLedgerText(this.path, text);
  }

  private async writeStatus(storyKey: string, status: StoryStatus): Promise<{ previous: string }> {
    if (!isStoryStatus(status)) {
      throw new Error(`Cannot set story "${storyKey}" to "${String(status)}": not one of ${STORY_STATUSES.join(', ')}`);
    }
    // Re-read right before writing: whatever agents or people changed since the last read is kept.
    const { text, values } = await this.load();
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
    if (span.status === status) return { previous: span.status };
    const next = text.slice(0, span.start) + replacementText(span, status, text) + text.slice(span.end);
    this.verifyEdit(values, next, storyKey, status, span);
    await this.fs.writeTextAtomic(this.path, next);
    return { previous: span.status };
  }
}
