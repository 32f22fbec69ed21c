import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { SqlJsRunStore } from '../../../../src/infra/store/SqlJsRunStore';
import { loadSqlJs } from '../../../../src/infra/store/sqlJsLoader';
import type { SprintEvent } from '../../../../src/core/SprintEvents';
import { aCommand, aProgressEvent, removeDir, runOptions, tempStateDir, usage } from './storeBuilders';

const modes = [
  { name: 'in memory (this thread)', open: (warn: (m: string) => void) => SqlJsRunStore.open({ onWarning: warn }) },
  {
    name: 'state folder (worker thread)',
    open: (warn: (m: string) => void) => SqlJsRunStore.open({ stateDir: tempStateDir('api'), onWarning: warn }),
  },
  {
    name: 'state folder (database process)',
    open: (warn: (m: string) => void) => SqlJsRunStore.open({ stateDir: tempStateDir('api'), onWarning: warn, thread: 'process' }),
  },
];

for (const mode of modes) {
  describe(`SqlJsRunStore — ${mode.name}`, () => {
    let store: SqlJsRunStore;
    const warnings: string[] = [];

    before(async () => {
      store = await mode.open((m) => warnings.push(m));
    });

    after(async () => {
      await store.close();
      if (store.stateDir) removeDir(store.stateDir);
      assert.deepEqual(warnings, []);
    });

    it('records a batch with its options before any step, and updates it', async () => {
      const options = runOptions({ batchMode: 'all', maxCycles: null, startWith: '2a-1-scanner', model: 'opus' });
      const created = await store.createBatch({ runId: 'run-a', startedAt: 1_000, options });
      assert.equal(created.status, 'running');
      assert.deepEqual(await store.getBatch(created.id), created);

      await store.updateBatch(created.id, { cyclesCompleted: 1 });
      await store.updateBatch(created.id, { status: 'stopped', endedAt: 2_000, reason: 'user stop' });
      const after = await store.getBatch(created.id);
      assert.deepEqual(after, { ...created, cyclesCompleted: 1, status: 'stopped', endedAt: 2_000, reason: 'user stop' });
      assert.equal(await store.getBatch(9_999), undefined);

      const second = await store.createBatch({ runId: 'run-b', startedAt: 3_000, options: runOptions() });
      assert.equal((await store.latestBatch())?.runId, 'run-b');
      assert.deepEqual((await store.listBatches(1)).map((b) => b.id), [second.id]);
      assert.deepEqual((await store.listBatches()).slice(0, 2).map((b) => b.runId), ['run-b', 'run-a']);
    });

    it('keeps a step journal: a step with a result is finished, a started-only step is not', async () => {
      const batch = await store.createBatch({ runId: 'run-steps', startedAt: 1, options: runOptions() });
      await store.markStepStarted(batch.id, 'c1/create-story', 10);
      await store.saveStepResult(batch.id, 'c1/create-story', { outcome: 'success', files: ['a.md'] }, 20);
      await store.markStepStarted(batch.id, 'c1/story-review/2a-1/a1', 30);

      const done = await store.getStep(batch.id, 'c1/create-story');
      assert.deepEqual(done, { batchId: batch.id, stepKey: 'c1/create-story', startedAt: 10, endedAt: 20, result: { outcome: 'success', files: ['a.md'] } });
      const running = await store.getStep(batch.id, 'c1/story-review/2a-1/a1');
      assert.equal(running?.endedAt, null);
      assert.equal(running !== undefined && 'result' in running, false, 'a running step has no result');

      // What resume does: the first step without a recorded result is where it continues.
      const steps = await store.listSteps(batch.id);
      assert.deepEqual(steps.map((s) => s.stepKey), ['c1/create-story', 'c1/story-review/2a-1/a1']);
      assert.equal(steps.find((s) => s.result === undefined)?.stepKey, 'c1/story-review/2a-1/a1');

      // Re-marking a finished step (a buggy caller, or a replayed journal) never erases its result.
      await store.markStepStarted(batch.id, 'c1/create-story', 40);
      assert.deepEqual((await store.getStep(batch.id, 'c1/create-story'))?.result, { outcome: 'success', files: ['a.md'] });

      // The step that was running re-runs and gets its result; an undefined result still finishes it.
      await store.markStepStarted(batch.id, 'c1/story-review/2a-1/a1', 50);
      await store.saveStepResult(batch.id, 'c1/story-review/2a-1/a1', undefined, 60);
      const rerun = await store.getStep(batch.id, 'c1/story-review/2a-1/a1');
      assert.equal(rerun?.startedAt, 50);
      assert.equal(rerun?.result, null);
      assert.equal(rerun?.endedAt, 60);
      assert.equal(await store.getStep(batch.id, 'never'), undefined);
    });

    it('answers getStep from its own copy of the step journal, always agreeing with the database', async () => {
      const batch = await store.createBatch({ runId: 'run-cache', startedAt: 1, options: runOptions() });
      const other = await store.createBatch({ runId: 'run-cache-2', startedAt: 1, options: runOptions() });
      // Written before the copy exists, then the copy loads while more writes are on their way.
      await store.markStepStarted(batch.id, 's1', 10);
      await store.saveStepResult(batch.id, 's1', { n: 1 }, 11);
      const loading = store.getStep(batch.id, 's1');
      await store.markStepStarted(batch.id, 's2', 20);
      const saving = store.saveStepResult(batch.id, 's2', { n: 2 }, 21);
      await store.markStepStarted(batch.id, 's3', 30);
      assert.deepEqual((await loading)?.result, { n: 1 });
      await saving;
      await store.markStepStarted(other.id, 'x', 5);
      await store.markStepStarted(batch.id, 's1', 99); // a finished step keeps its start and result
      await store.saveStepResult(batch.id, 's4', [1, 'two', null], 40); // a result without a start mark

      const fromDatabase = await store.listSteps(batch.id);
      assert.deepEqual(fromDatabase.map((s) => s.stepKey), ['s1', 's2', 's3', 's4']);
      for (const row of fromDatabase) assert.deepEqual(await store.getStep(batch.id, row.stepKey), row, row.stepKey);
      assert.deepEqual(await store.getStep(other.id, 'x'), (await store.listSteps(other.id))[0]);
      assert.equal(await store.getStep(other.id, 's1'), undefined, 'steps belong to their batch');

      // Each read is a fresh value: changing it changes nothing stored.
      const read = (await store.getStep(batch.id, 's2')) as { result: { n: number } };
      read.result.n = 7;
      assert.deepEqual((await store.getStep(batch.id, 's2'))?.result, { n: 2 });
    });

    it('sums costs with cache tokens per story, cycle and batch, splitting a pair command between its stories', async () => {
      const batch = await store.createBatch({ runId: 'run-costs', startedAt: 1, options: runOptions() });
      const other = await store.createBatch({ runId: 'run-other', startedAt: 2, options: runOptions() });
      await store.upsertStory(batch.id, '2a-1-scanner', '2a', { status: 'in-progress', startedAt: 5 });
      await store.upsertStory(batch.id, '2a-2-sync', '2a', { status: 'ready-for-dev' });

      const pair = await store.startCommand(aCommand({ batchId: batch.id, stepKey: 'c1/create-story', command: 'create-story', storyKeys: ['2a-1-scanner', '2a-2-sync'], startedAt: 100 }));
      await store.finishCommand(pair, { endedAt: 200, outcome: 'success', usage: usage({ inputTokens: 1000, outputTokens: 400, cacheCreationInputTokens: 3000, cacheReadInputTokens: 50_000, costUsd: 2 }), outputSummary: 'created', logPath: '/logs/1.ndjson' });
      const dev = await store.startCommand(aCommand({ batchId: batch.id, stepKey: 'c1/dev-story/2a-1-scanner', startedAt: 300 }));
      await store.finishCommand(dev, { endedAt: 900, outcome: 'success', usage: usage({ inputTokens: 10, outputTokens: 20, cacheCreationInputTokens: 30, cacheReadInputTokens: 40, costUsd: 1.25, model: 'claude-opus-4', durationMs: 555, numTurns: 7, sessionId: 's-1' }) });
      const review = await store.startCommand(aCommand({ batchId: batch.id, stepKey: 'c2/code-review/2a-2-sync/a2', command: 'code-review', cycle: 2, attempt: 2, storyKeys: ['2a-2-sync'], model: 'haiku', startedAt: 1000 }));
      await store.finishCommand(review, { endedAt: 1100, outcome: 'agent-failure', usage: usage({ inputTokens: 1, outputTokens: 2, cacheCreationInputTokens: 3, cacheReadInputTokens: 4, costUsd: 0.05 }) });
      const running = await store.startCommand(aCommand({ batchId: batch.id, stepKey: 'c2/dev-story/2a-2-sync', storyKeys: ['2a-2-sync'], cycle: 2, startedAt: 1200 }));
      const elsewhere = await store.startCommand(aCommand({ batchId: other.id, startedAt: 5 }));
      await store.finishCommand(elsewhere, { endedAt: 6, outcome: 'success', usage: usage({ costUsd: 100 }) });

      assert.deepEqual(await store.costs({ batchId: batch.id }), {
        inputTokens: 1011, outputTokens: 422, cacheCreationInputTokens: 3033, cacheReadInputTokens: 50_044, costUsd: 3.3, commands: 4,
      });
      assert.deepEqual(await store.costs({ batchId: batch.id, cycle: 2 }), {
        inputTokens: 1, outputTokens: 2, cacheCreationInputTokens: 3, cacheReadInputTokens: 4, costUsd: 0.05, commands: 2,
      });
      const scanner = await store.costs({ batchId: batch.id, storyKey: '2a-1-scanner' });
      assert.deepEqual(scanner, { inputTokens: 510, outputTokens: 220, cacheCreationInputTokens: 1530, cacheReadInputTokens: 25_040, costUsd: 2.25, commands: 2 });
      const byStory = await store.costsByStory(batch.id);
      assert.deepEqual([...byStory.keys()], ['2a-1-scanner', '2a-2-sync']);
      const sync = byStory.get('2a-2-sync');
      assert.equal(sync?.costUsd, 1.05);
      assert.equal(sync?.commands, 3);
      // Per-story shares add up to the batch total: nothing counted twice.
      const sum = [...byStory.values()].reduce((s, c) => s + c.costUsd, 0);
      assert.ok(Math.abs(sum - 3.3) < 1e-9, `story costs add up to ${sum}`);
      assert.equal((await store.costs({})).costUsd, 103.3);

      const devRecord = (await store.listCommands({ storyKey: '2a-1-scanner', batchId: batch.id })).map((c) => [c.id, c.command]);
      assert.deepEqual(devRecord, [[pair, 'create-story'], [dev, 'dev-story']]);
      const [devCommand] = (await store.listCommands({ batchId: batch.id })).filter((c) => c.id === dev);
      assert.deepEqual(devCommand, {
        id: dev, batchId: batch.id, stepKey: 'c1/dev-story/2a-1-scanner', cycle: 1, command: 'dev-story', attempt: 1,
        storyKeys: ['2a-1-scanner'], epicId: '2a', model: 'claude-opus-4', startedAt: 300, endedAt: 900, outcome: 'success',
        usage: { inputTokens: 10, outputTokens: 20, cacheCreationInputTokens: 30, cacheReadInputTokens: 40, costUsd: 1.25, model: 'claude-opus-4', durationMs: 555, numTurns: 7, sessionId: 's-1' },
        outputSummary: null, logPath: null,
      });
      const [runningCommand] = (await store.listCommands({ batchId: batch.id })).filter((c) => c.id === running);
      assert.equal(runningCommand.endedAt, null);
      assert.equal(runningCommand.outcome, null);
      assert.equal(runningCommand.usage, null);
    });

    it('stores events with 002 columns, in order, filtered by batch and id; output lines are not stored', async () => {
      const batch = await store.createBatch({ runId: 'run-events', startedAt: 1, options: runOptions() });
      const cmd = await store.startCommand(aCommand({ batchId: batch.id, stepKey: 'c1/create-story', command: 'create-story', storyKeys: ['2a-1-scanner', '2a-2-sync'] }));
      const before = await store.listEvents({ batchId: batch.id });
      assert.deepEqual(before, []);
      store.appendEvent({ type: 'cycle:start', at: 1, batchId: batch.id, cycle: 1, maxCycles: 2, storyKeys: ['2a-1-scanner', '2a-2-sync'], epicId: '2a' });
      store.appendEvent(aProgressEvent(1, { batchId: batch.id, stepKey: 'c1/create-story', storyKeys: ['2a-1-scanner', '2a-2-sync'], storyId: '2a-2' }));
      store.appendEvent({ type: 'command:output', at: 2, batchId: batch.id, stepKey: 'c1/create-story', command: 'create-story', attempt: 1, storyKeys: ['2a-1-scanner'], line: 'noise' });
      store.appendEvent({ type: 'story:status', at: 3, batchId: batch.id, storyKey: '2a-1-scanner', from: 'review', to: 'done' });
      store.appendEvent({ type: 'warning', at: 4, batchId: batch.id, message: 'story file missing', storyKey: '2a-2-sync' });

      const events = await store.listEvents({ batchId: batch.id });
      assert.deepEqual(events.map((e) => e.type), ['cycle:start', 'command:progress', 'story:status', 'warning']);
      assert.ok(events[0].id < events[1].id && events[1].id < events[2].id);
      const progress = events[1];
      assert.deepEqual(
        { storyKey: progress.storyKey, epicId: progress.epicId, command: progress.command, taskId: progress.taskId, status: progress.status, message: progress.message },
        { storyKey: '2a-2-sync', epicId: '2a', command: 'dev-story', taskId: 'tests', status: 'start', message: 'progress line 1' },
      );
      assert.equal(progress.payload.type, 'command:progress');
      assert.deepEqual(events[2].status, 'done');
      assert.deepEqual(events[3].message, 'story file missing');

      const afterFirst = await store.listEvents({ batchId: batch.id, afterId: events[0].id, limit: 2 });
      assert.deepEqual(afterFirst.map((e) => e.id), [events[1].id, events[2].id]);
      assert.ok(cmd > 0);
    });

    it('gives back every kind of event exactly as appended', async () => {
      const batch = await store.createBatch({ runId: 'run-roundtrip', startedAt: 1, options: runOptions() });
      const b = batch.id;
      const events: SprintEvent[] = [
        { type: 'run:state', at: 1, state: 'running' },
        { type: 'batch:start', at: 2, batchId: b, runId: 'run-roundtrip', batchMode: 'all', maxCycles: null, resumed: true },
        { type: 'cycle:start', at: 3, batchId: b, cycle: 1, maxCycles: null, storyKeys: ['a-1', 'a-2'], epicId: 'a' },
        { type: 'command:start', at: 4, batchId: b, stepKey: 'c1/create-story', cycle: 1, command: 'create-story', attempt: 1, storyKeys: ['a-1', 'a-2'], epicId: 'a', model: 'opus' },
        aProgressEvent(5, { batchId: b, stepKey: 'c1/create-story', storyKeys: ['a-1', 'a-2'], storyId: 'a-1' }),
        { type: 'command:progress', at: 6, command: 'code-review-2', storyKeys: ['a-1'], row: { timestamp: 6, epicId: '', storyId: 'a-1', command: 'code-review-2', taskId: '', status: 'odd "status"', message: 'quotes " and, commas\nnewline' } },
        { type: 'command:end', at: 7, batchId: b, stepKey: 'c1/create-story', cycle: 1, command: 'create-story', attempt: 1, storyKeys: ['a-1', 'a-2'], outcome: 'success', durationMs: 3, usage: usage(), message: 'ok', replayed: true },
        { type: 'story:status', at: 8, batchId: b, storyKey: 'a-1', to: 'ready-for-dev' },
        { type: 'story:phase', at: 9, batchId: b, storyKey: 'a-1', phase: 'code-review', command: 'code-review', attempt: 2 },
        { type: 'context:status', at: 10, status: 'refreshing', path: '/p/project-context.md' },
        { type: 'budget:reached', at: 11, batchId: b, scope: 'story', storyKey: 'a-1', limitUsd: 5, spentUsd: 5.5 },
        { type: 'error', at: 12, batchId: b, message: 'boom', permanent: true },
        { type: 'cycle:end', at: 13, batchId: b, cycle: 1, storyKeys: ['a-1', 'a-2'], done: ['a-1'], blocked: ['a-2'] },
        { type: 'batch:end', at: 14, batchId: b, status: 'completed', cyclesCompleted: 1, storiesDone: ['a-1'], storiesBlocked: ['a-2'], sprintComplete: false },
      ];
      const last = (await store.listEvents({})).at(-1)?.id ?? 0;
      for (const e of events) store.appendEvent(e);
      const stored = await store.listEvents({ afterId: last });
      assert.deepEqual(stored.map((e) => e.payload), events);
    });

    it('records, finds and lifts story blocks', async () => {
      await store.recordBlock({ storyKey: '3-1-blocky', previousStatus: 'review', reason: 'same findings 3 times', blockedAt: 10 });
      assert.deepEqual(await store.openBlock('3-1-blocky'), { storyKey: '3-1-blocky', previousStatus: 'review', reason: 'same findings 3 times', blockedAt: 10, unblockedAt: null });
      await store.closeBlock('3-1-blocky', 20);
      assert.equal(await store.openBlock('3-1-blocky'), undefined);
      await store.recordBlock({ storyKey: '3-1-blocky', previousStatus: 'in-progress', reason: '3 agent failures', blockedAt: 30 });
      assert.equal((await store.openBlock('3-1-blocky'))?.reason, '3 agent failures');
      assert.equal(await store.openBlock('never-blocked'), undefined);
    });

    it('tracks background tasks and closes what a dead process left running', async () => {
      const batch = await store.createBatch({ runId: 'run-bg', startedAt: 1, options: runOptions() });
      const refresh = await store.addBackgroundTask({ batchId: batch.id, storyKey: null, taskType: 'project-context-refresh', spawnedAt: 5 });
      const review = await store.addBackgroundTask({ batchId: batch.id, storyKey: '2a-1-scanner', taskType: 'story-review', spawnedAt: 6 });
      await store.finishBackgroundTask(refresh, 'completed', 9);
      await store.setBackgroundTaskProcess(review, process.pid, 'unknown-start');
      const tasks = await store.listBackgroundTasks(batch.id);
      assert.deepEqual(tasks, [
        { id: refresh, batchId: batch.id, storyKey: null, taskType: 'project-context-refresh', spawnedAt: 5, completedAt: 9, status: 'completed' },
        { id: review, batchId: batch.id, storyKey: '2a-1-scanner', taskType: 'story-review', spawnedAt: 6, completedAt: null, status: 'running' },
      ]);

      const cmd = await store.startCommand(aCommand({ batchId: batch.id, stepKey: 'c1/dev-story/x' }));
      await store.setCommandProcess(cmd, 424242, '1');
      const seen: number[] = [];
      const report = await store.reconcileOrphans((pid) => (seen.push(pid), pid === process.pid));
      const orphanCommand = report.commands.find((c) => c.id === cmd);
      assert.deepEqual(orphanCommand && { pid: orphanCommand.pid, alive: orphanCommand.processAlive, stepKey: orphanCommand.stepKey }, { pid: 424242, alive: false, stepKey: 'c1/dev-story/x' });
      assert.equal(report.backgroundTasks.find((t) => t.id === review)?.processAlive, true);
      assert.ok(seen.includes(424242));
      const [interrupted] = (await store.listCommands({ batchId: batch.id })).filter((c) => c.id === cmd);
      assert.notEqual(interrupted.endedAt, null);
      assert.equal(interrupted.outcome, null, 'an interrupted command has no agent outcome');
      assert.equal((await store.listBackgroundTasks(batch.id)).find((t) => t.id === review)?.status, 'orphaned');
      const again = await store.reconcileOrphans(() => true);
      assert.deepEqual([again.commands.length, again.backgroundTasks.length], [0, 0]);
    });

    it('summarises stories for the tree and dashboard', async () => {
      const batch = await store.createBatch({ runId: 'run-summary', startedAt: 1, options: runOptions() });
      await store.upsertStory(batch.id, '4-1-alpha', '4', { status: 'in-progress', startedAt: 10 });
      await store.upsertStory(batch.id, '4-2-beta', '4', { status: 'review' });
      await store.upsertStory(batch.id, '4-1-alpha', '4', { status: 'done', endedAt: 99 });
      const c = await store.startCommand(aCommand({ batchId: batch.id, stepKey: 'c1/code-review/4-1-alpha/a3', command: 'code-review', attempt: 3, storyKeys: ['4-1-alpha'] }));
      await store.finishCommand(c, { endedAt: 2_000, outcome: 'success', usage: usage({ costUsd: 0.75 }) });
      await store.recordBlock({ storyKey: '4-2-beta', previousStatus: 'review', reason: 'max reviews', blockedAt: 50 });

      const summaries = await store.storySummaries(batch.id);
      assert.deepEqual(summaries.map((s) => [s.storyKey, s.status, s.startedAt, s.endedAt]), [['4-1-alpha', 'done', 10, 99], ['4-2-beta', 'review', null, null]]);
      assert.equal(summaries[0].costs.costUsd, 0.75);
      assert.deepEqual(summaries[0].lastCommand && [summaries[0].lastCommand.command, summaries[0].lastCommand.attempt, summaries[0].lastCommand.outcome], ['code-review', 3, 'success']);
      assert.equal(summaries[1].lastCommand, null);
      assert.equal(summaries[1].openBlock?.reason, 'max reviews');
      const latest = await store.storySummaries();
      assert.ok(latest.some((s) => s.storyKey === '4-1-alpha' && s.batchId === batch.id));
    });
  });
}

