// The line scanner is the fast path of the ledger: whatever it reads must read exactly as yaml's Document
// parse does, and every status write must produce the same bytes as the implementation before it. These
// tests compare the three readers (scanner-first parseLedgerText, parseLedgerDocument, and the previous
// implementation kept in support/) on real ledgers and on a few thousand generated ones, clean and messy.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import type { FileStat, FileSystem } from '../../../src/core/fs/FileSystem';
import { scanLedgerText } from '../../../src/core/ledger/LedgerLineScanner';
import { STORY_STATUSES, storyStatusAsBmadReads, type StoryStatus } from '../../../src/core/ledger/LedgerTypes';
import { SprintLedger, parseLedgerDocument, parseLedgerText } from '../../../src/core/ledger/SprintLedger';
import { PreviousSprintLedger, previousParseLedgerText } from './support/PreviousSprintLedger';
import { fixturePath } from '../../support/fixtures';

const FILE = '/ws/_bmad-output/implementation-artifacts/sprint-status.yaml';
const REAL_FIXTURE = fixturePath('bmad', 'sprint-status.real.yaml');
const SAMPLE_WORKSPACE = `${__dirname}/../../../sample-workspace/_bmad-output/implementation-artifacts/sprint-status.yaml`;
const TEMPLATE = `${__dirname}/../../../media/templates/sprint-status-template.yaml`;

/** Deterministic PRNG (mulberry32): a failing seed reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const STATUS_WORDS = [...STORY_STATUSES, 'optional', 'drafted', 'Done', 'in progress'];

/** Values the scanner must read itself (text after `key:`). */
function cleanValue(r: Rng, n: number): string {
  const s = pick(r, STATUS_WORDS);
  return pick(r, [
    ` ${s}`,
    ` ${s}`,
    ` ${s}`,
    ` ${s}  # note ${n}`,
    ` ${s} #${n}`,
    ` '${s}'`,
    ` "${s}"`,
    ` '${s}'   # quoted ${n}`,
    ` "${s}" # q`,
    '',
    ' ',
    '   ',
    ' # nothing yet',
    '  #x',
    ` ${s}#not-a-comment`,
    ` ${s}   `,
    ' two words here',
    ' a:b',
    " 'it''s'",
    " ''",
    ' ""',
    ' 2026-01-22',
    ' ~',
    ' null',
    ' yes',
    ' 1e3',
  ]);
}

/** Values only the Document parse understands, or that are errors. */
function messyValue(r: Rng): string {
  return pick(r, [
    ' &a done',
    ' *a',
    ' [done]',
    ' {a: b}',
    ' !!str done',
    ' "esc\\tx"',
    ' |\n    backlog',
    ' >\n    backlog',
    ' done\n    continued',
    ' a: b',
    ' -1',
    ' - x',
    ' done:',
    " 'unclosed",
    ' "unclosed',
    '\tdone',
    ' ? x',
    ' @x',
    ' `x`',
    " 'a' b",
    ' "a"b',
  ]);
}

function cleanKey(r: Rng, e: number, s: number, i: number): string {
  return pick(r, [
    `${e}-${s}-story-${i}`,
    `${e}-${s}-story-${i}`,
    `${e}-${s}-story-${i}`,
    `${e}-${s}`,
    `"${e}-${s}-quoted-${i}"`,
    `'${e}-${s}-it''s-${i}'`,
    `${e}-${s}-a#b-${i}`,
    `${e}-${s}-a:b-${i}`,
    `${e}-${s} with spaces ${i}`,
    `${e}-${s}-$(rm -rf ~); \`whoami\` && echo | cat > x-${i}`,
    `${e}-${s}-../../etc/passwd-${i}`,
    `setup-${i}`,
    `${e}--${s}-${i}`,
    `${e}a-${s}-${i}`,
    `${e}-sr-${s}-${i}`,
    `Epic-${e}-${i}`,
  ]);
}

function messyKey(r: Rng, e: number, s: number, i: number): string {
  return pick(r, [
    `-${e}-${s}`,
    `"${e}-${s}\\t${i}"`,
    `? ${e}-${s}`,
    `&k ${e}-${s}-${i}`,
    `!t ${e}-${s}-${i}`,
    `${e}-${s} #c-${i}`,
    `"${e}-${s}" `,
    `[${e}, ${s}]`,
    `${e}-${s}-{${i}}`,
    '""',
  ]);
}

interface GenOptions {
  stories: number;
  messy: boolean;
}

