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

  it('makeDurable writes and fdatasyncs every line appended so far (and the folder of a new file), then says so', async () => {
    const nodeFs = require('node:fs') as typeof fs & { fdatasync: typeof fs.fdatasync; fsync: typeof fs.fsync };
    const synced: string[] = [];
    const { fdatasync, fsync } = nodeFs;
    nodeFs.fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      synced.push(`file:${fs.fstatSync(fd).size}`);
      fdatasync(fd, cb);
    }) as typeof fs.fdatasync;
    nodeFs.fsync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      synced.push('folder');
      fsync(fd, cb);
    }) as typeof fs.fsync;
    const journal = new RunJournal(dir, 1, 60_000, (m) => warnings.push(m));
    try {
      assert.equal(await journal.makeDurable(), true, 'nothing appended: nothing to lose');
      for (let i = 0; i < 3; i++) journal.append(`{"n":${i}}`);
      assert.equal(await journal.makeDurable(), true);
      assert.deepEqual(read(journal.file), ['{"n":0}', '{"n":1}', '{"n":2}'], 'written without waiting for the 60 s flush');
      journal.append('{"n":3}');
      const [a, b] = await Promise.all([journal.makeDurable(), journal.makeDurable()]);
      assert.deepEqual([a, b], [true, true]);
      assert.deepEqual(synced, ['file:24', 'folder', 'file:32'], 'each sync follows the writes it covers (8 bytes a line); the new file\'s folder once');

      // Sealing while a sync is pending: the sync still happens on the (renamed) file before it closes.
      journal.append('{"n":4}');
      const durable = journal.makeDurable();
      const sealed = journal.seal();
      assert.equal(await durable, true);
      await sealed?.written;
      assert.deepEqual(read(sealed!.file).slice(-1), ['{"n":4}']);
      assert.deepEqual(synced.slice(3), ['file:40']);
    } finally {
      nodeFs.fdatasync = fdatasync;
      nodeFs.fsync = fsync;
      await journal.close();
    }
    assert.deepEqual(warnings, []);
  });

  it('makeDurable answers false when the lines cannot reach the disk, so the caller writes the database instead', async () => {
    const journal = new RunJournal(dir, 1, 60_000, (m) => warnings.push(m));
    fs.rmSync(dir, { recursive: true });
    journal.append('{"n":1}');
    assert.equal(await journal.makeDurable(), false);
    assert.match(warnings.join('\n'), /cannot open the run journal .*sprint-runner\.journal/);
    fs.mkdirSync(dir);
    await journal.close();
  });

  it('sealing renames the active file at once: later lines go to a new active file', async () => {
    const journal = new RunJournal(dir, 7, 1000, (m) => warnings.push(m));
    journal.append('a');
    journal.append('b');
    const sealing = journal.seal();
    journal.append('c');
    assert.equal(sealing?.file, path.join(dir, 'sprint-runner.journal.7'));
    await sealing?.written;
    assert.deepEqual(read(sealing!.file), ['a', 'b']);
    await journal.flush();
    assert.deepEqual(read(journal.file), ['c']);
    assert.equal(new RunJournal(dir, 1, 10, () => undefined).seal(), undefined, 'nothing journaled: nothing sealed');
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