describe('SqlJsRunStore — lifecycle', () => {
  it('refuses changes after close and in read-only mode, naming the folder', async () => {
    const dir = tempStateDir('ro');
    try {
      const store = await SqlJsRunStore.open({ stateDir: dir, thread: 'in-process' });
      await store.createBatch({ runId: 'r', startedAt: 1, options: runOptions() });
      await store.close();
      await assert.rejects(store.getBatch(1), /closed/);
      assert.throws(() => store.appendEvent(aProgressEvent(1)), /closed/);

      const dbBefore = fs.statSync(`${dir}/sprint-runner.db`).mtimeMs;
      const reader = await SqlJsRunStore.open({ stateDir: dir, readOnly: true, thread: 'in-process' });
      assert.equal((await reader.getBatch(1))?.runId, 'r');
      await assert.rejects(reader.updateBatch(1, { status: 'failed' }), new RegExp(`${dir}.*read-only`));
      await reader.close();
      assert.equal(fs.statSync(`${dir}/sprint-runner.db`).mtimeMs, dbBefore, 'a reader never writes the file');
    } finally {
      removeDir(dir);
    }
  });

  it('can run the database thread at a lower CPU priority (nice 10), leaving this thread as it is', async function () {
    if (!fs.existsSync('/proc/self/task')) this.skip();
    const niceOfThreads = (): number[] =>
      fs.readdirSync('/proc/self/task').map((tid) => {
        const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      });
    const before = niceOfThreads().filter((n) => n === 10).length;
    const ownPriority = os.getPriority();
    const store = await SqlJsRunStore.open({ stateDir: tempStateDir('nice'), databasePriority: 'low' });
    try {
      assert.equal(niceOfThreads().filter((n) => n === 10).length, before + 1, 'exactly one more thread runs at nice 10');
      assert.equal(os.getPriority(), ownPriority, 'the opening thread keeps its priority');
    } finally {
      await store.close();
      removeDir(store.stateDir!);
    }
  });

  it('creates the run tables (and the resume tables) in the file', async () => {
    const dir = tempStateDir('schema');
    try {
      const store = await SqlJsRunStore.open({ stateDir: dir });
      await store.close();
      const SQL = await loadSqlJs();
      const db = new SQL.Database(fs.readFileSync(`${dir}/sprint-runner.db`));
      const columns = (table: string): string[] => db.exec(`PRAGMA table_info(${table})`)[0].values.map((v) => String(v[1]));
      const includes = (table: string, expected: string[]): void => {
        const missing = expected.filter((c) => !columns(table).includes(c));
        assert.deepEqual(missing, [], `${table} lacks ${missing.join(', ')}`);
      };
      includes('batches', ['id', 'started_at', 'ended_at', 'max_cycles', 'cycles_completed', 'status']);
      includes('stories', ['id', 'batch_id', 'story_key', 'epic_id', 'status', 'started_at', 'ended_at']);
      includes('commands', ['id', 'story_id', 'command', 'task_id', 'started_at', 'ended_at', 'status', 'output_summary',
        'input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens', 'cost_usd', 'model', 'duration_ms',
        'num_turns', 'session_id', 'log_path', 'outcome', 'attempt', 'step_key', 'cycle']);
      includes('events', ['id', 'batch_id', 'story_id', 'command_id', 'timestamp', 'epic_id', 'story_key', 'command', 'task_id', 'status', 'message']);
      includes('background_tasks', ['id', 'batch_id', 'story_key', 'task_type', 'spawned_at', 'completed_at', 'status']);
      includes('steps', ['batch_id', 'step_key', 'started_at', 'ended_at', 'result_json']);
      includes('story_blocks', ['story_key', 'previous_status', 'reason', 'blocked_at', 'unblocked_at']);
      assert.equal(db.exec("SELECT value FROM meta WHERE key = 'schema_version'")[0].values[0][0], '1');
      const indexes = db.exec("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_%'")[0].values.map((v) => String(v[0]));
      assert.ok(indexes.includes('idx_events_batch') && indexes.includes('idx_commands_batch'), indexes.join(','));
      db.close();
    } finally {
      removeDir(dir);
    }
  });
});
