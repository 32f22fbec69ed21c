// The Sprint tree's epic actions and the Problems panel entries, on real files.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SprintLedger } from '../../../src/core/ledger/SprintLedger';
import { NodeFileSystem } from '../../../src/infra/NodeFileSystem';
import { epicsFiles, firstOpenStoryOfEpic, locateEpic } from '../../../src/vscode/epicTargets';
import { ledgerDiagnosticEntries } from '../../../src/vscode/ledgerProblems';

const fs = new NodeFileSystem();

describe('epic actions and ledger diagnostics', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sr-editor-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function ledger(body: string) {
    const file = path.join(dir, 'sprint-status.yaml');
    writeFileSync(file, body);
    return new SprintLedger(file, fs).read();
  }

  it('runs an epic from its first open story, skipping done and blocked ones; none when all are finished', async () => {
    const snap = await ledger('development_status:\n  epic-1: in-progress\n  1-1-a: done\n  1-2-b: blocked\n  1-3-c: backlog\n  epic-2: backlog\n  2-1-d: done\n');
    assert.equal(firstOpenStoryOfEpic(snap, '1')?.key, '1-3-c');
    assert.equal(firstOpenStoryOfEpic(snap, '2'), undefined);
  });

  it('finds the epic heading in epics.md, or in the sharded epics/ folder', async () => {
    const planning = path.join(dir, 'planning');
    mkdirSync(path.join(planning, 'epics'), { recursive: true });
    writeFileSync(path.join(planning, 'epics', 'epic-1.md'), '# Epic 1: Basics\n');
    writeFileSync(path.join(planning, 'epics', 'epic-2.md'), 'intro\n\n## Epic 2 - Persistence\n');
    let files = await epicsFiles(planning, fs);
    assert.deepEqual(await locateEpic(files, '2', fs), { file: path.join(planning, 'epics', 'epic-2.md'), line: 3, found: true });
    writeFileSync(path.join(planning, 'epics.md'), '# Breakdown\n\n## Epic 1: Basics\n\n## Epic 10: Later\n');
    files = await epicsFiles(planning, fs);
    assert.deepEqual(files, [path.join(planning, 'epics.md')], 'a single epics.md wins over shards');
    assert.equal((await locateEpic(files, '10', fs))?.line, 5);
    assert.equal((await locateEpic(files, '1', fs))?.line, 3, '"Epic 1" is not "Epic 10"');
    assert.deepEqual(await locateEpic(files, '7', fs), { file: files[0], line: 1, found: false });
    assert.equal(await locateEpic([], '1', fs), undefined);
  });

  it('puts an unreadable ledger at its line as an error, and findings of a readable one as warnings', async () => {
    const bad = await ledger('development_status:\n  1-1-a: backlog\n  1-1-a: done\n').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(bad, 'a duplicate key makes the ledger unreadable');
    const [error] = ledgerDiagnosticEntries({ error: bad });
    assert.equal(error.severity, 'error');
    assert.equal(error.file, path.join(dir, 'sprint-status.yaml'));
    assert.equal(error.line, 3);
    assert.match(error.message, /Fix: /);

    const snap = await ledger('development_status:\n  1-1-a: backlog\n  1-2-b: almost-done\n');
    const entries = ledgerDiagnosticEntries({ snapshot: snap });
    assert.deepEqual(entries.map((e) => [e.line, e.severity]), [[3, 'warning']]);
    assert.match(entries[0].message, /unknown status "almost-done"/);
    assert.deepEqual(ledgerDiagnosticEntries({ error: new Error('disk on fire') }), [], 'an error without a place is not a diagnostic');
  });
});