/** A generated sprint-status.yaml; `messy` ones carry a few constructs the scanner must hand to the full parse. */
function generateLedger(r: Rng, opts: GenOptions): string {
  const rare = (p: number) => opts.messy && r() < p;
  const lines: string[] = [];
  if (rare(0.05)) lines.push('---');
  if (r() < 0.7) lines.push('# STATUS DEFINITIONS:', '# ==================', '#   - backlog: Story only exists in epic file', '');
  const top = [
    'generated: 2026-01-22',
    'project: My Awesome Project',
    'project_key: jira-1234',
    'tracking_system: file-system',
    "story_location: '{story_location}'",
    'story_dir: "_bmad-output/stories"  # where stories go',
    'generated: 05-06-2-2025 21:30',
  ];
  const used = new Set<string>();
  for (const t of top) {
    const k = t.slice(0, t.indexOf(':'));
    if (used.has(k) && !rare(0.3)) continue;
    if (r() < 0.8) {
      lines.push(t);
      used.add(k);
    }
  }
  if (r() < 0.2) lines.push('extra:', '  owner: sam', '  reviewers: two people', '  # a comment', '  empty:');
  if (rare(0.04)) lines.push('extra_nested:', '  a:', '    b: c');
  lines.push('');
  if (rare(0.03)) lines.push('development_status: not-a-map');
  else if (!rare(0.03)) lines.push(pick(r, ['development_status:', 'development_status:', 'development_status:  # the ledger', '"development_status":']));

  const keys: string[] = [];
  let i = 0;
  for (let e = 1; i < opts.stories; e++) {
    if (r() < 0.5) lines.push(pick(r, [`  # Epic ${e}: generated`, `# Epic ${e} at column 0`, `      # deep comment ${e}`]));
    lines.push(`  epic-${e}:${cleanValue(r, i)}`);
    const perEpic = 1 + Math.floor(r() * 8);
    for (let s = perEpic; s >= 1 && i < opts.stories; s--, i++) {
      let key = rare(0.02) ? messyKey(r, e, s, i) : cleanKey(r, e, s, i);
      if (keys.length > 0 && rare(0.01)) key = pick(r, keys);
      keys.push(key);
      const value = rare(0.02) ? messyValue(r) : cleanValue(r, i);
      const indent = rare(0.01) ? pick(r, ['    ', ' ', '\t', '  \t']) : '  ';
      const sep = rare(0.01) ? pick(r, [' :', ':\t', '::']) : ':';
      lines.push(`${indent}${key}${sep}${value}`);
      if (r() < 0.05) lines.push(pick(r, ['', '   ', '  # between stories', '    # indented more']));
    }
    lines.push(`  epic-${e}-retrospective:${cleanValue(r, i)}`);
    if (r() < 0.6) lines.push('');
  }
  if (r() < 0.1) lines.push('last_updated: 2026-01-23');
  if (rare(0.03)) lines.push('development_status:', '  9-9-dup: done');
  if (rare(0.02)) lines.push('  trailing: { a: 1 }');
  let text = lines.join('\n') + (r() < 0.8 ? '\n' : '');
  if (r() < 0.25) text = text.replace(/\n/g, '\r\n');
  if (r() < 0.15) text = `\uFEFF${text}`;
  return text;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: string };

