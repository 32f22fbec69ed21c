// Issue 7 in the engine, on real temporary git repositories (no git mocks), with the scripted agent doing
// real work in its cwd: step 4c verified or made by the engine, quality gates in the code-review loop,
// and the sprint report.

import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { AgentRequest } from '../../../src/core/agent/AgentContract';
import { NodeGitPort } from '../../../src/infra/git/NodeGitPort';
import { NodeQualityGates } from '../../../src/infra/gates/NodeQualityGates';
import { aRunner, aStore, eventsOf, type RunnerSpec } from '../../support/workflowBuilders';
import { aGitWorkspace, commitAllIn, writeIn, type GitWorkspace } from './gitWorkspace';

const workspaces: GitWorkspace[] = [];
const stores: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

async function setup(stories: Record<string, string>, spec: Omit<RunnerSpec, 'store'>, files: Record<string, string> = {}) {
  const ws = await aGitWorkspace({ stories }, files);
  workspaces.push(ws);
  const store = await aStore();
  stores.push(store);
  const t = aRunner(ws, { ...spec, store, deps: { git: new NodeGitPort(), gates: new NodeQualityGates({ killGraceMs: 200 }), ...spec.deps } });
  return { ws, ...t };
}

/** dev-story writes the story's code; batch-commit commits everything (a well-behaved agent). */
async function devAndCommit(req: AgentRequest): Promise<void> {
  if (req.command === 'dev-story') await writeIn(req, `src/${req.storyKeys[0]}.ts`, `export const story = ${JSON.stringify(req.storyKeys[0])};\n`);
  if (req.command === 'batch-commit') await commitAllIn(req);
}

