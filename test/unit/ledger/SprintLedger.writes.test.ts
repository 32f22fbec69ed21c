// Status writes against the file as the user keeps it: edits made by others while a write is under way,
// symlinked ledgers, private permissions, legacy statuses. Real files in a temporary folder.

import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LedgerError } from '../../../src/core/ledger/LedgerError';
import { SprintLedger, parseLedgerText, unclosedQuoteOffset } from '../../../src/core/ledger/SprintLedger';
import { NodeFileSystem } from '../../../src/infra/NodeFileSystem';

const LEDGER = ['# my sprint', 'development_status:', '  epic-1: in-progress', '  1-1-a: backlog', '  1-2-b: drafted # written by v6-alpha', ''].join('\n');

/** A NodeFileSystem on which someone else appends to the ledger right after each of the first `times` reads. */
class AppendAfterRead extends NodeFileSystem {
  appended: string[] = [];
  constructor(
    private readonly file: string,
    private times: number,
  ) {
    super();
  }
  override async readText(p: string): Promise<string> {
    const text = await super.readText(p);
    if (p === this.file && this.times > 0) {
      this.times--;
      const line = `  9-${this.appended.length + 1}-external: backlog\n`;
      await fsp.appendFile(this.file, line);
      this.appended.push(line);
    }
    return text;
  }
}

describe('SprintLedger writes', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sprint-ledger-writes-'));
    file = path.join(dir, 'sprint-status.yaml');
    await fsp.writeFile(file, LEDGER, 'utf8');
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('keeps a line someone appended between the re-read and the write (no lost update)', async () => {
    const fs = new AppendAfterRead(file, 3);
    await new SprintLedger(file, fs).setStatus('1-1-a', 'done');
    const after = await fsp.readFile(file, 'utf8');
    for (const line of fs.appended) assert.ok(after.includes(line), `the concurrent append "${line.trim()}" survived the write:\n${after}`);
    assert.equal(fs.appended.length, 3, 'three concurrent appends happened, each while a write was being prepared');
    assert.equal(after, LEDGER.replace('1-1-a: backlog', '1-1-a: done') + fs.appended.join(''), 'every append kept, only the status value changed');
  });

  it('writes through a symlinked ledger: the link stays a link, its target gets the change', async () => {
    const real = path.join(dir, 'shared', 'sprint-status.yaml');
    await fsp.mkdir(path.dirname(real));
    await fsp.rename(file, real);
    await fsp.symlink(real, file);
    await new SprintLedger(file, new NodeFileSystem()).setStatus('1-1-a', 'review');
    assert.ok((await fsp.lstat(file)).isSymbolicLink(), 'the ledger is still a symlink');
    assert.equal(await fsp.readlink(file), real);
    assert.equal(await fsp.readFile(real, 'utf8'), LEDGER.replace('1-1-a: backlog', '1-1-a: review'));
    assert.deepEqual((await fsp.readdir(path.dirname(real))).sort(), ['sprint-status.yaml'], 'no temp file left beside the target');
  });

  it('keeps the permissions of the file (a 0600 ledger stays 0600)', async function () {
    if (process.platform === 'win32') this.skip();
    await fsp.chmod(file, 0o600);
    await new SprintLedger(file, new NodeFileSystem()).setStatus('1-1-a', 'done');
    assert.equal((await fsp.stat(file)).mode & 0o777, 0o600);
    await fsp.chmod(file, 0o640);
    await new SprintLedger(file, new NodeFileSystem()).setStatus('1-1-a', 'blocked');
    assert.equal((await fsp.stat(file)).mode & 0o777, 0o640);
  });

  it('reads drafted as ready-for-dev, and never rewrites it to the same meaning', async () => {
    const ledger = new SprintLedger(file, new NodeFileSystem());
    const story = (await ledger.read()).stories.find((s) => s.key === '1-2-b');
    assert.deepEqual([story?.status, story?.writtenStatus], ['ready-for-dev', 'drafted']);
    const before = await fsp.stat(file);
    assert.deepEqual(await ledger.setStatus('1-2-b', 'ready-for-dev'), { previous: 'drafted' });
    assert.equal(await fsp.readFile(file, 'utf8'), LEDGER, 'the word the user wrote is kept');
    assert.equal((await fsp.stat(file)).mtimeMs, before.mtimeMs, 'not even rewritten');
    await ledger.setStatus('1-2-b', 'in-progress');
    assert.equal(await fsp.readFile(file, 'utf8'), LEDGER.replace('1-2-b: drafted #', '1-2-b: in-progress #'), 'a real move changes only the value');
  });
});

describe('SprintLedger: an unclosed quote', () => {
  it('is reported at the line and column where it opens, not at the end of the file', () => {
    const text = ['development_status:', '  epic-1: backlog', '  1-1-a: "backlog', '  1-2-b: backlog', '  1-3-c: done', ''].join('\n');
    assert.throws(
      () => parseLedgerText('/ws/sprint-status.yaml', text),
      (e: unknown) => {
        assert.ok(e instanceof LedgerError);
        assert.deepEqual([e.line, e.col], [3, 10]);
        assert.match(e.message, /^\/ws\/sprint-status\.yaml:3:10: this double quote is never closed\. Fix: close the quote/);
        return true;
      },
    );
    const single = ['development_status:', "  '1-1-a: backlog", '  1-2-b: backlog', ''].join('\n');
    assert.throws(() => parseLedgerText('/ws/sprint-status.yaml', single), (e: unknown) => e instanceof LedgerError && e.line === 2 && e.col === 3);
  });

  it('finds the open one after closed quotes, escapes and comments', () => {
    assert.equal(unclosedQuoteOffset(`a: "x\\"y" # it's\nb: 'it''s'\nc: "open\n`, '"'), `a: "x\\"y" # it's\nb: 'it''s'\nc: `.length);
    assert.equal(unclosedQuoteOffset(`a: it's fine\nb: "closed"\n`, "'"), undefined, "a quote inside a plain scalar opens nothing");
  });
});
