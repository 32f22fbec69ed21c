import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SqlJsRunStore } from '../../../../src/infra/store/SqlJsRunStore';
import { loadSqlJs } from '../../../../src/infra/store/sqlJsLoader';
import type { StoreOp } from '../../../../src/infra/store/StoreOp';
import { spawnFixture } from '../../../unit/infra/store/childProcess';
import { aCommand, aProgressEvent, removeDir, runOptions, tempStateDir, usage } from '../../../unit/infra/store/storeBuilders';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Opens a database file with a second, independent sql.js database, as another tool would. */
async function readDbFile(file: string): Promise<{ query: (sql: string) => unknown[][]; close: () => void }> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(file));
  assert.equal(db.exec('PRAGMA quick_check')[0].values[0][0], 'ok', `${file} passes SQLite's integrity check`);
  return { query: (sql) => db.exec(sql)[0]?.values ?? [], close: () => db.close() };
}

function stateFiles(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

describe('SqlJsRunStore durability', () => {
  let dir: string;
  let warnings: string[];
  const onWarning = (m: string): void => {
    warnings.push(m);
  };

  beforeEach(() => {
    dir = tempStateDir('dur');
    warnings = [];
  });
  afterEach(() => removeDir(dir));

  it('keeps everything across close and reopen', async () => {
    const store = await SqlJsRunStore.open({ stateDir: dir, onWarning });
    const batch = await store.createBatch({ runId: 'r1', startedAt: 1, options: runOptions({ maxCycles: 3 }) });
    await store.upsertStory(batch.id, '1-1-a', '1', { status: 'review' });
    await store.markStepStarted(batch.id, 'c1/a', 2);
    await store.saveStepResult(batch.id, 'c1/a', { ok: 1 }, 3);
    await store.markStepStarted(batch.id, 'c1/b', 4);
    const cmd = await store.startCommand(aCommand({ batchId: batch.id, storyKeys: ['1-1-a'] }));
    await store.finishCommand(cmd, { endedAt: 5, outcome: 'success', usage: usage({ costUsd: 0.4 }) });
    for (let i = 0; i < 50; i++) store.appendEvent(aProgressEvent(i, { batchId: batch.id }));
    await store.recordBlock({ storyKey: '1-1-a', previousStatus: 'review', reason: 'r', blockedAt: 6 });
    const bg = await store.addBackgroundTask({ batchId: batch.id, storyKey: null, taskType: 'project-context-refresh', spawnedAt: 7 });
    await store.updateBatch(batch.id, { cyclesCompleted: 1, status: 'paused' });
    await store.close();
    assert.deepEqual(stateFiles(dir), ['sprint-runner.db'], 'a clean close leaves only the database');

    const again = await SqlJsRunStore.open({ stateDir: dir, onWarning });
    try {
      assert.deepEqual(await again.getBatch(batch.id), { ...batch, cyclesCompleted: 1, status: 'paused' });
      assert.deepEqual((await again.listSteps(batch.id)).map((s) => [s.stepKey, s.result]), [['c1/a', { ok: 1 }], ['c1/b', undefined]]);
      assert.equal((await again.costs({ storyKey: '1-1-a' })).costUsd, 0.4);
      assert.equal((await again.listEvents({ batchId: batch.id })).length, 50);
      assert.equal((await again.openBlock('1-1-a'))?.reason, 'r');
      assert.equal((await again.listBackgroundTasks())[0].id, bg);
      assert.equal((await again.storySummaries(batch.id))[0].status, 'review');
      // Ids continue after the stored ones.
      const next = await again.startCommand(aCommand({ batchId: batch.id }));
      assert.equal(next, cmd + 1);
      again.appendEvent(aProgressEvent(99, { batchId: batch.id }));
      const events = await again.listEvents({ batchId: batch.id });
      assert.equal(events.length, 51);
      assert.equal(events[50].id, events[49].id + 1);
    } finally {
      await again.close();
    }
    assert.deepEqual(warnings, []);
  });

  it('a step result is in the journal on disk once saveStepResult resolves, and in the complete database file after the checkpoint it starts', async () => {
    const store = await SqlJsRunStore.open({ stateDir: dir, onWarning });
    try {
      const batch = await store.createBatch({ runId: 'r1', startedAt: 1, options: runOptions() });
      await store.checkpointed();
      for (let i = 0; i < 10; i++) store.appendEvent(aProgressEvent(i, { batchId: batch.id }));
      await store.saveStepResult(batch.id, 'c1/create-story', { outcome: 'success' }, 9);
      // Resolved: the line (and the events before it) are written, not left in a buffer for 200 ms.
      const journaled = fs
        .readdirSync(dir)
        .filter((f) => f.startsWith('sprint-runner.journal'))
        .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l !== ''))
        .map((l) => JSON.parse(l) as StoreOp);
      // (Read before the background checkpoint can delete them: that waits for the database thread's reply.)
      assert.deepEqual(journaled.map((o) => o.op), [...Array(10).fill('event'), 'step.result']);

      await store.checkpointed();
      const file = await readDbFile(path.join(dir, 'sprint-runner.db'));
      assert.deepEqual(file.query("SELECT step_key, result_json FROM steps"), [['c1/create-story', '{"outcome":"success"}']]);
      assert.deepEqual(file.query('SELECT COUNT(*), MIN(task_id), MAX(message) FROM events'), [[10, 'implement', 'progress line 9']]);
      assert.deepEqual(file.query('SELECT run_id, status, max_cycles FROM batches'), [['r1', 'running', 2]]);
      file.close();
      assert.ok(!fs.existsSync(path.join(dir, 'sprint-runner.journal')), 'the checkpoint emptied the journal');
    } finally {
      await store.close();
    }
  });

  it('quick steps share background checkpoints, and the file still catches up on its own', async () => {
    const store = await SqlJsRunStore.open({ stateDir: dir, onWarning, checkpointSpacingMs: 100 });
    try {
      const backend = (store as unknown as { backend: { checkpoint(): Promise<void> } }).backend;
      let checkpoints = 0;
      const real = backend.checkpoint.bind(backend);
      backend.checkpoint = () => {
        checkpoints++;
        return real();
      };
      const batch = await store.createBatch({ runId: 'quick', startedAt: 1, options: runOptions() });
      // 40 steps of ~5 ms each (a checkpoint of this small file takes a few ms: unspaced, nearly every step gets one).
      const t0 = performance.now();
      for (let i = 1; i <= 40; i++) {
        await store.saveStepResult(batch.id, `c1/step-${i}`, { i }, i);
        await sleep(5);
      }
      const elapsed = performance.now() - t0;
      // At most one start per 100 ms (plus the batch's and one in flight at the edges).
      const bound = Math.floor(elapsed / 100) + 3;
      assert.ok(checkpoints <= bound, `${checkpoints} checkpoints for 41 durable changes in ${elapsed.toFixed(0)} ms (at most ${bound})`);
      assert.ok(checkpoints >= 1);
      // Nothing else is called: the scheduled checkpoint writes the last steps within the spacing.
      let inFile = 0;
      for (let i = 0; i < 40 && inFile < 40; i++) {
        await sleep(50);
        const file = await readDbFile(path.join(dir, 'sprint-runner.db'));
        inFile = Number(file.query('SELECT COUNT(*) FROM steps WHERE result_json IS NOT NULL')[0][0]);
        file.close();
      }
      assert.equal(inFile, 40, 'every step is in the database file without a further call');
    } finally {
      await store.close();
    }
  });

  it('when the journal cannot be written, saveStepResult waits for the database file instead and reports why it failed', async () => {
    const store = await SqlJsRunStore.open({ stateDir: dir, onWarning });
    const batch = await store.createBatch({ runId: 'r1', startedAt: 1, options: runOptions() });
    await store.checkpointed();
    fs.rmSync(dir, { recursive: true }); // the state folder is gone (deleted, unmounted)
    await assert.rejects(
      store.saveStepResult(batch.id, 'c1/create-story', { outcome: 'success' }, 9),
      new RegExp(`could not write ${path.join(dir, 'sprint-runner.db')}: .*replayed on the next open; free disk space or fix the folder's permissions`),
    );
    assert.match(warnings.join('\n'), /cannot open the run journal/);
    fs.mkdirSync(dir, { recursive: true });
    warnings = [];
    await store.close();
    const again = await SqlJsRunStore.open({ stateDir: dir, onWarning });
    try {
      assert.equal((await again.getStep(batch.id, 'c1/create-story'))?.result !== undefined, true, 'the database thread still had it, and close wrote it');
    } finally {
      await again.close();
    }
  });

  it('journals events within the flush interval, before any checkpoint', async () => {
    const store = await SqlJsRunStore.open({ stateDir: dir, onWarning, journalFlushMs: 50 });
    try {
      const batch = await store.createBatch({ runId: 'r1', startedAt: 1, options: runOptions() });
      store.appendEvent(aProgressEvent(1, { batchId: batch.id }));
      store.appendEvent(aProgressEvent(2, { batchId: batch.id }));
      await sleep(200);
      const lines = fs.readFileSync(path.join(dir, 'sprint-runner.journal'), 'utf8').trim().split('\n');
      assert.deepEqual(lines.map((l) => (JSON.parse(l) as StoreOp).op), ['event', 'event']);
      const file = await readDbFile(path.join(dir, 'sprint-runner.db'));
      assert.deepEqual(file.query('SELECT COUNT(*) FROM events'), [[0]], 'events reach the database file at the next checkpoint');
      file.close();

      // A reader (e.g. `sprint-runner status`) sees them by replaying the journal in memory, writing nothing.
      const reader = await SqlJsRunStore.open({ stateDir: dir, readOnly: true, thread: 'in-process' });
      assert.equal((await reader.listEvents({ batchId: batch.id })).length, 2);
      await reader.close();
      assert.ok(fs.existsSync(path.join(dir, 'sprint-runner.journal')));
    } finally {
      await store.close();
    }
  });

  it('after kill -9, reopening finds every event older than 1 s, every saved step, and a valid database', async function () {
    this.timeout(60_000);
    const child = spawnFixture('appendUntilKilled.ts', [dir]);
    let killedAt = 0;
    try {
      await child.waitForLine(/^ready$/);
      await child.waitForLine(/^saved c1\/step-4$/);
      await sleep(300);
    } finally {
      killedAt = Date.now();
      await child.kill9();
    }
    const saved = child.lines.filter((l) => l.startsWith('saved ')).map((l) => l.slice('saved '.length));
    assert.ok(saved.length >= 4);

    const store = await SqlJsRunStore.open({ stateDir: dir, onWarning });
    try {
      const batch = await store.latestBatch();
      assert.equal(batch?.runId, 'killed-run');
      const steps = await store.listSteps(batch!.id);
      for (const key of saved) assert.ok(steps.find((s) => s.stepKey === key)?.result, `saved step ${key} has its result`);
      assert.equal(steps.find((s) => s.stepKey === 'c1/dev-story/running')?.result, undefined, 'the running step is to be re-run');

      const events = await store.listEvents({ batchId: batch!.id });
      const seqs = events.map((e) => Number(/progress line (\d+)/.exec(e.message ?? '')?.[1]));
      assert.ok(seqs.length > 1000, `only ${seqs.length} events survived`);
      assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'the surviving events are the first n, without gaps');
      const newest = events[events.length - 1].timestamp;
      assert.ok(newest >= killedAt - 1000, `the newest stored event is ${killedAt - newest} ms older than the kill`);
      console.log(`      kill -9: ${events.length} events survived, the newest ${killedAt - newest} ms before the kill; ${saved.length} saved steps intact`);
    } finally {
      await store.close();
    }
    const file = await readDbFile(path.join(dir, 'sprint-runner.db'));
    assert.ok(Number(file.query('SELECT COUNT(*) FROM events')[0][0]) > 1000);
    file.close();
    assert.deepEqual(stateFiles(dir), ['sprint-runner.db']);
    assert.deepEqual(warnings.filter((w) => !/corrupt journal line/.test(w)), []);
  });

  it('with the database in its own process: after kill -9 of the runner, that process writes the file and exits; nothing is lost', async function () {
    this.timeout(60_000);
    const child = spawnFixture('appendUntilKilled.ts', [dir, 'killed-run', 'process']);
    let databasePid = 0;
    try {
      databasePid = Number((await child.waitForLine(/^database pid \d+$/)).split(' ')[2]);
      await child.waitForLine(/^saved c1\/step-4$/);
      await sleep(300);
    } finally {
      await child.kill9();
    }
    assert.ok(databasePid > 0);
    // The orphan notices its parent is gone (IPC closed), checkpoints and exits by itself.
    for (let i = 0; i < 200 && fs.existsSync(`/proc/${databasePid}`); i++) await sleep(25);
    const status = fs.existsSync(`/proc/${databasePid}/status`) ? fs.readFileSync(`/proc/${databasePid}/status`, 'utf8') : '';
    assert.ok(status === '' || /State:\s+Z/.test(status), `the database process ${databasePid} outlived its parent`);
    const saved = child.lines.filter((l) => l.startsWith('saved ')).map((l) => l.slice('saved '.length));

    const onDisk = await readDbFile(path.join(dir, 'sprint-runner.db'));
    const stepsOnDisk = onDisk.query('SELECT step_key FROM steps WHERE result_json IS NOT NULL').map((r) => String(r[0]));
    for (const key of saved) assert.ok(stepsOnDisk.includes(key), `the file written at exit holds saved step ${key}`);
    assert.ok(Number(onDisk.query('SELECT COUNT(*) FROM events')[0][0]) > 1000);
    onDisk.close();

    const store = await SqlJsRunStore.open({ stateDir: dir, onWarning, thread: 'process' });
    try {
      const batch = await store.latestBatch();
      const steps = await store.listSteps(batch!.id);
      for (const key of saved) assert.ok(steps.find((s) => s.stepKey === key)?.result, `saved step ${key} has its result`);
      const events = await store.listEvents({ batchId: batch!.id });
      const seqs = events.map((e) => Number(/progress line (\d+)/.exec(e.message ?? '')?.[1]));
      assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'the surviving events are the first n, without gaps');
    } finally {
      await store.close();
    }
    assert.deepEqual(stateFiles(dir), ['sprint-runner.db']);
    assert.deepEqual(warnings.filter((w) => !/corrupt journal line/.test(w)), []);
  });

  it('with the database in its own process: closeSync writes the file without the event loop, and the process exits', async () => {
    const store = await SqlJsRunStore.open({ stateDir: dir, onWarning, thread: 'process', databasePriority: 'low' });
    const pid = (store as unknown as { backend: { pid: number } }).backend.pid;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    assert.equal(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]), 10, 'databasePriority low: nice 10');
    const batch = await store.createBatch({ runId: 'r', startedAt: 1, options: runOptions() });
    for (let i = 0; i < 100; i++) store.appendEvent(aProgressEvent(i, { batchId: batch.id }));
    await store.saveStepResult(batch.id, 'c1/x', { ok: true }, 5);
    store.closeSync();
    assert.deepEqual(stateFiles(dir), ['sprint-runner.db']);
    const file = await readDbFile(path.join(dir, 'sprint-runner.db'));
    assert.deepEqual(file.query('SELECT COUNT(*) FROM events'), [[100]]);
    assert.deepEqual(file.query('SELECT step_key, result_json FROM steps'), [['c1/x', '{"ok":true}']]);
    file.close();
    for (let i = 0; i < 200 && fs.existsSync(`/proc/${pid}`); i++) await sleep(25);
    assert.equal(fs.existsSync(`/proc/${pid}`), false, 'the database process exited');
    assert.deepEqual(warnings, []);
  });

  it('survives kill -9 at random moments, including mid-open and mid-checkpoint, round after round', async function () {
    this.timeout(90_000);
    const rounds: { runId: string; killedAt: number; readyAt: number | undefined; saved: string[] }[] = [];
    // Leftovers of a kill during an atomic write must not confuse the next open.
    fs.writeFileSync(path.join(dir, `.sprint-runner.db.999999.${Date.now()}.0.tmp`), 'half a database');
    for (let round = 1; round <= 4; round++) {
      const runId = `round-${round}`;
      const child = spawnFixture('appendUntilKilled.ts', [dir, runId]);
      let readyAt: number | undefined;
      void child.waitForLine(/^ready$/, 60_000).then(() => (readyAt = Date.now()), () => undefined);
      // Random moments from spawn: during tsx start-up, the open (replay + checkpoint of the previous
      // round's journal), appends, and the 250 ms step checkpoints.
      await sleep(700 + Math.floor(Math.random() * 1800));
      const killedAt = Date.now();
      await child.kill9();
      rounds.push({ runId, killedAt, readyAt, saved: child.lines.filter((l) => l.startsWith('saved ')).map((l) => l.slice(6)) });
    }

    // As in the fixture: every round's events are checked, so the progress-line cap stays off here.
    const store = await SqlJsRunStore.open({ stateDir: dir, onWarning, maxProgressEvents: Number.POSITIVE_INFINITY });
    try {
      const batches = await store.listBatches();
      for (const r of rounds) {
        const batch = batches.find((b) => b.runId === r.runId);
        if (!batch) {
          assert.equal(r.readyAt, undefined, `${r.runId} was ready, so its batch (created before "ready") must exist`);
          continue;
        }
        const steps = await store.listSteps(batch.id);
        for (const key of r.saved) assert.ok(steps.find((s) => s.stepKey === key)?.result, `${r.runId}: saved step ${key} has its result`);
        const events = await store.listEvents({ batchId: batch.id });
        const seqs = events.map((e) => Number(/progress line (\d+)/.exec(e.message ?? '')?.[1]));
        assert.deepEqual(seqs, seqs.map((_, i) => i + 1), `${r.runId}: the surviving events are the first n, without gaps`);
        if (r.readyAt !== undefined && r.killedAt - r.readyAt > 1200) {
          assert.ok(events.length > 0 && events[events.length - 1].timestamp >= r.killedAt - 1000, `${r.runId}: no event older than 1 s before the kill is missing`);
        }
      }
    } finally {
      await store.close();
    }
    (await readDbFile(path.join(dir, 'sprint-runner.db'))).close();
    assert.deepEqual(stateFiles(dir), ['sprint-runner.db'], 'journals replayed and temp files cleaned');
    console.log(`      kill rounds: ${rounds.map((r) => `${r.runId} ${r.readyAt ? `ready ${r.killedAt - r.readyAt} ms` : 'not ready'}, ${r.saved.length} saved`).join('; ')}`);
  });

  for (const damage of [
    { name: 'not SQLite at all', write: (file: string) => fs.writeFileSync(file, 'this is not a database\n'.repeat(20)) },
    { name: 'truncated', write: (file: string, good: Buffer) => fs.writeFileSync(file, good.subarray(0, Math.floor(good.length / 2))) },
  ]) {
    it(`moves a corrupt database (${damage.name}) aside with a warning and starts fresh, replaying the journal`, async () => {
      const first = await SqlJsRunStore.open({ stateDir: dir, onWarning });
      const batch = await first.createBatch({ runId: 'lost', startedAt: 1, options: runOptions() });
      for (let i = 0; i < 2000; i++) first.appendEvent(aProgressEvent(i, { batchId: batch.id, at: i }));
      await first.close();
      const dbFile = path.join(dir, 'sprint-runner.db');
      damage.write(dbFile, fs.readFileSync(dbFile));
      fs.writeFileSync(path.join(dir, 'sprint-runner.journal'), `${JSON.stringify({ op: 'event', id: 7, commandId: null, event: aProgressEvent(7) })}\n`);

      const store = await SqlJsRunStore.open({ stateDir: dir, onWarning, clock: { now: () => Date.UTC(2026, 0, 2, 3, 4, 5) } });
      try {
        assert.equal(await store.getBatch(batch.id), undefined);
        assert.deepEqual((await store.listEvents({})).map((e) => e.id), [7], 'the journal was replayed into the fresh database');
      } finally {
        await store.close();
      }
      const aside = 'sprint-runner.db.corrupt-2026-01-02T03-04-05-000Z';
      assert.deepEqual(stateFiles(dir), ['sprint-runner.db', aside]);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], new RegExp(`${dbFile} is not a valid SQLite database: .*moved to ${path.join(dir, aside)}`));
      (await readDbFile(dbFile)).close();
    });
  }

  it('skips a corrupt journal line with a warning naming file and line, and replays the rest idempotently', async () => {
    const ops: StoreOp[] = [
      { op: 'batch.create', id: 1, runId: 'r', startedAt: 1, options: runOptions() },
      { op: 'event', id: 1, commandId: null, event: aProgressEvent(1) },
      { op: 'block.record', id: 1, block: { storyKey: 's', previousStatus: 'review', reason: 'first', blockedAt: 1 } },
      { op: 'block.close', storyKey: 's', at: 2, upToId: 1 },
      { op: 'block.record', id: 2, block: { storyKey: 's', previousStatus: 'review', reason: 'second', blockedAt: 3 } },
      { op: 'step.start', batchId: 1, stepKey: 'k', at: 1 },
      { op: 'step.result', batchId: 1, stepKey: 'k', resultJson: '{"done":true}', at: 2 },
    ];
    const lines = ops.map((o) => JSON.stringify(o));
    const journal = path.join(dir, 'sprint-runner.journal');
    fs.writeFileSync(journal, [lines[0], lines[1], '{"op":"event","id":2,', 'garbage', ...lines.slice(2), '{"op":"bogus"}', ''].join('\n'));

    const check = async (store: SqlJsRunStore): Promise<void> => {
      assert.equal((await store.getBatch(1))?.runId, 'r');
      assert.deepEqual((await store.listEvents({})).map((e) => e.id), [1]);
      assert.equal((await store.openBlock('s'))?.reason, 'second', 'a replayed close never lifts a later block');
      assert.deepEqual((await store.getStep(1, 'k'))?.result, { done: true }, 'a replayed start never erases a result');
    };
    const store = await SqlJsRunStore.open({ stateDir: dir, onWarning });
    await check(store);
    await store.close();
    assert.deepEqual(warnings.map((w) => /^(.*?):(\d+): skipped a corrupt journal line/.exec(w)?.slice(1)), [[journal, '3'], [journal, '4'], [journal, '10']]);

    // A crash between writing the database and deleting a sealed journal leaves lines that are already in it.
    fs.writeFileSync(path.join(dir, 'sprint-runner.journal.3'), `${lines.join('\n')}\n`);
    const again = await SqlJsRunStore.open({ stateDir: dir, onWarning });
    await check(again);
    await again.close();
    assert.deepEqual(stateFiles(dir), ['sprint-runner.db']);
  });

  it('closeSync writes the database and drops the journal without the event loop', async () => {
    const store = await SqlJsRunStore.open({ stateDir: dir, onWarning });
    const batch = await store.createBatch({ runId: 'r', startedAt: 1, options: runOptions() });
    for (let i = 0; i < 100; i++) store.appendEvent(aProgressEvent(i, { batchId: batch.id }));
    await store.markStepStarted(batch.id, 'c1/x', 5);
    store.closeSync();
    assert.deepEqual(stateFiles(dir), ['sprint-runner.db']);
    const file = await readDbFile(path.join(dir, 'sprint-runner.db'));
    assert.deepEqual(file.query('SELECT COUNT(*) FROM events'), [[100]]);
    assert.deepEqual(file.query('SELECT step_key, result_json FROM steps'), [['c1/x', null]]);
    file.close();
    assert.deepEqual(warnings, []);
  });

  for (const where of ['worker', 'process'] as const) {
    it(`if the database ${where === 'worker' ? 'thread' : 'process'} dies, it is restarted from the files and nothing is lost; after three restarts it stays down, clearly`, async function () {
      this.timeout(30_000);
      const store = await SqlJsRunStore.open({ stateDir: dir, onWarning, journalFlushMs: 20, thread: where });
      // Reaching into the store to kill its database the way a crash (e.g. out of memory) would.
      const kill = async (): Promise<void> => {
        const backend = (store as unknown as { backend: { worker?: import('node:worker_threads').Worker; pid?: number } }).backend;
        if (backend.worker) await backend.worker.terminate();
        else process.kill(backend.pid!, 'SIGKILL');
      };
      const batch = await store.createBatch({ runId: 'r', startedAt: 1, options: runOptions() });
      for (let i = 0; i < 3; i++) store.appendEvent(aProgressEvent(i, { batchId: batch.id }));
      await store.saveStepResult(batch.id, 's1', { n: 1 }, 2);
      await kill();
      // Changes made while it is down or restarting.
      for (let i = 3; i < 8; i++) store.appendEvent(aProgressEvent(i, { batchId: batch.id }));
      await store.markStepStarted(batch.id, 's2', 3);
      await store.saveStepResult(batch.id, 's2', { n: 2 }, 4);
      let events: unknown[] = [];
      for (let i = 0; i < 100 && events.length < 8; i++) {
        events = await store.listEvents({ batchId: batch.id }).catch(() => []);
        if (events.length < 8) await sleep(50);
      }
      assert.equal(events.length, 8, 'every event, before and after the crash, is in the restarted database');
      assert.deepEqual((await store.listSteps(batch.id)).map((st) => [st.stepKey, st.result]), [['s1', { n: 1 }], ['s2', { n: 2 }]]);
      assert.ok(warnings.some((w) => /exited.*journal/.test(w)), warnings.join('\n'));
      assert.ok(warnings.some((w) => /restarted from .*sprint-runner\.db and its journal; nothing was lost/.test(w)), warnings.join('\n'));
      await store.checkpointed();
      assert.deepEqual(stateFiles(dir), ['sprint-runner.db'], 'the replayed journals are gone once checkpointed');

      for (let round = 2; round <= 3; round++) {
        await kill();
        let seen = 0;
        for (let i = 0; i < 100 && seen < 8; i++) {
          seen = (await store.listEvents({ batchId: batch.id }).catch(() => [])).length;
          if (seen < 8) await sleep(50);
        }
        assert.equal(seen, 8, `after restart ${round}`);
      }
      await kill();
      await sleep(300);
      await assert.rejects(store.listEvents({}), /exited/);
      assert.ok(warnings.some((w) => /stopped again; not restarting it/.test(w)), warnings.join('\n'));
      for (let i = 8; i < 10; i++) store.appendEvent(aProgressEvent(i, { batchId: batch.id }));
      await sleep(100);
      await assert.rejects(store.close(), /could not write .*sprint-runner\.db.*kept in the journal/);

      warnings = [];
      const again = await SqlJsRunStore.open({ stateDir: dir, onWarning, thread: where });
      try {
        assert.equal((await again.listEvents({ batchId: batch.id })).length, 10);
      } finally {
        await again.close();
      }
      assert.deepEqual(warnings, []);
      assert.deepEqual(stateFiles(dir), ['sprint-runner.db']);
    });
  }

  it('on open, drops the progress lines of batches beyond the retention window and keeps everything else', async () => {
    const store = await SqlJsRunStore.open({ stateDir: dir, onWarning, thread: 'in-process' });
    const ids: number[] = [];
    for (let b = 0; b < 3; b++) {
      const batch = await store.createBatch({ runId: `r${b}`, startedAt: b, options: runOptions() });
      ids.push(batch.id);
      const cmd = await store.startCommand(aCommand({ batchId: batch.id }));
      await store.finishCommand(cmd, { endedAt: 9, outcome: 'success', usage: usage({ costUsd: 1 }) });
      for (let i = 0; i < 500; i++) store.appendEvent(aProgressEvent(i, { batchId: batch.id }));
      store.appendEvent({ type: 'warning', at: 5, batchId: batch.id, message: `kept ${b}` });
    }
    await store.close();
    const sizeBefore = fs.statSync(path.join(dir, 'sprint-runner.db')).size;

    const again = await SqlJsRunStore.open({ stateDir: dir, onWarning, keepProgressForBatches: 2 });
    try {
      const kinds = async (batchId: number): Promise<string[]> => [...new Set((await again.listEvents({ batchId })).map((e) => e.type))];
      assert.deepEqual(await kinds(ids[0]), ['warning']);
      assert.equal((await again.listEvents({ batchId: ids[1] })).length, 501);
      assert.equal((await again.listEvents({ batchId: ids[2] })).length, 501);
      assert.equal((await again.costs({ batchId: ids[0] })).costUsd, 1, 'costs of old batches stay');
    } finally {
      await again.close();
    }
    assert.ok(fs.statSync(path.join(dir, 'sprint-runner.db')).size < sizeBefore, 'the file was compacted');
    assert.deepEqual(warnings, []);
  });

  it('keeps at most about maxProgressEvents progress lines while open: the newest, and every other event and cost', async () => {
    // In the worker, as in the extension host: a command printing progress for hours must not grow memory without end.
    const store = await SqlJsRunStore.open({ stateDir: dir, onWarning, maxProgressEvents: 1000 });
    let sizeAfterFirstRound = 0;
    try {
      const batch = await store.createBatch({ runId: 'long', startedAt: 1, options: runOptions() });
      const cmd = await store.startCommand(aCommand({ batchId: batch.id }));
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 1000; i++) store.appendEvent(aProgressEvent(round * 1000 + i, { batchId: batch.id }));
        store.appendEvent({ type: 'warning', at: 5, batchId: batch.id, message: `kept ${round}` });
        await store.checkpoint();
        if (round === 0) sizeAfterFirstRound = fs.statSync(path.join(dir, 'sprint-runner.db')).size;
      }
      await store.finishCommand(cmd, { endedAt: 9, outcome: 'success', usage: usage({ costUsd: 2 }) });
      const events = await store.listEvents({ batchId: batch.id });
      const progress = events.filter((e) => e.type === 'command:progress');
      assert.ok(progress.length >= 1000 && progress.length <= 1250, `${progress.length} progress lines kept`);
      // The newest are the ones kept, in order, without a gap.
      const messages = progress.map((e) => e.message);
      assert.deepEqual(messages, messages.map((_, k) => `progress line ${4000 - messages.length + k}`));
      assert.deepEqual(events.filter((e) => e.type === 'warning').map((e) => e.message), ['kept 0', 'kept 1', 'kept 2', 'kept 3']);
      assert.equal((await store.costs({ batchId: batch.id })).costUsd, 2);
    } finally {
      await store.close();
    }
    // Deleted pages are reused: four times the events, not four times the file.
    assert.ok(fs.statSync(path.join(dir, 'sprint-runner.db')).size < sizeAfterFirstRound * 2, 'the file stopped growing');
    assert.deepEqual(warnings, []);
  });

  it('refuses a database from a newer Sprint Runner without touching it', async () => {
    const store = await SqlJsRunStore.open({ stateDir: dir, thread: 'in-process' });
    await store.close();
    const SQL = await loadSqlJs();
    const dbFile = path.join(dir, 'sprint-runner.db');
    const db = new SQL.Database(fs.readFileSync(dbFile));
    db.run("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    fs.writeFileSync(dbFile, db.export());
    db.close();
    const before = fs.readFileSync(dbFile);
    await assert.rejects(SqlJsRunStore.open({ stateDir: dir, onWarning }), new RegExp(`${dbFile}: .*schema version 99.*Update Sprint Runner`));
    assert.deepEqual(fs.readFileSync(dbFile), before);
    assert.deepEqual(stateFiles(dir), ['sprint-runner.db']);
  });
});
