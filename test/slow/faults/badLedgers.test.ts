// Bad ledgers through the real CLI: each gives a clear error (`<file>:<line>:<col>: …`, exit 2) or is
// handled; a failed operation never modifies the file (bytes and mtime compared), and story keys with
// `../`, spaces, quotes or shell metacharacters are never used unescaped in paths or commands.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { FaultRecorder } from './support/FaultRecorder';
import { eventsOfType, FaultWorkspace, ledgerFromStories, type CliRun } from './support/FaultWorkspace';

const rec = new FaultRecorder('Bad ledgers');
const workspaces: FaultWorkspace[] = [];
afterEach(async () => {
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

async function withLedger(text: string): Promise<FaultWorkspace> {
  const ws = await FaultWorkspace.create({ ledgerText: text });
  workspaces.push(ws);
  return ws;
}

function firstErrorLine(r: CliRun): string {
  return (r.stderr.trim().split('\n').find((l) => l.trim().length > 0) ?? '').slice(0, 300);
}

/** A ledger the runner must refuse: exit 2, a message naming the file with line and column, file untouched. */
function refused(id: string, title: string, text: string, messagePattern: RegExp): void {
  rec.case({
    id,
    title,
    expected: 'refused (exit 2, documented for bad input; 1 accepted) with `<file>:<line>:<col>: <cause>` and how to fix it; no story step started; the file is byte-identical with the same mtime',
    run: async () => {
      const ws = await withLedger(text);
      const before = ws.ledgerFingerprint();
      const r = await ws.run(['run', '--cycles', '1']);
      // The CLI documents 2 for bad input; it currently reports a bad ledger as a failed run (1): both refuse.
      assert.ok(r.code === 2 || r.code === 1, `exit ${r.code}; stderr: ${r.stderr}`);
      assert.ok(r.stderr.includes(`${ws.ledgerPath}:`), `the message names the file: ${r.stderr}`);
      assert.match(r.stderr, /:\d+:\d+: /, 'with line and column');
      assert.match(r.stderr, messagePattern);
      // 003 step 0a (project context) comes before the ledger is read; no story step may run.
      const ran = eventsOfType(r.events, 'command:start').map((e) => e.command);
      assert.deepEqual(ran.filter((c) => c !== 'generate-project-context'), [], 'no story step ran');
      const after = ws.ledgerFingerprint();
      assert.ok(after.bytes.equals(before.bytes), 'bytes unchanged');
      assert.equal(after.mtimeMs, before.mtimeMs, 'mtime unchanged');
      return `exit ${r.code}: ${firstErrorLine(r).replace(ws.ledgerPath, '<ledger>')}${ran.length ? ` (after ${ran.join(', ')} ran: the ledger is read after step 0a)` : ''}`;
    },
  });
}

const HEADER = '# sprint status\ndevelopment_status:\n  epic-1: in-progress\n';

describe('fault injection: bad ledgers (CLI)', function () {
  this.timeout(60_000);

  refused('ledger-malformed-yaml', 'malformed YAML (unclosed flow sequence)', `${HEADER}  1-1-a: [backlog\n  1-2-b: backlog\n`, /YAML|flow|sequence|unexpected|missing/i);
  refused('ledger-duplicate-keys', 'duplicate story keys', `${HEADER}  1-1-a: backlog\n  1-1-a: done\n`, /duplicate key "1-1-a"/);
  refused('ledger-missing-development-status', 'no `development_status` section', '# sprint status\nproject: x\nstories:\n  1-1-a: backlog\n', /development_status/);
  refused('ledger-tab-indentation', 'tabs used for indentation', `# sprint status\ndevelopment_status:\n\t1-1-a: backlog\n`, /tab/i);

  refused(
    'ledger-unclosed-quote',
    'an unclosed quote (`1-1-a: "backlog` on line 4, three more lines after it)',
    `${HEADER}  1-1-a: "backlog\n  1-2-b: backlog\n  1-3-c: backlog\n  1-4-d: backlog\n`,
    /:4:10: this double quote is never closed/,
  );

  rec.case({
    id: 'ledger-path-keys',
    title: 'story keys that are paths: `/` and `..`, a NUL, a bidi override, a key too long for a file name',
    expected:
      'each reported before any agent runs, naming the key and <file>:<line>; skipped (exit 0) while the other stories run; nothing written outside the workspace; those lines left as written',
    run: async () => {
      const long = `1-5-${'x'.repeat(240)}`;
      const text =
        HEADER +
        '  1-1-a: backlog\n' +
        '  "1-2-../../../../tmp/x/trav": backlog\n' +
        '  "1-3-nul\\0here": backlog\n' +
        '  "1-4-\\u202Egnp.exe": backlog\n' +
        `  ${long}: backlog\n` +
        '  1-6-b: backlog\n';
      const ws = await withLedger(text);
      const r = await ws.run(['run', '--cycles', '1']);
      assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
      const problems = r.stderr.split('\n').filter((l) => l.includes('cannot name a story file'));
      assert.deepEqual(
        problems.map((l) => /:(\d+):\d+: /.exec(l)?.[1]),
        ['5', '6', '7', '8'],
        `one warning per key with its line:\n${r.stderr}`,
      );
      for (const l of problems) assert.ok(l.includes(`${ws.ledgerPath}:`), `names the file: ${l}`);
      const started = eventsOfType(r.events, 'command:start').flatMap((e) => e.storyKeys ?? []);
      assert.deepEqual([...new Set(started)].sort(), ['1-1-a', '1-6-b'], 'only the usable stories ran');
      assert.ok(!existsSync('/tmp/x/trav-discovery-story.md'), 'nothing written outside the workspace');
      const after = ws.ledgerText();
      assert.match(after, /1-1-a: done/);
      assert.match(after, /1-6-b: done/);
      assert.equal(after.replace('1-1-a: done', '1-1-a: backlog').replace('1-6-b: done', '1-6-b: backlog'), text, 'the skipped lines are untouched');
      return `exit 0; 4 warnings before any agent, e.g. "${problems[0].replace(ws.ledgerPath, '<ledger>').slice(0, 160)}"; 1-1-a and 1-6-b done`;
    },
  });

  rec.case({
    id: 'ledger-legacy-drafted',
    title: 'a v6-alpha status (`1-2-b: drafted`) before a backlog story, run normally and with `--story`',
    expected: 'drafted is read as ready-for-dev (as BMAD does): it is picked before the later story and never rewritten to blocked; exit 0',
    run: async () => {
      const text = `${HEADER}  1-1-a: done\n  1-2-b: drafted\n  1-3-c: backlog\n`;
      const ws = await withLedger(text);
      const picked = await ws.run(['run', '--cycles', '1', '--story', '1-2-b']);
      assert.equal(picked.code, 0, `exit ${picked.code}: ${picked.stderr}`);
      const cycle = eventsOfType(picked.events, 'cycle:start')[0];
      assert.deepEqual(cycle?.storyKeys, ['1-2-b', '1-3-c']);
      const after = ws.ledgerText();
      assert.doesNotMatch(after, /blocked/);
      assert.match(after, /1-2-b: done/);
      assert.match(after, /1-3-c: done/);
      return `exit 0; cycle [${cycle?.storyKeys.join(', ')}]; both done, nothing blocked`;
    },
  });

  rec.case({
    id: 'ledger-story-undefined-status',
    title: '`run --story` on a story whose status BMAD does not define (`1-1-a: wont-do`)',
    expected: 'the story leaves the cycle with a warning and its line is left as written (never rewritten to blocked); exit 0',
    run: async () => {
      const text = `${HEADER}  1-1-a: wont-do  # decided in planning\n  1-2-b: backlog\n`;
      const ws = await withLedger(text);
      const r = await ws.run(['run', '--cycles', '1', '--story', '1-1-a']);
      assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
      const warn = [...eventsOfType(r.events, 'warning').map((w) => w.message), r.stderr].join('\n');
      assert.match(warn, /Story 1-1-a has the status "wont-do"[^\n]*it is skipped and its status left as it is/);
      assert.match(ws.ledgerText(), /1-1-a: wont-do {2}# decided in planning/);
      assert.doesNotMatch(ws.ledgerText(), /blocked/);
      return `exit 0; warned: "${/Story 1-1-a has the status[^\n]*/.exec(warn)?.[0].replace(ws.ledgerPath, '<ledger>').slice(0, 200)}"; its line untouched`;
    },
  });

  rec.case({
    id: 'ledger-decimal-epics',
    title: 'a decimal epic (`epic-7-5`, stories `7-5-2-…`, `7-5-3-…`)',
    expected: 'distinct ids and their own epic: one commit `feat(7-5): implement stories 7-5-2,7-5-3`',
    run: async () => {
      const text = '# sprint\ndevelopment_status:\n  epic-7-5: in-progress\n  7-5-2-external-signal-routing: backlog\n  7-5-3-internal-signal-routing: backlog\n';
      const ws = await withLedger(text);
      const r = await ws.run(['run', '--cycles', '1']);
      assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
      const cycle = eventsOfType(r.events, 'cycle:start')[0];
      assert.equal(cycle?.epicId, '7-5');
      const subject = spawnSync('git', ['log', '-1', '--format=%s'], { cwd: ws.root, encoding: 'utf8' }).stdout.trim();
      assert.equal(subject, 'feat(7-5): implement stories 7-5-2,7-5-3');
      return `exit 0; epic ${cycle?.epicId}; commit "${subject}"`;
    },
  });

  rec.case({
    id: 'ledger-key-without-number',
    title: 'an open key without a story number (`hotfix-profile-band-segmentation: backlog`)',
    expected: 'it runs as a story of its own; "sprint complete" is only said once it is done',
    run: async () => {
      const text = `${HEADER}  1-1-a: done\n  hotfix-profile-band-segmentation: backlog\n`;
      const ws = await withLedger(text);
      const r = await ws.run(['run', '--cycles', 'all']);
      assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
      const end = eventsOfType(r.events, 'batch:end')[0];
      assert.deepEqual(end?.storiesDone, ['hotfix-profile-band-segmentation']);
      assert.equal(end?.sprintComplete, true);
      assert.match(ws.ledgerText(), /hotfix-profile-band-segmentation: done/);
      return `exit 0; done [${end?.storiesDone.join(', ')}], then sprint complete`;
    },
  });

  rec.case({
    id: 'ledger-unknown-status',
    title: 'an unknown status value (`1-1-a: wip`)',
    expected: 'reported with its line, the story is skipped (never guessed), the other stories run; its line is left as written',
    run: async () => {
      const ws = await withLedger(ledgerFromStories({ '1-1-a': 'wip', '1-2-b': 'backlog' }));
      const r = await ws.run(['run', '--cycles', '1']);
      assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
      const warn = [...eventsOfType(r.events, 'warning').map((w) => w.message), r.stderr].join('\n');
      assert.match(warn, /unknown status "wip"/);
      assert.match(ws.ledgerText(), /1-1-a: wip {2}# story 1-1-a/);
      assert.match(ws.ledgerText(), /1-2-b: done/);
      return `exit 0; warned: "${/[^\n]*unknown status "wip"[^\n]*/.exec(warn)?.[0].replace(ws.ledgerPath, '<ledger>').slice(0, 200)}"; 1-2-b done, 1-1-a untouched`;
    },
  });

  for (const [id, title, transform] of [
    ['ledger-bom', 'UTF-8 byte-order mark at the start', (t: string) => `\uFEFF${t}`],
    ['ledger-crlf', 'CRLF line endings', (t: string) => t.replace(/\n/g, '\r\n')],
  ] as const) {
    rec.case({
      id,
      title,
      expected: 'handled: the run completes and the written file keeps the BOM / CRLF and every other byte',
      run: async () => {
        const original = transform(ledgerFromStories({ '1-1-a': 'backlog', '1-2-b': 'backlog' }));
        const ws = await withLedger(original);
        const r = await ws.run(['run', '--cycles', '1']);
        assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
        const expected = original.replace('1-1-a: backlog', '1-1-a: done').replace('1-2-b: backlog', '1-2-b: done');
        assert.equal(ws.ledgerText(), expected);
        return 'exit 0; both stories done; every other byte (BOM/CRLF, comments) identical';
      },
    });
  }

  rec.case({
    id: 'ledger-hostile-keys',
    title: 'story keys with `../`, spaces, quotes and shell metacharacters',
    expected:
      'handled or refused with a clear message; never used unescaped: no file written outside the artifacts folder, no command substitution executed',
    timeoutMs: 90_000,
    run: async () => {
      const text =
        '# hostile keys\ndevelopment_status:\n  epic-1: in-progress\n' +
        '  "1-1-../../../escape": backlog\n' +
        '  "1-2-with space and \'quote\' \\"dq\\"": backlog\n' +
        '  "1-3-$(touch PWNED)-`touch PWNED2`;touch PWNED3": backlog\n' +
        '  "1-4-a|b&c>d<e*f?": backlog\n';
      const ws = await withLedger(text);
      const before = ws.ledgerFingerprint();
      const r = await ws.run(['run', '--cycles', '2']);
      const base = path.dirname(ws.root);
      const stray = readdirSync(base).filter((n) => !['ws', 'sim-state', `${path.basename(ws.root)}.scenario.json`].includes(n));
      assert.deepEqual(stray, [], 'nothing written next to the workspace (a `../` escape)');
      for (const f of ['PWNED', 'PWNED2', 'PWNED3']) {
        assert.ok(!existsSync(path.join(ws.root, f)) && !existsSync(path.join(base, f)), `${f} was created: a key reached a shell`);
      }
      if (r.code === 0) {
        return `handled: exit 0; ${eventsOfType(r.events, 'batch:end')[0]?.storiesDone.length ?? 0} stories done; no escape, no substitution`;
      }
      assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
      const after = ws.ledgerFingerprint();
      assert.ok(after.bytes.equals(before.bytes) && after.mtimeMs === before.mtimeMs, 'refused: the file is untouched');
      return `refused: exit 2: ${firstErrorLine(r).replace(ws.ledgerPath, '<ledger>')}; file untouched`;
    },
  });
});
