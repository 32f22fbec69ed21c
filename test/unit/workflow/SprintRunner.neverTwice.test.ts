// Never pay twice: a ready-for-dev story whose tech spec exists gets no new one and no new review; a step
// whose work is already on disk after a crash is verified, not run again.

import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { SqlJsRunStore } from '../../../src/infra/store/SqlJsRunStore';
import { aRunner, aStore, aWorkspace, eventsOf, type TestWorkspace } from '../../support/workflowBuilders';

const workspaces: TestWorkspace[] = [];
const stores: SqlJsRunStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

async function workspace(stories: Record<string, string>): Promise<TestWorkspace> {
  const ws = await aWorkspace({ stories });
  workspaces.push(ws);
  return ws;
}

const never = () => new Promise<void>(() => undefined);

describe('SprintRunner never pays twice', () => {
  it('a ready-for-dev story whose tech spec exists: no create-tech-spec, no tech-spec review, dev-story gets it', async () => {
    const ws = await workspace({ '3-1-x': 'ready-for-dev' });
    await fsp.writeFile(path.join(ws.layout.implementationArtifacts, 'tech-spec-3-1-x.md'), '# Tech spec 3-1-x\n');
    const store = await aStore();
    stores.push(store);
    const t = aRunner(ws, { store });
    await t.runner.run({ cycles: 1 });
    assert.deepEqual(t.agent.sequence, ['dev-story 3-1', 'code-review 3-1', 'batch-commit 3-1']);
    assert.equal((await ws.statuses())['3-1-x'], 'done');
    assert.ok(eventsOf(t.events, 'warning').some((w) => /3-1-x is ready-for-dev and its tech spec .*tech-spec-3-1-x\.md already exists: no new tech spec, no new review/.test(w.message)));
  });

  it('crash after dev-story did its work: resume verifies it on disk and goes on to the code review, dev-story is not paid again', async () => {
    const ws = await workspace({ '1-1-a': 'in-progress' });
    const doomedStore = await aStore(path.join(ws.root, '.sprint-runner'));
    // dev-story moves the story to review (its work), then the process dies before the result is recorded.
    const doomed = aRunner(ws, { store: doomedStore, script: { 'dev-story': { work: never } } });
    void doomed.runner.run({ cycles: 1 });
    for (let i = 0; i < 300 && (await ws.statuses())['1-1-a'] !== 'review'; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 300));

    const store = await aStore(path.join(ws.root, '.sprint-runner'));
    stores.push(store);
    const survivor = aRunner(ws, { store });
    const r = await survivor.runner.resume();
    assert.deepEqual(survivor.agent.sequence, ['code-review 1-1', 'batch-commit 1-1']);
    assert.equal(r.status, 'completed');
    assert.equal((await ws.statuses())['1-1-a'], 'done');
    assert.ok(eventsOf(survivor.events, 'warning').some((w) => w.message === 'dev-story was interrupted, but its work is on disk and checks out: verified, not run again.'));
  });

  it('crash during a reminder: resume continues the same Claude session (the journal holds its id)', async () => {
    const ws = await workspace({ '1-1-a': 'in-progress' });
    const doomedStore = await aStore(path.join(ws.root, '.sprint-runner'));
    const doomed = aRunner(ws, { store: doomedStore, script: { 'dev-story': [{ effects: false, output: 'Shall I start with the parser?' }, { before: never }] } });
    void doomed.runner.run({ cycles: 1 });
    for (let i = 0; i < 300 && !doomed.agent.sequence.includes('dev-story 1-1 resume'); i++) await new Promise((r) => setTimeout(r, 10));
    const session = doomed.agent.invocations[0].sessionId;
    await new Promise((r) => setTimeout(r, 300));

    const store = await aStore(path.join(ws.root, '.sprint-runner'));
    stores.push(store);
    const survivor = aRunner(ws, { store });
    const r = await survivor.runner.resume();
    assert.deepEqual(survivor.agent.sequence, ['dev-story 1-1 resume', 'code-review 1-1', 'batch-commit 1-1']);
    assert.equal(survivor.agent.invocations[0].resumeSessionId, session);
    assert.equal(r.status, 'completed');
  });

  it('crash before dev-story did its work: resume runs it again', async () => {
    const ws = await workspace({ '1-1-a': 'in-progress' });
    const doomedStore = await aStore(path.join(ws.root, '.sprint-runner'));
    const doomed = aRunner(ws, { store: doomedStore, script: { 'dev-story': { before: never } } });
    void doomed.runner.run({ cycles: 1 });
    for (let i = 0; i < 300 && !doomed.agent.sequence.includes('dev-story 1-1'); i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 300));

    const store = await aStore(path.join(ws.root, '.sprint-runner'));
    stores.push(store);
    const survivor = aRunner(ws, { store });
    await survivor.runner.resume();
    assert.deepEqual(survivor.agent.sequence, ['dev-story 1-1', 'code-review 1-1', 'batch-commit 1-1']);
  });
});
