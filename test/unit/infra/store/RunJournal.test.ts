import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunJournal } from '../../../../src/infra/store/RunJournal';
import { removeDir, tempStateDir } from './storeBuilders';

const read = (file: string): string[] => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

describe('RunJournal', () => {
  let dir: string;
  let warnings: string[];
  beforeEach(() => {
    dir = tempStateDir('journal');
    warnings = [];
  });
  afterEach(() => removeDir(dir));

  it('writes buffered lines within the flush interval, in order', async () => {
    const journal = new RunJournal(dir, 1, 30, (m) => warnings.push(m));
    for (let i = 0; i < 1000; i++) journal.append(`{"n":${i}}`);
    assert.equal(fs.existsSync(journal.file), false, 'nothing is written synchronously');
    await new Promise((r) => setTimeout(r, 150));
    const lines = read(journal.file);
    assert.equal(lines.length, 1000);
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { n: number }).n), [...Array(1000).keys()]);
    await journal.close();
    assert.deepEqual(warnings, []);
  });

  it('sealing renames the active file at once: later lines go to a new active file', async () => {
    const journal = new RunJournal(dir, 7, 1000, (m) => warnings.push(m));
    journal.append('a');
    journal.append('b');
    const sealing = journal.seal();
    journal.append('c');
    const sealed = await sealing;
    assert.equal(sealed, path.join(dir, 'sprint-runner.journal.7'));
    assert.deepEqual(read(sealed!), ['a', 'b']);
    await journal.flush();
    assert.deepEqual(read(journal.file), ['c']);
    assert.equal(await new RunJournal(dir, 1, 10, () => undefined).seal(), undefined, 'nothing journaled: nothing sealed');
    await journal.close();
  });

  it('the exit path writes everything synchronously, including chunks still queued for the thread pool', () => {
    const journal = new RunJournal(dir, 1, 1000, (m) => warnings.push(m));
    const big = 'x'.repeat(300);
    // Over 1 MB buffered queues asynchronous writes; then the process "exits" without the event loop.
    for (let i = 0; i < 8000; i++) journal.append(`${i} ${big}`);
    const sealed = journal.sealSync();
    journal.append('after');
    journal.closeSync();
    const lines = read(sealed!);
    assert.equal(lines.length, 8000);
    assert.ok(lines.every((l, i) => l === `${i} ${big}`), 'no hole, no reordering');
    assert.deepEqual(read(journal.file), ['after']);
  });
});
