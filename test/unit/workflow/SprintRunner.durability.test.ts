// The run as a durable function: pause, cancel, crash, resume — finished steps never re-execute and
// the final ledger is the one an uninterrupted run leaves.

import { strict as assert } from 'node:assert';
import type { AgentRequest } from '../../../src/core/agent/AgentContract';
import { NothingToResumeError } from '../../../src/core/workflow/SprintRunner';
import * as path from 'node:path';
import type { SqlJsRunStore } from '../../../src/infra/store/SqlJsRunStore';
import type { ScriptedReply } from '../../support/ScriptedAgent';
import { aRunner, aStore, aWorkspace, eventsOf, type TestWorkspace } from '../../support/workflowBuilders';

const workspaces: TestWorkspace[] = [];
const openStores: SqlJsRunStore[] = [];
afterEach(async () => {
  await Promise.all(openStores.splice(0).map((s) => s.close()));
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

/** The real sql.js store on `<workspace>/.sprint-runner` (a second call = the next process opening the file). */
async function storeOf(ws: TestWorkspace): Promise<SqlJsRunStore> {
  const s = await aStore(path.join(ws.root, '.sprint-runner'));
  openStores.push(s);
  return s;
}

async function closed(s: SqlJsRunStore): Promise<void> {
  openStores.splice(openStores.indexOf(s), 1);
  await s.close();
}

const STORIES = { '1-1-a': 'backlog', '1-2-b': 'backlog', '2-1-c': 'in-progress' };
const UNINTERRUPTED = [
  'create-story ∥ create-story-discovery 1-1+1-2',
  'story-review 1-1',
  'story-review 1-2',
  'dev-story 1-1',
  'code-review 1-1',
  'dev-story 1-2',
  'code-review 1-2',
  'batch-commit 1-1+1-2',
  'dev-story 2-1',
  'code-review 2-1',
  'batch-commit 2-1',
];

async function workspace(stories: Record<string, string> = STORIES): Promise<TestWorkspace> {
  const ws = await aWorkspace({ stories });
  workspaces.push(ws);
  return ws;
}

/** A promise that never settles: the process "died" while the agent was running. */
const never = () => new Promise<void>(() => undefined);

describe('SprintRunner durability', () => {
  it('the uninterrupted reference run', async () => {
    const ws = await workspace();
    const t = aRunner(ws, { store: await storeOf(ws) });
    const r = await t.runner.run({ cycles: 2 });
    assert.deepEqual(t.agent.sequence, UNINTERRUPTED);
    assert.deepEqual(await ws.statuses(), { '1-1-a': 'done', '1-2-b': 'done', '2-1-c': 'done' });
    assert.equal(r.stepsCompleted, r.stepsTotal);
  });

  it('pause: the running step finishes, no new step starts, the batch is paused; resume continues with the recorded options', async () => {
    const ws = await workspace();
    const store = await storeOf(ws);
    const first = aRunner(ws, { store, script: { 'dev-story 1-2': { before: async () => first.runner.pause() } } });
    const paused = await first.runner.run({ cycles: 2 });
    assert.equal(paused.status, 'paused');
    assert.equal(first.runner.state, 'paused');
    assert.deepEqual(first.agent.sequence, UNINTERRUPTED.slice(0, 6), 'dev-story 1-2 finished, code-review 1-2 never started');
    assert.equal((await ws.statuses())['1-2-b'], 'review', 'the finished step kept its effect');
    assert.equal((await store.latestBatch())?.status, 'paused');
    await closed(store);

    const second = aRunner(ws, { store: await storeOf(ws) });
    const resumed = await second.runner.resume();
    assert.deepEqual(second.agent.sequence, UNINTERRUPTED.slice(6), 'finished steps are replayed from the journal, not re-run');
    assert.equal(resumed.status, 'completed');
    assert.equal(resumed.batchId, paused.batchId);
    assert.equal(resumed.cyclesCompleted, 2, 'cycles setting of the original run (2) was kept');
    assert.deepEqual(await ws.statuses(), { '1-1-a': 'done', '1-2-b': 'done', '2-1-c': 'done' });
    assert.deepEqual(resumed.storiesDone, ['1-1-a', '1-2-b', '2-1-c']);
    const replayed = eventsOf(second.events, 'command:end').filter((e) => e.replayed);
    assert.equal(replayed.length, 7, "create-story, discovery, 2 story reviews, dev 1-1, code-review 1-1, dev 1-2");
    assert.equal(eventsOf(second.events, 'batch:start')[0].resumed, true);
  });

  it('crash mid-step: a new runner on the same store re-runs only the interrupted step', async () => {
    const ws = await workspace();
    const doomedStore = await aStore(path.join(ws.root, '.sprint-runner'));
    const doomed = aRunner(ws, { store: doomedStore, script: { 'code-review 1-2': { before: never } } });
    void doomed.runner.run({ cycles: 2 });
    // Wait until the doomed runner is inside code-review 1-2, then abandon it (like SIGKILL: nothing more is written).
    for (let i = 0; i < 200 && !doomed.agent.sequence.includes('code-review 1-2'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(doomed.agent.sequence, UNINTERRUPTED.slice(0, 7));
    // What a kill -9 leaves: the database file of the last checkpoint plus the journal written so far
    // (the doomed store flushes its journal within 200 ms and then never touches the folder again).
    await new Promise((r) => setTimeout(r, 300));

    const store = await storeOf(ws);
    assert.equal((await store.latestBatch())?.status, 'running');
    const survivor = aRunner(ws, { store });
    const r = await survivor.runner.resume();
    assert.deepEqual(survivor.agent.sequence, UNINTERRUPTED.slice(6), 'only the interrupted step and what follows');
    assert.equal(r.status, 'completed');
    assert.deepEqual(await ws.statuses(), { '1-1-a': 'done', '1-2-b': 'done', '2-1-c': 'done' });
    const commits = (await store.listCommands({ batchId: r.batchId })).filter((c) => c.command === 'batch-commit');
    assert.equal(commits.length, 2, 'one commit per cycle across both processes');
    const codeReviews12 = (await store.listCommands({ storyKey: '1-2-b' })).filter((c) => c.command === 'code-review');
    assert.deepEqual(codeReviews12.map((c) => c.outcome), [null, 'success'], 'the interrupted invocation stays unfinished, its re-run succeeded');
  });

  it('crash while create-story ∥ discovery run: the finished one is kept, only the other re-runs', async () => {
    const ws = await workspace();
    const doomed = aRunner(ws, { store: await aStore(path.join(ws.root, '.sprint-runner')), script: { 'create-story-discovery': { before: never } } });
    void doomed.runner.run({ cycles: 2 });
    for (let i = 0; i < 300 && (await ws.statuses())['1-2-b'] !== 'ready-for-dev'; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 300));

    const survivor = aRunner(ws, { store: await storeOf(ws) });
    const r = await survivor.runner.resume();
    assert.deepEqual(survivor.agent.sequence, ['create-story-discovery 1-1+1-2', ...UNINTERRUPTED.slice(1)]);
    assert.equal(r.status, 'completed');
    assert.deepEqual(await ws.statuses(), { '1-1-a': 'done', '1-2-b': 'done', '2-1-c': 'done' });
  });

  it('cancel: the agent is aborted through its signal, state is kept, the batch is stopped and resumable', async () => {
    const ws = await workspace({ '1-1-a': 'review', '2-1-b': 'review' });
    const store = await storeOf(ws);
    const waitForAbort: ScriptedReply = {
      before: (req: AgentRequest) => new Promise<void>((resolve) => req.signal.addEventListener('abort', () => resolve(), { once: true })),
    };
    const t = aRunner(ws, { store, script: { 'code-review 2-1': [waitForAbort, {}] } });
    const running = t.runner.run({ cycles: 2 });
    for (let i = 0; i < 200 && !t.agent.sequence.includes('code-review 2-1'); i++) await new Promise((r) => setTimeout(r, 10));
    t.runner.cancel('stopped by the user');
    const r = await running;
    assert.equal(r.status, 'stopped');
    assert.equal(r.reason, 'stopped by the user');
    assert.equal(t.runner.state, 'idle');
    assert.equal((await ws.statuses())['1-1-a'], 'done');
    assert.equal((await ws.statuses())['2-1-b'], 'review');
    const cancelled = (await store.listCommands({ storyKey: '2-1-b' })).find((c) => c.command === 'code-review');
    assert.equal(cancelled?.outcome, 'cancelled');
    await closed(store);

    const again = aRunner(ws, { store: await storeOf(ws) });
    const resumed = await again.runner.resume();
    assert.deepEqual(again.agent.sequence, ['code-review 2-1', 'batch-commit 2-1']);
    assert.equal(resumed.status, 'completed');
  });

  it('resume refuses when the latest batch completed or failed, or when there is none', async () => {
    const ws = await workspace({ '1-1-a': 'review' });
    const store = await storeOf(ws);
    await assert.rejects(aRunner(ws, { store }).runner.resume(), NothingToResumeError);
    await aRunner(ws, { store }).runner.run({ cycles: 1 });
    await assert.rejects(aRunner(ws, { store }).runner.resume(), /Nothing to resume: the latest batch \(#1\) ended completed/);
  });

  it('the run options are recorded before the first step', async () => {
    const ws = await workspace({ '1-1-a': 'review' });
    const store = await storeOf(ws);
    let seen: unknown;
    const t = aRunner(ws, { store, script: { 'code-review': { before: async () => void (seen = (await store.latestBatch())?.options) } } });
    await t.runner.run({ cycles: 'all', startWith: '1-1-a' });
    assert.deepEqual(seen, { batchMode: 'all', maxCycles: null, startWith: '1-1-a' });
  });

  it('a budget crossed after a command emits budget:reached and pauses the batch', async () => {
    const ws = await workspace({ '1-1-a': 'review', '2-1-b': 'review' });
    const t = aRunner(ws, { store: await storeOf(ws), settings: { budgets: { perBatchUsd: 0.5 } }, script: { 'code-review 1-1': { costUsd: 0.6 } } });
    const r = await t.runner.run({ cycles: 2 });
    assert.equal(r.status, 'paused');
    assert.match(r.reason!, /batch budget reached: \$0\.60 of \$0\.50/);
    assert.deepEqual(t.agent.sequence, ['code-review 1-1']);
    const b = eventsOf(t.events, 'budget:reached');
    assert.deepEqual(
      b.map((e) => [e.scope, e.limitUsd, e.spentUsd]),
      [['batch', 0.5, 0.6]],
    );
  });

  it('a story budget pauses too, naming the story', async () => {
    const ws = await workspace({ '1-1-a': 'review' });
    const t = aRunner(ws, { store: await storeOf(ws), settings: { budgets: { perStoryUsd: 0.015 } }, script: { 'code-review 1-1': review2() } });
    const r = await t.runner.run({ cycles: 1 });
    assert.equal(r.status, 'paused');
    assert.equal(eventsOf(t.events, 'budget:reached')[0].storyKey, '1-1-a');
    assert.deepEqual(t.agent.sequence, ['code-review 1-1', 'code-review 1-1 a2 @haiku']);
  });
});

/** Two reviews worth 0.01 each: the second crosses 0.015. */
function review2(): ScriptedReply[] {
  return [{ output: '- [HIGH] x\nHIGHEST SEVERITY: HIGH' }, { output: 'ZERO ISSUES' }];
}