describe('SprintRunner step 4c on a real git repository', () => {
  it('agent mode: the batch commit the agent made is verified (new commit on the branch, 003 message, files) and journaled', async () => {
    const t = await setup({ '1-1-login': 'in-progress', '1-2-logout': 'backlog' }, { work: devAndCommit });
    const before = await t.ws.git('rev-parse', 'HEAD');
    const r = await t.runner.run({ cycles: 1 });
    assert.equal(r.status, 'completed');
    assert.deepEqual(t.agent.sequence.slice(-1), ['batch-commit 1-1+1-2']);
    const head = await t.ws.git('rev-parse', 'HEAD');
    assert.notEqual(head, before);
    const verified = eventsOf(t.events, 'commit:verified');
    assert.equal(verified.length, 1);
    assert.equal(verified[0].sha, head);
    assert.equal(verified[0].mode, 'agent');
    assert.equal(verified[0].message, 'feat(1): implement stories 1-1,1-2');
    assert.deepEqual(eventsOf(t.events, 'commit:failed'), []);
    const step = await t.store.getStep(r.batchId, 'c1/verify-commit');
    assert.equal((step?.result as { ok: boolean; sha: string }).ok, true);
    assert.equal((step?.result as { sha: string }).sha, head);
    assert.equal(await t.ws.git('status', '--porcelain'), '');
  });

  it('agent mode: a batch-commit agent that claims success but commits nothing is caught: commit:failed + error events, recorded in the journal and the store', async () => {
    const t = await setup({ '2-1-x': 'in-progress' }, { work: async (req) => (req.command === 'dev-story' ? writeIn(req, 'src/x.ts', 'x\n') : undefined) });
    const before = await t.ws.git('rev-parse', 'HEAD');
    const r = await t.runner.run({ cycles: 1 });
    assert.equal(await t.ws.git('rev-parse', 'HEAD'), before, 'no commit was made');
    const failed = eventsOf(t.events, 'commit:failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].reason, 'no-commit');
    assert.match(failed[0].detail, /reported success but committed nothing/);
    assert.ok(eventsOf(t.events, 'error').some((e) => /batch-commit agent reported success, but the commit is not right \(no-commit\)/.test(e.message)));
    const step = await t.store.getStep(r.batchId, 'c1/verify-commit');
    assert.deepEqual({ ok: (step?.result as { ok: boolean }).ok, reason: (step?.result as { reason: string }).reason }, { ok: false, reason: 'no-commit' });
    await t.store.checkpoint();
    const stored = await t.store.listEvents({ batchId: r.batchId });
    assert.ok(stored.some((e) => e.type === 'commit:failed' && e.status === 'no-commit'));
  });

  it('agent mode: a commit with another message is not accepted (bad-message)', async () => {
    const t = await setup({ '2-1-x': 'in-progress' }, {
      work: async (req) => {
        if (req.command === 'dev-story') await writeIn(req, 'src/x.ts', 'x\n');
        if (req.command === 'batch-commit') await commitAllIn(req, 'wip: stuff');
      },
    });
    await t.runner.run({ cycles: 1 });
    const failed = eventsOf(t.events, 'commit:failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].reason, 'bad-message');
  });

  it('engine mode: no batch-commit agent; the engine archives the artifacts and commits exactly the cycle (the user\'s dirty file stays out), deterministically', async () => {
    const t = await setup({ '3-1-a': 'backlog' }, { settings: { commitMode: 'engine' }, work: devAndCommit }, { 'notes/user.md': 'mine\n' });
    await fsp.writeFile(path.join(t.ws.root, 'notes/user.md'), 'mine, edited before the run\n');
    const r = await t.runner.run({ cycles: 1 });
    assert.equal(r.status, 'completed');
    assert.ok(!t.agent.sequence.some((l) => l.startsWith('batch-commit')), t.agent.sequence.join('\n'));
    const subject = await t.ws.git('log', '-1', '--format=%s');
    assert.equal(subject, 'feat(3): implement stories 3-1');
    const files = (await t.ws.git('show', '--name-only', '--format=', 'HEAD')).split('\n').sort();
    const art = '_bmad-output/implementation-artifacts';
    assert.deepEqual(files, [`_bmad-output/archived-artifacts/3-1-a.md`, `${art}/sprint-status.yaml`, 'src/3-1-a.ts']);
    assert.equal(await t.ws.git('status', '--porcelain'), 'M notes/user.md', "the user's change is untouched and uncommitted");
    const verified = eventsOf(t.events, 'commit:verified');
    assert.equal(verified.length, 1);
    assert.equal(verified[0].mode, 'engine');
    assert.equal(verified[0].sha, await t.ws.git('rev-parse', 'HEAD'));
    assert.equal(await t.ws.git('show', 'HEAD:_bmad-output/implementation-artifacts/sprint-status.yaml').then((y) => /3-1-a: done/.test(y)), true);
  });

  it('engine mode: a file the user had changed and the cycle changed again is refused; the batch pauses and nothing is committed', async () => {
    const t = await setup(
      { '3-1-a': 'in-progress' },
      { settings: { commitMode: 'engine' }, work: async (req) => (req.command === 'dev-story' ? writeIn(req, 'src/app.ts', 'cycle edit\n') : undefined) },
      { 'src/app.ts': 'original\n' },
    );
    await fsp.writeFile(path.join(t.ws.root, 'src/app.ts'), 'user edit\n');
    const before = await t.ws.git('rev-parse', 'HEAD');
    const r = await t.runner.run({ cycles: 1 });
    assert.equal(r.status, 'paused');
    assert.match(r.reason ?? '', /unexpected-dirty/);
    assert.equal(await t.ws.git('rev-parse', 'HEAD'), before);
    const failed = eventsOf(t.events, 'commit:failed');
    assert.equal(failed.length, 1);
    assert.deepEqual(failed[0].paths, ['src/app.ts']);
    assert.equal(await t.store.getStep(r.batchId, 'c1/engine-commit').then((s) => s?.result), undefined, 'not journaled: resume tries again');
  });
});

describe('SprintRunner quality gates on a real repository', () => {
  // The gate passes once fixed.txt exists in the story's cwd; until then it prints why and fails.
  const gate = { name: 'fixed-check', command: ['node', '-e', "if (!require('fs').existsSync('fixed.txt')) { console.error('GATE-SAYS: fixed.txt is missing'); process.exit(3) }"] };

  it('a failing gate blocks done until fixed; its output reaches the next code-review prompt; results are events, journaled and reported', async () => {
    const t = await setup({ '4-1-g': 'in-progress' }, {
      settings: { qualityGates: [gate], sprintReport: true },
      script: {
        // Review 1 says ZERO ISSUES but does not fix the gate; review 2 fixes it.
        'code-review 4-1 a2': { output: 'ZERO ISSUES', work: async (req) => writeIn(req, 'fixed.txt', 'ok\n') },
      },
      work: devAndCommit,
    });
    const r = await t.runner.run({ cycles: 1 });
    assert.deepEqual(t.agent.sequence, ['dev-story 4-1', 'code-review 4-1', 'code-review 4-1 a2 @haiku', 'batch-commit 4-1']);
    const gates = eventsOf(t.events, 'gates:result');
    assert.deepEqual(gates.map((g) => [g.attempt, g.ok]), [[1, false], [2, false], [3, true]]);
    assert.match(gates[0].results[0].output, /GATE-SAYS: fixed\.txt is missing/);
    const reviews = t.agent.invocations.filter((i) => i.command === 'code-review');
    for (const rv of reviews) {
      assert.match(rv.prompt, /## Quality gate failures/);
      assert.match(rv.prompt, /### fixed-check \(exit code 3/);
      assert.match(rv.prompt, /GATE-SAYS: fixed\.txt is missing/);
    }
    assert.equal((await t.ws.statuses())['4-1-g'], 'done');
    const statusEvents = eventsOf(t.events, 'story:status').filter((e) => e.to === 'done');
    assert.match(statusEvents[0].reason ?? '', /code-review-2: ZERO ISSUES/);
    const journaled = await t.store.getStep(r.batchId, 'c1/gates/4-1-g/a1');
    assert.equal((journaled?.result as { ok: boolean }[])[0].ok, false);
    const report = await fsp.readFile(path.join(t.ws.layout.implementationArtifacts, `sprint-report-test-run-1-${r.batchId}.md`), 'utf8');
    assert.match(report, /\| 4-1-g \| 4 \| done \| 2 \| 1\/1 passed \|/);
    assert.match(report, /- Gates: fixed-check: passed/);
    assert.match(report, new RegExp(`\`${(await t.ws.git('rev-parse', 'HEAD')).slice(0, 12)}\` feat\\(4\\): implement stories 4-1 \\(4-1-g\\): verified`));
    assert.ok(eventsOf(t.events, 'report:written').length === 1);
  });

  it('stop while a gate runs: the gate is killed, the batch ends stopped, and the cut-short run is not journaled (it runs again on resume)', async () => {
    const hang = { name: 'hang', command: ['node', '-e', 'setTimeout(() => {}, 60000)'] };
    const t = await setup({ '4-3-s': 'review' }, { settings: { qualityGates: [hang] }, work: devAndCommit });
    t.runner.onDidEmit((e) => {
      if (e.type === 'story:phase' && e.phase === 'quality-gates') setTimeout(() => t.runner.cancel('stopped by the user'), 200);
    });
    const started = Date.now();
    const r = await t.runner.run({ cycles: 1 });
    assert.equal(r.status, 'stopped');
    assert.ok(Date.now() - started < 10_000, 'the gate did not run to its end');
    assert.deepEqual(t.agent.sequence, []);
    const step = await t.store.getStep(r.batchId, 'c1/gates/4-3-s/a1');
    assert.ok(step && step.result === undefined, 'started, not finished');
    assert.deepEqual(eventsOf(t.events, 'gates:result'), []);
  });

  it('without gates the code-review prompt has no gate section and the loop is 003\'s', async () => {
    const t = await setup({ '4-1-g': 'review' }, { work: devAndCommit });
    await t.runner.run({ cycles: 1 });
    assert.deepEqual(t.agent.sequence, ['code-review 4-1', 'batch-commit 4-1']);
    assert.doesNotMatch(t.agent.invocations[0].prompt, /## Quality gate failures/);
    assert.deepEqual(eventsOf(t.events, 'gates:result'), []);
  });

  it('a gate that never passes: reviews without issues do not mark the story done; the hard limit blocks it, naming the gate', async () => {
    const t = await setup({ '4-2-h': 'review' }, { settings: { qualityGates: [gate], maxCodeReviews: 3 }, work: devAndCommit });
    await t.runner.run({ cycles: 1 });
    assert.deepEqual(t.agent.sequence, ['code-review 4-2', 'code-review 4-2 a2 @haiku', 'code-review 4-2 a3 @haiku']);
    assert.equal((await t.ws.statuses())['4-2-h'], 'blocked');
    const blocked = eventsOf(t.events, 'story:status').find((e) => e.to === 'blocked');
    assert.match(blocked?.reason ?? '', /hard limit: 3 code reviews without an exit while quality gates fail \(fixed-check\)/);
  });
});
