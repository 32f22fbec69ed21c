// 003 step 5: a story found in a status its phase does not expect when the phase starts is diagnosed (the
// installed sprint-status workflow, or the runner's prompt), and the run follows the recommendation or blocks
// the story with its reason.

import { strict as assert } from 'node:assert';
import type { ScriptEntry } from '../../support/ScriptedAgent';
import { aRunner, aStore, aWorkspace, eventsOf, type TestWorkspace } from '../../support/workflowBuilders';

const workspaces: TestWorkspace[] = [];
const stores: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

async function run(stories: Record<string, string>, script: Record<string, ScriptEntry>) {
  const ws = await aWorkspace({ stories });
  workspaces.push(ws);
  const store = await aStore();
  stores.push(store);
  const t = aRunner(ws, { store, script });
  const result = await t.runner.run({ cycles: 1 });
  return { ...t, ws, result, statuses: await ws.statuses(), warnings: eventsOf(t.events, 'warning').map((w) => w.message) };
}

describe('SprintRunner step 5 diagnosis of an unexpected status', () => {
  it('dev-story finds the story back in backlog: diagnosed with the found and expected statuses, continues as ready-for-dev, ends done', async () => {
    const o = await run(
      { '1-1-a': 'ready-for-dev' },
      {
        // Someone (or something) reset the story while its tech spec was reviewed.
        'tech-spec-review': { setStatus: { '1-1-a': 'backlog' } },
        'sprint-status-diagnosis': { output: 'The story file is complete; no code yet.\n[DIAGNOSIS: CONTINUE-AS ready-for-dev]' },
      },
    );
    assert.deepEqual(o.agent.sequence, ['create-tech-spec 1-1', 'tech-spec-review 1-1', 'sprint-status-diagnosis 1-1', 'dev-story 1-1', 'code-review 1-1', 'batch-commit 1-1']);
    const diagnosis = o.agent.invocations.find((i) => i.command === 'sprint-status-diagnosis')!;
    assert.match(diagnosis.prompt, /start the dev-story phase of story `1-1-a` .* found it in the status `backlog` .* expects "ready-for-dev" or "in-progress"/);
    assert.equal(o.statuses['1-1-a'], 'done');
    assert.ok(o.warnings.some((w) => /Story 1-1-a: dev-story found it "backlog" .*the diagnosis says continue as "ready-for-dev": the phase goes on\./.test(w)), o.warnings.join('\n'));
    const moves = eventsOf(o.events, 'story:status').filter((e) => e.reason === 'sprint-status-diagnosis');
    assert.deepEqual(moves.map((e) => `${e.from}→${e.to}`), ['backlog→ready-for-dev']);
  });

  it('the diagnosis says BLOCK: the story is blocked with its reason, nothing else runs for it', async () => {
    const o = await run(
      { '1-1-a': 'ready-for-dev' },
      {
        'tech-spec-review': { setStatus: { '1-1-a': 'backlog' } },
        'sprint-status-diagnosis': { output: '[DIAGNOSIS: BLOCK the story file contradicts the epic: two login flows]' },
      },
    );
    assert.deepEqual(o.agent.sequence, ['create-tech-spec 1-1', 'tech-spec-review 1-1', 'sprint-status-diagnosis 1-1']);
    assert.equal(o.statuses['1-1-a'], 'blocked');
    const blocked = eventsOf(o.events, 'story:status').find((e) => e.to === 'blocked')!;
    assert.match(blocked.reason ?? '', /dev-story found it "backlog" .*; the diagnosis says: the story file contradicts the epic: two login flows$/);
  });

  it('code review finds the story already "done" (dev-story marked it): diagnosed, continues as review, the code review decides', async () => {
    const o = await run(
      { '1-1-a': 'in-progress' },
      { 'dev-story': { setStatus: { '1-1-a': 'done' } }, 'sprint-status-diagnosis': { output: '[DIAGNOSIS: CONTINUE-AS review]' } },
    );
    assert.deepEqual(o.agent.sequence, ['dev-story 1-1', 'sprint-status-diagnosis 1-1', 'code-review 1-1', 'batch-commit 1-1']);
    assert.equal(o.statuses['1-1-a'], 'done');
  });

  it('dev-story finds it already in review: the diagnosis says review, dev-story is skipped for the code review', async () => {
    const o = await run(
      { '1-1-a': 'ready-for-dev' },
      { 'tech-spec-review': { setStatus: { '1-1-a': 'done' } }, 'sprint-status-diagnosis': { output: '[DIAGNOSIS: CONTINUE-AS review]' } },
    );
    assert.deepEqual(o.agent.sequence, ['create-tech-spec 1-1', 'tech-spec-review 1-1', 'sprint-status-diagnosis 1-1', 'code-review 1-1', 'batch-commit 1-1']);
    assert.equal(o.statuses['1-1-a'], 'done');
  });

  it('a diagnosis without its marker is reminded like any step; one that recommends "done" is refused (only a code review says done)', async () => {
    const o = await run(
      { '1-1-a': 'in-progress' },
      { 'dev-story': { setStatus: { '1-1-a': 'done' } }, 'sprint-status-diagnosis': [{ output: 'Looks finished to me.' }, { output: '[DIAGNOSIS: CONTINUE-AS done]' }] },
    );
    assert.deepEqual(o.agent.sequence, ['dev-story 1-1', 'sprint-status-diagnosis 1-1', 'sprint-status-diagnosis 1-1 resume']);
    assert.equal(o.statuses['1-1-a'], 'blocked');
    const blocked = eventsOf(o.events, 'story:status').find((e) => e.to === 'blocked')!;
    assert.match(blocked.reason ?? '', /the diagnosis recommends "done", which no phase starts from/);
  });
});
