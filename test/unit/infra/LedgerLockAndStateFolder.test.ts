// The ledger lock (one runner per sprint-status.yaml, whatever the state folder) and the state-folder
// guard (no `.gitignore: *` in a project folder), on real files and a real git repository.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LedgerLock, LedgerLockedError, ledgerLockDir } from '../../../src/infra/LedgerLock';
import { checkStateFolder, StateFolderError } from '../../../src/infra/StateFolderGuard';
import { StateLockedError } from '../../../src/infra/store/StateLock';

describe('LedgerLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-ledger-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a second holder of the same ledger, also through a symlink, naming the ledger and the holder', () => {
    const root = path.join(dir, 'locks');
    const ledger = path.join(dir, 'sprint-status.yaml');
    fs.writeFileSync(ledger, 'development_status: {}\n');
    const link = path.join(dir, 'linked.yaml');
    fs.symlinkSync(ledger, link);
    const first = LedgerLock.acquire(ledger, { purpose: 'VS Code extension with state folder /x', root });
    assert.equal(ledgerLockDir(link, root), ledgerLockDir(ledger, root));
    assert.ok(!ledgerLockDir(ledger, root).startsWith(dir + path.sep + 'sprint'), 'never beside the ledger');
    let err: unknown;
    try {
      LedgerLock.acquire(link, { purpose: 'sprint-runner run (CLI)', root });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof LedgerLockedError && err instanceof StateLockedError, String(err));
    assert.match((err as Error).message, new RegExp(`^${link.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: another Sprint Runner is working on this ledger \\(VS Code extension with state folder /x, pid ${process.pid} on .+, since \\d{4}-`));
    first.release();
    const again = LedgerLock.acquire(link, { purpose: 'sprint-runner run (CLI)', root });
    assert.equal(LedgerLock.read(ledger, root)?.purpose, 'sprint-runner run (CLI)');
    again.release();
    assert.equal(LedgerLock.read(ledger, root), undefined);
    assert.equal(fs.existsSync(ledgerLockDir(ledger, root)), false, 'no folder left per released ledger');
  });

  it('different ledgers do not block each other', () => {
    const root = path.join(dir, 'locks');
    const a = LedgerLock.acquire(path.join(dir, 'a.yaml'), { purpose: 'a', root });
    const b = LedgerLock.acquire(path.join(dir, 'b.yaml'), { purpose: 'b', root });
    a.release();
    b.release();
  });
});

describe('checkStateFolder', () => {
  let repo: string;
  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-state-folder-'));
    const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, stdio: 'ignore' });
    git('init', '-q');
    fs.writeFileSync(path.join(repo, 'README.md'), 'project\n');
    fs.mkdirSync(path.join(repo, 'notes'));
    fs.writeFileSync(path.join(repo, 'notes', 'todo.txt'), 'x\n');
    git('add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-qm', 'init');
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('refuses a folder holding tracked files, with the folder, the files and the fix', async () => {
    await assert.rejects(checkStateFolder(repo), (e: Error) => e instanceof StateFolderError && e.message.includes('holds 2 file(s) tracked by git') && /Fix: /.test(e.message));
    await assert.rejects(checkStateFolder(path.join(repo, 'notes')), /notes: the state folder holds 1 file\(s\) tracked by git \(todo\.txt\)/);
  });

  it('lets Sprint Runner ignore only a folder it creates or one holding only its own files', async () => {
    assert.deepEqual(await checkStateFolder(path.join(repo, '.sprint-runner')), { mayIgnoreAll: true });
    const own = path.join(repo, 'own');
    fs.mkdirSync(path.join(own, 'logs'), { recursive: true });
    fs.writeFileSync(path.join(own, 'sprint-runner.db'), '');
    fs.writeFileSync(path.join(own, 'sprint-runner.lock'), '{}');
    assert.deepEqual(await checkStateFolder(own), { mayIgnoreAll: true });
    const mixed = path.join(repo, 'mixed');
    fs.mkdirSync(mixed);
    fs.writeFileSync(path.join(mixed, 'draft.md'), 'untracked work\n');
    assert.deepEqual(await checkStateFolder(mixed), { mayIgnoreAll: false }, 'an untracked file of the user: kept visible to git');
  });
});
