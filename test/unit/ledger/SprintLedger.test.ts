import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LedgerError } from '../../../src/core/ledger/LedgerError';
import { SprintLedger } from '../../../src/core/ledger/SprintLedger';
import { selectNextStories } from '../../../src/core/ledger/selectNextStories';
import { LedgerNotFoundError } from '../../../src/core/ledger/LedgerNotFoundError';
import { NodeFileSystem } from '../../../src/infra/NodeFileSystem';
import { fixturePath } from '../../support/fixtures';

const REAL_FIXTURE = fixturePath('bmad', 'sprint-status.real.yaml');
const fs = new NodeFileSystem();

let dir: string;

async function ledgerWith(text: string, name = 'sprint-status.yaml'): Promise<{ ledger: SprintLedger; file: string }> {
  const file = path.join(dir, name);
  await fsp.writeFile(file, text, 'utf8');
  return { ledger: new SprintLedger(file, fs), file };
}

/** The original text with exactly the value on `key`'s line replaced; fails the test if the line is not unique. */
function withValueReplaced(original: string, key: string, from: string, to: string): string {
  const needle = `  ${key}: ${from}`;
  assert.equal(original.split(needle).length, 2, `fixture must contain "${needle}" exactly once`);
  return original.replace(needle, `  ${key}: ${to}`);
}

async function rejectsWithLedgerError(p: Promise<unknown>, check: (e: LedgerError) => void): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof LedgerError, `expected LedgerError, got ${String(e)}`);
    check(e);
    return true;
  });
}

async function filesIn(folder: string): Promise<string[]> {
  return (await fsp.readdir(folder)).sort();
}

