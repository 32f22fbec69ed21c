import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clearStopRequest, readStopRequest, requestStop, StateLock, StateLockedError, watchStopRequest } from '../../../../src/infra/store/StateLock';
import { readProcessStartTime } from '../../../../src/infra/store/ProcessIdentity';
import { spawnFixture } from './childProcess';
import { removeDir, tempStateDir } from './storeBuilders';

function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', '0']);
    p.on('error', reject);
    p.on('exit', () => resolve(p.pid ?? -1));
  });
}

describe('StateLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempStateDir('lock');
  });
  afterEach(() => removeDir(dir));

  it('writes who holds it (pid, process start time, host, since, purpose) and removes it on release', () => {
    const lock = StateLock.acquire(dir, { purpose: 'run' });
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'sprint-runner.lock'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(onDisk, {
      pid: process.pid,
      processStartTime: readProcessStartTime(process.pid),
      hostname: os.hostname(),
      startedAt: lock.info.startedAt,
      purpose: 'run',
    });
    assert.match(String(onDisk.processStartTime), /^\d+$/);
    assert.equal(lock.tookOver, false);
    assert.deepEqual(StateLock.read(dir), lock.info);
    lock.release();
    assert.equal(fs.existsSync(path.join(dir, 'sprint-runner.lock')), false);
    assert.equal(StateLock.read(dir), undefined);
  });

  it('refuses a second runner while the first lives, saying who and what to do; takes over once it is killed', async function () {
    this.timeout(30_000);
    const holder = spawnFixture('holdLock.ts', [dir]);
    try {
      await holder.waitForLine(/^locked \d+$/);
      const info = StateLock.read(dir);
      assert.equal(info?.pid, holder.process.pid);
      assert.equal(StateLock.holderState(info!), 'alive');
      assert.throws(
        () => StateLock.acquire(dir, { purpose: 'resume' }),
        (err: unknown) => {
          assert.ok(err instanceof StateLockedError);
          assert.equal(err.holder.pid, holder.process.pid);
          assert.match(err.message, new RegExp(`${path.join(dir, 'sprint-runner.lock')}: another Sprint Runner \\(run, pid ${holder.process.pid} on .*, since ${info!.startedAt}\\)`));
          assert.match(err.message, /sprint-runner stop/);
          assert.match(err.message, /wait for it to finish/);
          return true;
        },
      );
    } finally {
      await holder.kill9();
    }
    const lock = StateLock.acquire(dir, { purpose: 'resume' });
    assert.equal(lock.tookOver, true);
    assert.deepEqual([lock.tookOverFrom?.state, lock.tookOverFrom?.holder.pid], ['dead', holder.process.pid]);
    assert.equal(StateLock.read(dir)?.purpose, 'resume');
    lock.release();
  });

  it('takes over a lock whose pid is dead', async () => {
    const pid = await deadPid();
    fs.writeFileSync(path.join(dir, 'sprint-runner.lock'), JSON.stringify({ pid, processStartTime: '123', hostname: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z', purpose: 'run' }));
    const lock = StateLock.acquire(dir, { purpose: 'run' });
    assert.deepEqual([lock.tookOver, lock.tookOverFrom?.state, lock.tookOverFrom?.holder.pid], [true, 'dead', pid]);
    assert.equal(StateLock.read(dir)?.pid, process.pid);
    lock.release();
  });

  it('detects a reused pid (same pid, different process start time) and takes over', () => {
    // Our own pid is alive; a lock that recorded another start time for it belonged to an earlier process.
    fs.writeFileSync(path.join(dir, 'sprint-runner.lock'), JSON.stringify({ pid: process.pid, processStartTime: '1', hostname: os.hostname(), startedAt: 'x', purpose: 'run' }));
    assert.equal(StateLock.holderState(StateLock.read(dir)!), 'pid-reused');
    const lock = StateLock.acquire(dir, { purpose: 'run' });
    assert.equal(lock.tookOverFrom?.state, 'pid-reused');
    lock.release();
  });

  it('takes over an unreadable lock file; refuses one from another host with a way out', () => {
    fs.writeFileSync(path.join(dir, 'sprint-runner.lock'), '{"pid": 12');
    const lock = StateLock.acquire(dir, { purpose: 'run' });
    assert.equal(lock.tookOver, true);
    lock.release();

    fs.writeFileSync(path.join(dir, 'sprint-runner.lock'), JSON.stringify({ pid: process.pid, processStartTime: null, hostname: 'elsewhere.example', startedAt: 'then', purpose: 'run' }));
    assert.throws(() => StateLock.acquire(dir, { purpose: 'run' }), /on elsewhere\.example.*another machine.*delete .*sprint-runner\.lock/);
  });

  it('does not remove a lock someone else took over after us', () => {
    const lock = StateLock.acquire(dir, { purpose: 'run' });
    fs.writeFileSync(path.join(dir, 'sprint-runner.lock'), JSON.stringify({ ...lock.info, startedAt: 'later', purpose: 'other' }));
    lock.release();
    assert.equal(StateLock.read(dir)?.purpose, 'other');
  });
});

describe('stop requests', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempStateDir('stop');
  });
  afterEach(() => removeDir(dir));

  it('round trip: requestStop is seen by the watcher within 500 ms, and cleared by the runner', async () => {
    const seen: { reason: string; at: number }[] = [];
    const watcher = watchStopRequest(dir, (r) => seen.push({ reason: r.reason, at: Date.now() }), 100);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(seen.length, 0);
    const requestedAt = Date.now();
    requestStop(dir, 'user asked');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(seen.length, 1);
    assert.equal(seen[0].reason, 'user asked');
    assert.ok(seen[0].at - requestedAt <= 500);
    assert.equal(readStopRequest(dir)?.requestedBy, process.pid);
    clearStopRequest(dir);
    assert.equal(readStopRequest(dir), undefined);
    assert.deepEqual(fs.readdirSync(dir), [], 'no temp file left behind');
    watcher.dispose();
  });

  it('a disposed watcher never fires', async () => {
    let fired = false;
    const watcher = watchStopRequest(dir, () => (fired = true), 50);
    watcher.dispose();
    requestStop(dir);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(fired, false);
  });
});