function outcome(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    return { ok: false, error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

/** What a reader gives, without the field saying which reader it was. */
function comparable(parsed: { text: string; snapshot: unknown; values: Map<string, unknown> }) {
  return { text: parsed.text, snapshot: parsed.snapshot, values: [...parsed.values] };
}

/**
 * An outcome without its snapshot: the text, the value spans, or the error. An unclosed quote is now reported
 * where it opens rather than where the file ends: both count as the same finding.
 */
function sourceView(o: Outcome): Outcome {
  if (!o.ok) return { ok: false, error: o.error.replace(/:\d+:\d+: (this (double|single) quote is never closed|Missing closing ["']quote)\..*$/s, ': unclosed quote') };
  const { snapshot: _snapshot, ...rest } = o.value as ReturnType<typeof comparable>;
  return { ok: true, value: rest };
}

/**
 * All three readers agree (same snapshot and value spans, or the same error); returns which reader the
 * scanner-first path used.
 */
function assertReadersAgree(text: string, label: string): 'scan' | 'document' | 'error' {
  const previous = outcome(() => comparable(previousParseLedgerText(FILE, text)));
  const document = outcome(() => comparable(parseLedgerDocument(FILE, text)));
  let parser: 'scan' | 'document' | 'error' = 'error';
  const fast = outcome(() => {
    const parsed = parseLedgerText(FILE, text);
    parser = parsed.parser;
    return comparable(parsed);
  });
  // What the readers find in the text (every entry, its value and source range, or the error) is what the
  // previous implementation found; the snapshot built from it has since gained rules of its own (legacy statuses,
  // decimal epics, keys that cannot be file names), so there the two current readers must agree with each other.
  assert.deepEqual(sourceView(document), sourceView(previous), `${label}: parseLedgerDocument differs from the previous implementation\n${text}`);
  assert.deepEqual(sourceView(fast), sourceView(previous), `${label}: parseLedgerText (${parser}) differs from the previous implementation\n${text}`);
  assert.deepEqual(fast, document, `${label}: parseLedgerText (${parser}) differs from parseLedgerDocument\n${text}`);
  return parser;
}

/** A FileSystem over one in-memory file that counts atomic writes (thousands of writes: no disk, no fsync). */
class OneFileSystem implements FileSystem {
  writes = 0;
  constructor(public content: string) {}
  async readText(): Promise<string> {
    return this.content;
  }
  async writeTextAtomic(_path: string, text: string): Promise<void> {
    this.writes++;
    this.content = text;
  }
  async replaceTextAtomic(_path: string, expected: string, text: string): Promise<boolean> {
    if (this.content !== expected) return false;
    await this.writeTextAtomic(_path, text);
    return true;
  }
  async appendText(): Promise<void> {
    throw new Error('not used by the ledger');
  }
  async exists(): Promise<boolean> {
    return true;
  }
  async stat(): Promise<FileStat | undefined> {
    return { mtimeMs: 0, size: this.content.length, isFile: true, isDirectory: false };
  }
  async mkdirp(): Promise<void> {}
  async readDir(): Promise<string[]> {
    return [];
  }
  async remove(): Promise<void> {}
  async rename(): Promise<void> {}
}

async function settle(p: Promise<{ previous: string }>): Promise<Outcome> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    return { ok: false, error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

/** Keys a write may be asked for: every entry the previous reader saw, plus one that is not there. */
function candidateKeys(text: string): string[] {
  try {
    return [...previousParseLedgerText(FILE, text).values.keys(), '1-99-not-in-the-file'];
  } catch {
    return ['1-1', '1-99-not-in-the-file'];
  }
}

/** Runs the same status writes through the previous and the current SprintLedger; results and bytes must match. */
async function assertWritesAgree(text: string, r: Rng, writes: number, label: string): Promise<void> {
  const before = new OneFileSystem(text);
  const now = new OneFileSystem(text);
  const previous = new PreviousSprintLedger(FILE, before);
  const current = new SprintLedger(FILE, now);
  const keys = candidateKeys(text);
  for (let w = 0; w < writes; w++) {
    const key = pick(r, keys);
    const status = pick(r, STORY_STATUSES) as StoryStatus;
    // A legacy word already meaning the new status (`drafted` for ready-for-dev) is now kept as written.
    const written = outcome(() => parseLedgerText(FILE, now.content).values.get(key)?.status);
    if (written.ok && typeof written.value === 'string' && written.value !== status && storyStatusAsBmadReads(written.value) === status) continue;
    const expected = sourceView(await settle(previous.setStatus(key, status)));
    const actual = sourceView(await settle(current.setStatus(key, status)));
    assert.deepEqual(actual, expected, `${label}: setStatus(${JSON.stringify(key)}, ${status}) result\n${text}`);
    assert.equal(now.content, before.content, `${label}: bytes after setStatus(${JSON.stringify(key)}, ${status})`);
    assert.equal(now.writes, before.writes, `${label}: number of file writes`);
  }
}

describe('LedgerLineScanner (the ledger fast path)', () => {
  const real: [string, string][] = [
    ['the real BMAD ledger', readFileSync(REAL_FIXTURE, 'utf8')],
    ['the sample workspace ledger', readFileSync(SAMPLE_WORKSPACE, 'utf8')],
    ['the sprint-status template', readFileSync(TEMPLATE, 'utf8')],
  ];

  describe('reads real ledgers itself, exactly as the Document parse does', () => {
    for (const [name, text] of real) {
      for (const [variant, t] of [
        ['as shipped', text],
        ['with CRLF', text.replace(/\n/g, '\r\n')],
        ['with a BOM and CRLF', `\uFEFF${text.replace(/\n/g, '\r\n')}`],
        ['without the final newline', text.replace(/\n+$/, '')],
      ] as const) {
        it(`${name}, ${variant}`, () => {
          assert.equal(assertReadersAgree(t, `${name} ${variant}`), 'scan');
          assert.ok(parseLedgerText(FILE, t).snapshot.stories.length > 0);
        });
      }
    }

    it('a 5,000-story ledger with a comment on every line', () => {
      const lines = [real[0][1].slice(0, real[0][1].indexOf('development_status:')), 'development_status:'];
      for (let n = 0, e = 1; n < 5000; e++) {
        lines.push(`  # Epic ${e}: generated`, `  epic-${e}: in-progress`);
        for (let s = 1; s <= 10; s++, n++) lines.push(`  ${e}-${s}-story-${s}-of-epic-${e}: ${n < 4500 ? 'done' : 'backlog'}  # note ${n}`);
        lines.push(`  epic-${e}-retrospective: optional`, '');
      }
      const text = lines.join('\n');
      assert.equal(assertReadersAgree(text, '5,000 stories'), 'scan');
      assert.equal(parseLedgerText(FILE, text).snapshot.stories.length, 5000);
    });
  });

  it('reads 600 generated clean ledgers itself, identically to the Document parse', () => {
    const r = prng(20260122);
    for (let n = 0; n < 600; n++) {
      const text = generateLedger(r, { stories: 1 + Math.floor(r() * 40), messy: false });
      assert.equal(assertReadersAgree(text, `clean #${n}`), 'scan', `clean #${n} was not scanned:\n${text}`);
    }
  });

  it('on 1,000 generated messy ledgers: same snapshot or same error as before, whichever reader runs', () => {
    const r = prng(7);
    const used = { scan: 0, document: 0, error: 0 };
    for (let n = 0; n < 1000; n++) {
      const text = generateLedger(r, { stories: 1 + Math.floor(r() * 30), messy: true });
      used[assertReadersAgree(text, `messy #${n}`)]++;
    }
    // Each path must really have been exercised.
    for (const [path, count] of Object.entries(used)) assert.ok(count >= 60, `only ${count} ledgers went through ${path}: ${JSON.stringify(used)}`);
  });

  describe('hands anything else to the full parse', () => {
    const handed: [string, string][] = [
      ['an anchor and an alias', 'development_status:\n  1-1-a: &open backlog\n  1-2-b: *open\n'],
      ['a flow mapping', 'development_status: { 1-1-a: backlog }\n'],
      ['a flow sequence value', 'development_status:\n  1-1-a: [backlog]\n'],
      ['a tag', 'development_status:\n  1-1-a: !!str backlog\n'],
      ['a block scalar', 'development_status:\n  1-1-a: |\n    backlog\n'],
      ['a multi-line plain scalar', 'development_status:\n  1-1-a: back\n    log\n'],
      ['a tab', 'development_status:\n  1-1-a:\tbacklog\n'],
      ['an escape in a double-quoted key', 'development_status:\n  "1-1-a\\tb": backlog\n'],
      ['a document marker', '---\ndevelopment_status:\n  1-1-a: backlog\n'],
      ['a nested mapping in the section', 'development_status:\n  1-1-a:\n    status: backlog\n'],
      ['two indents in the section', 'development_status:\n  1-1-a: backlog\n    1-2-b: done\n'],
    ];
    for (const [name, text] of handed) {
      it(name, () => {
        assert.equal(scanLedgerText(text), undefined);
        assert.notEqual(assertReadersAgree(text, name), 'scan');
      });
    }
    it('errors: duplicate keys, a missing or non-mapping section, an empty file', () => {
      for (const text of [
        'development_status:\n  1-1-a: backlog\n  1-1-a: done\n',
        'generated: x\ngenerated: y\ndevelopment_status:\n  1-1-a: backlog\n',
        'project: x\n',
        'development_status: backlog\n',
        '',
        '# only a comment\n',
      ]) {
        assert.equal(scanLedgerText(text), undefined, text);
        assert.equal(assertReadersAgree(text, text), 'error', text);
      }
    });
  });

  describe('status writes are byte-identical to the previous implementation', () => {
    it('every story of the real ledgers, to every status, one after another', async () => {
      const r = prng(3);
      for (const [name, text] of real) {
        await assertWritesAgree(text, r, 120, name);
        await assertWritesAgree(`\uFEFF${text.replace(/\n/g, '\r\n')}`, r, 60, `${name} with BOM + CRLF`);
      }
    });

    it('400 generated ledgers, clean and messy, 6 writes each', async () => {
      const r = prng(11);
      for (let n = 0; n < 400; n++) {
        const text = generateLedger(r, { stories: 1 + Math.floor(r() * 25), messy: n % 2 === 1 });
        await assertWritesAgree(text, r, 6, `ledger #${n}`);
      }
    });
  });
});