describe('SprintLedger', () => {
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sprint-ledger-'));
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  describe('read() on the real fixture', () => {
    it('lists stories sorted with short ids and epics, epics and retrospectives apart, no problems', async () => {
      const { ledger } = await ledgerWith(await fsp.readFile(REAL_FIXTURE, 'utf8'));
      const snap = await ledger.read();
      assert.deepEqual(snap.problems, []);
      assert.equal(snap.stories.length, 50);
      assert.deepEqual(snap.stories.slice(0, 4).map((s) => s.key), [
        '1-1-project-scaffold-with-electron-vite',
        '1-2-core-shell-layout-with-ribbon-and-panels',
        '1-3-tab-system-for-sessions',
        '2a-1-session-scanner-and-database-sync',
      ]);
      const sr3 = snap.stories.find((s) => s.key === '5-sr-3-python-orchestrator-core-loop');
      assert.deepEqual(sr3, { key: '5-sr-3-python-orchestrator-core-loop', shortId: '5-sr-3', epicId: '5-sr', status: 'done', line: 195 });
      assert.ok(snap.epics.some((e) => e.key === 'epic-5-sr' && e.epicId === '5-sr' && e.status === 'in-progress'));
      assert.ok(snap.retrospectives.every((r) => r.key.endsWith('-retrospective') && r.status === 'optional'));
      assert.equal(snap.stories.some((s) => s.key.startsWith('epic-') || s.key.endsWith('-retrospective')), false);
      // Epic 4's stories come before 5-sr, which come before 5a.
      const order = snap.stories.map((s) => s.epicId).filter((e, i, all) => all.indexOf(e) === i);
      assert.deepEqual(order, ['1', '2a', '2b', '2c', '3a', '3b', '4', '5-sr', '5a', '5b', '6', '7']);
    });

    it('selects 4-3 + 4-4 (first open story, paired in its epic)', async () => {
      const { ledger } = await ledgerWith(await fsp.readFile(REAL_FIXTURE, 'utf8'));
      const selection = selectNextStories(await ledger.read());
      assert.deepEqual(selection?.storyKeys, ['4-3-update-checking', '4-4-state-persistence-and-restoration']);
      assert.equal(selection?.epicId, '4');
    });
  });

  describe('setStatus() keeps every other byte', () => {
    const cases: [string, string, 'done' | 'blocked' | 'review' | 'in-progress'][] = [
      ['4-3-update-checking', 'backlog', 'done'],
      ['5-sr-1-folder-structure-and-file-relocation', 'review', 'blocked'],
      ['7-2-plugin-specific-settings', 'backlog', 'in-progress'],
      ['1-1-project-scaffold-with-electron-vite', 'done', 'review'],
    ];
    for (const [key, from, to] of cases) {
      it(`${key}: ${from} → ${to} changes only that value`, async () => {
        const original = await fsp.readFile(REAL_FIXTURE, 'utf8');
        const { ledger, file } = await ledgerWith(original);
        const result = await ledger.setStatus(key, to);
        assert.deepEqual(result, { previous: from });
        assert.equal(await fsp.readFile(file, 'utf8'), withValueReplaced(original, key, from, to));
        assert.deepEqual(await filesIn(dir), ['sprint-status.yaml'], 'no temp file left behind');
        const story = (await ledger.read()).stories.find((s) => s.key === key);
        assert.equal(story?.status, to);
      });
    }

    it('several writes in a row: the diff is exactly those values', async () => {
      const original = await fsp.readFile(REAL_FIXTURE, 'utf8');
      const { ledger, file } = await ledgerWith(original);
      await ledger.setStatus('4-3-update-checking', 'done');
      await ledger.setStatus('4-4-state-persistence-and-restoration', 'blocked');
      await ledger.setStatus('4-3-update-checking', 'review');
      let expected = withValueReplaced(original, '4-3-update-checking', 'backlog', 'review');
      expected = withValueReplaced(expected, '4-4-state-persistence-and-restoration', 'backlog', 'blocked');
      assert.equal(await fsp.readFile(file, 'utf8'), expected);
    });

    it("keeps quote styles: 'review' stays single-quoted, \"done\" double-quoted", async () => {
      let original = await fsp.readFile(REAL_FIXTURE, 'utf8');
      original = withValueReplaced(original, '5-sr-2-sqlite-database-schema-and-operations', 'review', "'review'");
      original = withValueReplaced(original, '5-sr-3-python-orchestrator-core-loop', 'done', '"done"');
      const { ledger, file } = await ledgerWith(original);
      assert.deepEqual(await ledger.setStatus('5-sr-2-sqlite-database-schema-and-operations', 'done'), { previous: 'review' });
      assert.deepEqual(await ledger.setStatus('5-sr-3-python-orchestrator-core-loop', 'blocked'), { previous: 'done' });
      let expected = withValueReplaced(original, '5-sr-2-sqlite-database-schema-and-operations', "'review'", "'done'");
      expected = withValueReplaced(expected, '5-sr-3-python-orchestrator-core-loop', '"done"', '"blocked"');
      assert.equal(await fsp.readFile(file, 'utf8'), expected);
    });

    it('keeps a comment on the same line and fills an empty value', async () => {
      const original = [
        'development_status:',
        '  epic-1: backlog',
        '  1-1-a: backlog   # owner: sam',
        '  1-2-b:',
        '  1-3-c: # nothing yet',
        '  1-4-d: ready-for-dev#not-a-comment',
        '',
      ].join('\n');
      const { ledger, file } = await ledgerWith(original);
      await ledger.setStatus('1-1-a', 'done');
      await ledger.setStatus('1-2-b', 'backlog');
      await ledger.setStatus('1-3-c', 'backlog');
      const text = await fsp.readFile(file, 'utf8');
      assert.equal(
        text,
        [
          'development_status:',
          '  epic-1: backlog',
          '  1-1-a: done   # owner: sam',
          '  1-2-b: backlog',
          '  1-3-c: backlog # nothing yet',
          '  1-4-d: ready-for-dev#not-a-comment',
          '',
        ].join('\n'),
      );
      const snap = await ledger.read();
      assert.equal(snap.stories.find((s) => s.key === '1-4-d')?.status, 'ready-for-dev#not-a-comment');
      assert.ok(snap.problems.some((p) => p.line === 6 && p.message.includes('unknown status')));
    });

    it('preserves a BOM and CRLF line endings', async () => {
      const lf = await fsp.readFile(REAL_FIXTURE, 'utf8');
      const original = '\uFEFF' + lf.replace(/\n/g, '\r\n');
      const { ledger, file } = await ledgerWith(original);
      const snap = await ledger.read();
      assert.equal(snap.stories.length, 50);
      assert.equal(snap.stories.find((s) => s.key === '4-3-update-checking')?.line, 169);
      await ledger.setStatus('4-3-update-checking', 'done');
      const bytes = await fsp.readFile(file);
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM kept');
      const text = bytes.toString('utf8');
      assert.equal(text, withValueReplaced(original, '4-3-update-checking', 'backlog', 'done'));
      assert.equal(text.split('\r\n').length, original.split('\r\n').length);
      assert.equal(/[^\r]\n/.test(text), false, 'no bare LF introduced');
    });

    it('keeps edits made by someone else between read() and setStatus()', async () => {
      const original = await fsp.readFile(REAL_FIXTURE, 'utf8');
      const { ledger, file } = await ledgerWith(original);
      const before = await ledger.read();
      assert.equal(before.stories.find((s) => s.key === '4-4-state-persistence-and-restoration')?.status, 'backlog');
      // An agent moves 4-4 and a person edits a comment while the runner holds its snapshot.
      const meanwhile = withValueReplaced(original, '4-4-state-persistence-and-restoration', 'backlog', 'ready-for-dev').replace(
        '# Epic 5a: Folder Hierarchy',
        '# Epic 5a: Folder Hierarchy (moved to next sprint?)',
      );
      await fsp.writeFile(file, meanwhile, 'utf8');
      await ledger.setStatus('4-3-update-checking', 'done');
      assert.equal(await fsp.readFile(file, 'utf8'), withValueReplaced(meanwhile, '4-3-update-checking', 'backlog', 'done'));
    });

    it('concurrent setStatus calls on one ledger both land', async () => {
      const original = await fsp.readFile(REAL_FIXTURE, 'utf8');
      const { ledger, file } = await ledgerWith(original);
      await Promise.all([
        ledger.setStatus('4-3-update-checking', 'done'),
        ledger.setStatus('4-4-state-persistence-and-restoration', 'blocked'),
        ledger.setStatus('4-5-db-first-startup-with-background-sync', 'review'),
      ]);
      let expected = withValueReplaced(original, '4-3-update-checking', 'backlog', 'done');
      expected = withValueReplaced(expected, '4-4-state-persistence-and-restoration', 'backlog', 'blocked');
      expected = withValueReplaced(expected, '4-5-db-first-startup-with-background-sync', 'backlog', 'review');
      assert.equal(await fsp.readFile(file, 'utf8'), expected);
    });

    it('does not rewrite the file when the status is already the requested one', async () => {
      const { ledger, file } = await ledgerWith('development_status:\n  1-1-a: done\n');
      const before = (await fsp.stat(file)).ino;
      assert.deepEqual(await ledger.setStatus('1-1-a', 'done'), { previous: 'done' });
      assert.equal((await fsp.stat(file)).ino, before, 'same inode: no atomic replace happened');
    });
  });

  describe('keys are data', () => {
    it('reads and writes keys with quotes and shell metacharacters; keys that are paths are skipped as problems', async () => {
      const original = [
        'development_status:',
        '  epic-1: in-progress',
        '  "1-1-../../etc/passwd": backlog',
        `  '1-2-it''s "quoted"': backlog`,
        '  1-3-$(rm -rf ~); `whoami` && echo | cat > x: backlog',
        '  "1-4-tab\\there": review',
        '  1-5 with spaces: backlog',
        '',
      ].join('\n');
      const { ledger, file } = await ledgerWith(original);
      const snap = await ledger.read();
      assert.deepEqual(snap.stories.map((s) => [s.key, s.shortId]), [
        [`1-2-it's "quoted"`, '1-2'],
        ['1-3-$(rm -rf ~); `whoami` && echo | cat > x', '1-3'],
      ]);
      assert.deepEqual(
        snap.problems.map((p) => [p.line, p.kind]),
        [
          [3, 'unusable-key'],
          [6, 'unusable-key'],
          [7, 'not-a-story'],
        ],
      );
      assert.match(snap.problems[0].message, /story key "1-1-\.\.\/\.\.\/etc\/passwd" cannot name a story file: it contains a path separator/);
      assert.match(snap.problems[1].message, /"1-4-tab\\there" cannot name a story file: it contains the control or bidirectional character U\+0009/);
      assert.ok(snap.problems.some((p) => p.line === 7 && p.message.includes('"1-5 with spaces" is not a story key')));

      await ledger.setStatus(`1-2-it's "quoted"`, 'blocked');
      await ledger.setStatus('1-3-$(rm -rf ~); `whoami` && echo | cat > x', 'review');
      const expected = original
        .replace(`'1-2-it''s "quoted"': backlog`, `'1-2-it''s "quoted"': blocked`)
        .replace('cat > x: backlog', 'cat > x: review');
      assert.equal(await fsp.readFile(file, 'utf8'), expected);
      assert.deepEqual(await filesIn(dir), ['sprint-status.yaml'], 'nothing created from key text');
    });
  });

  describe('problems and refusals', () => {
    it('reports unknown statuses with their line, never guessing', async () => {
      const { ledger } = await ledgerWith('development_status:\n  epic-1: backlog\n  1-1-a: wont-do\n  1-2-b: Done\n  1-3-c: backlog\n');
      const snap = await ledger.read();
      assert.deepEqual(
        snap.problems.map((p) => [p.line, p.col]),
        [
          [3, 3],
          [4, 3],
        ],
      );
      assert.match(snap.problems[0].message, /story "1-1-a" has unknown status "wont-do"/);
      assert.equal(snap.problems[0].file, path.join(dir, 'sprint-status.yaml'));
      assert.deepEqual(snap.stories.map((s) => s.status), ['wont-do', 'Done', 'backlog']);
    });

    it('setStatus on a key that is not in the file is a LedgerError and writes nothing', async () => {
      const original = 'development_status:\n  epic-1: backlog\n  1-1-a: backlog\n';
      const { ledger, file } = await ledgerWith(original);
      await rejectsWithLedgerError(ledger.setStatus('1-9-missing', 'done'), (e) => {
        assert.equal(e.file, file);
        assert.match(e.message, /^.*sprint-status\.yaml:1:1: no entry "1-9-missing" under `development_status`\. Fix: /);
      });
      await rejectsWithLedgerError(ledger.setStatus('epic-1', 'done'), (e) => {
        assert.equal(e.line, 2);
        assert.match(e.reason, /is an epic, not a story/);
      });
      assert.equal(await fsp.readFile(file, 'utf8'), original);
    });

    it('refuses to rewrite a block-scalar status instead of corrupting the file', async () => {
      const original = 'development_status:\n  1-1-a: |\n    backlog\n  1-2-b: backlog\n';
      const { ledger, file } = await ledgerWith(original);
      await rejectsWithLedgerError(ledger.setStatus('1-1-a', 'done'), (e) => assert.equal(e.line, 2));
      assert.equal(await fsp.readFile(file, 'utf8'), original);
    });

    it('refuses an edit that would also change another story through a YAML alias', async () => {
      const original = 'development_status:\n  1-1-a: &open backlog\n  1-2-b: *open\n';
      const { ledger, file } = await ledgerWith(original);
      assert.deepEqual((await ledger.read()).stories.map((s) => s.status), ['backlog', 'backlog']);
      await rejectsWithLedgerError(ledger.setStatus('1-1-a', 'done'), (e) => assert.match(e.reason, /would change "1-2-b"/));
      assert.equal(await fsp.readFile(file, 'utf8'), original);
      // The alias itself can be replaced by a plain value.
      await ledger.setStatus('1-2-b', 'review');
      assert.equal(await fsp.readFile(file, 'utf8'), 'development_status:\n  1-1-a: &open backlog\n  1-2-b: review\n');
    });

    it('rejects a status that is not one of the known ones, without writing', async () => {
      const original = 'development_status:\n  1-1-a: backlog\n';
      const { ledger, file } = await ledgerWith(original);
      // Callers outside TypeScript (CLI input, webview messages) can pass any string.
      await assert.rejects(ledger.setStatus('1-1-a', 'finished' as never), /not one of backlog, ready-for-dev/);
      assert.equal(await fsp.readFile(file, 'utf8'), original);
    });

    it('a missing file is a LedgerNotFoundError naming it', async () => {
      const ledger = new SprintLedger(path.join(dir, 'nope.yaml'), fs);
      await assert.rejects(ledger.read(), (e: unknown) => e instanceof LedgerNotFoundError && e.message.includes(path.join(dir, 'nope.yaml')));
    });
  });

  describe('errors carry file:line:col and nothing is written', () => {
    const bad: [string, string, number, number, RegExp][] = [
      ['malformed YAML', 'development_status:\n  1-1-a: backlog\n  1-2-b: [unclosed\n  1-3-c: done\n', 4, 3, /Fix: correct the YAML syntax/],
      ['duplicate key', 'development_status:\n  1-1-a: backlog\n  1-2-b: done\n  1-1-a: review\n', 4, 3, /duplicate key "1-1-a"\. Fix: keep one entry per key/],
      ['tab indentation', 'development_status:\n  1-1-a: backlog\n\t1-2-b: done\n', 3, 1, /Tabs are not allowed as indentation\. Fix: indent with spaces, not tabs/],
      ['missing development_status', 'generated: 2026-01-22\nproject: x\nstories:\n  1-1-a: backlog\n', 1, 1, /missing `development_status` section\. Fix: add a top-level `development_status:`/],
      ['development_status not a mapping', 'development_status:\n  - 1-1-a\n', 2, 3, /`development_status` is not a mapping/],
      ['empty file', '', 1, 1, /no `development_status` mapping/],
    ];
    for (const [name, text, line, col, message] of bad) {
      it(name, async () => {
        const { ledger, file } = await ledgerWith(text);
        await rejectsWithLedgerError(ledger.read(), (e) => {
          assert.equal(e.file, file);
          assert.deepEqual([e.line, e.col], [line, col], e.message);
          assert.ok(e.message.startsWith(`${file}:${line}:${col}: `), e.message);
          assert.match(e.message, message);
        });
        await rejectsWithLedgerError(ledger.setStatus('1-1-a', 'done'), (e) => assert.equal(e.line, line));
        assert.equal(await fsp.readFile(file, 'utf8'), text, 'file untouched');
        assert.deepEqual(await filesIn(dir), ['sprint-status.yaml'], 'no temp file left behind');
      });
    }

    it('a file that became invalid between read() and setStatus() is not written', async () => {
      const { ledger, file } = await ledgerWith('development_status:\n  1-1-a: backlog\n');
      await ledger.read();
      const broken = 'development_status:\n  1-1-a: backlog\n  1-1-a: review\n';
      await fsp.writeFile(file, broken, 'utf8');
      await rejectsWithLedgerError(ledger.setStatus('1-1-a', 'done'), (e) => assert.equal(e.line, 3));
      assert.equal(await fsp.readFile(file, 'utf8'), broken);
    });
  });

  it('parses a 10,000-story ledger quickly and selects from it', async function () {
    this.timeout(20000);
    const lines = ['# big sprint', 'development_status:'];
    for (let epic = 1; epic <= 100; epic++) {
      lines.push(`  # Epic ${epic}`, `  epic-${epic}: backlog`);
      for (let story = 100; story >= 1; story--) lines.push(`  ${epic}-${story}-story-number-${story}: ${epic <= 99 ? 'done' : 'backlog'}`);
      lines.push(`  epic-${epic}-retrospective: optional`, '');
    }
    const { ledger, file } = await ledgerWith(lines.join('\n'));
    const started = Date.now();
    const snap = await ledger.read();
    const elapsed = Date.now() - started;
    assert.equal(snap.stories.length, 10000);
    assert.ok(elapsed < 5000, `read took ${elapsed} ms`);
    assert.equal(snap.stories[0].key, '1-1-story-number-1');
    assert.equal(snap.stories[9999].key, '100-100-story-number-100');
    assert.deepEqual(selectNextStories(snap)?.storyKeys, ['100-1-story-number-1', '100-2-story-number-2']);
    await ledger.setStatus('100-1-story-number-1', 'done');
    assert.equal(await fsp.readFile(file, 'utf8'), lines.join('\n').replace('  100-1-story-number-1: backlog', '  100-1-story-number-1: done'));
  });
});
