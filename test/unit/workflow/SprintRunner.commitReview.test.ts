// The review point before the batch commit (setting reviewBeforeCommit), on real git repositories and the
// real sql.js store: approve commits, reject sends the stories back to code review with the reason, and a
// run stopped or killed while waiting asks again on resume and never commits without an answer.

import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { CommitReviewAnswer, CommitReviewPort, CommitReviewRequest } from '../../../src/core/workflow/CommitReviewPort';
import { NodeGitPort } from '../../../src/infra/git/NodeGitPort';
import type { SqlJsRunStore } from '../../../src/infra/store/SqlJsRunStore';
import type { AgentRequest } from '../../../src/core/agent/AgentContract';
import { aRunner, aStore, eventsOf } from '../../support/workflowBuilders';
import { aGitWorkspace, commitAllIn, writeIn, type GitWorkspace } from './gitWorkspace';

const workspaces: GitWorkspace[] = [];
const stores: SqlJsRunStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

/** A reviewer answering from a list, one answer per question; records every question. */
class ScriptedReviewer implements CommitReviewPort {
  readonly asked: CommitReviewRequest[] = [];
  constructor(private readonly answers: (CommitReviewAnswer | 'never')[]) {}
  decide(request: CommitReviewRequest): Promise<CommitReviewAnswer> {
    this.asked.push(request);
    const a = this.answers.shift() ?? 'never';
    return a === 'never' ? new Promise(() => undefined) : Promise.resolve(a);
  }
}

async function devAndCommit(req: AgentRequest): Promise<void> {
  if (req.command === 'dev-story') await writeIn(req, `src/${req.storyKeys[0]}.ts`, `export const story = ${JSON.stringify(req.storyKeys[0])};\n`);
  if (req.command === 'batch-commit') await commitAllIn(req);
}

async function workspace(): Promise<GitWorkspace> {
  const ws = await aGitWorkspace({ stories: { '1-1-login': 'in-progress' } });
  workspaces.push(ws);
  return ws;
}

async function storeIn(ws: GitWorkspace, track = true): Promise<SqlJsRunStore> {
  const s = await aStore(path.join(ws.stateDir, 'db'));
  if (track) stores.push(s);
  return s;
}

function runnerWith(ws: GitWorkspace, store: SqlJsRunStore, reviewer: CommitReviewPort | undefined) {
  return aRunner(ws, {
    store,
    work: devAndCommit,
    settings: { reviewBeforeCommit: true },
    deps: { git: new NodeGitPort(), ...(reviewer ? { commitReview: reviewer } : {}) },
  });
}

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'timed out waiting');
};

describe('SprintRunner: the review before the batch commit', () => {
  it('approve: the run asks after the code review with the cycle\'s diff stat, then commits', async () => {
    const ws = await workspace();
    const reviewer = new ScriptedReviewer([{ decision: 'approve' }]);
    const t = runnerWith(ws, await storeIn(ws), reviewer);
    const head = await ws.git('rev-parse', 'HEAD');
    const r = await t.runner.run({ cycles: 1 });

    assert.equal(r.status, 'completed');
    assert.deepEqual(t.agent.sequence, ['dev-story 1-1', 'code-review 1-1', 'batch-commit 1-1']);
    assert.equal(reviewer.asked.length, 1);
    const q = reviewer.asked[0];
    assert.deepEqual({ key: q.stepKey, cycle: q.cycle, round: q.round, stories: q.storyKeys, ids: q.storyIds }, { key: 'c1/commit-review/r0', cycle: 1, round: 0, stories: ['1-1-login'], ids: ['1-1'] });
    assert.equal(q.diff?.base, head);
    assert.ok(q.diff?.files.some((f) => f.path === 'src/1-1-login.ts' && f.untracked), JSON.stringify(q.diff));
    assert.ok(q.diff?.files.some((f) => f.path.endsWith('sprint-status.yaml') && f.insertions === 1 && f.deletions === 1), 'the ledger move is in the diff');
    const review = eventsOf(t.events, 'commit:review');
    assert.deepEqual(review.map((e) => e.state), ['waiting', 'approved']);
    assert.equal(eventsOf(t.events, 'commit:verified').length, 1);
    assert.notEqual(await ws.git('rev-parse', 'HEAD'), head);
    assert.deepEqual(await ws.statuses(), { '1-1-login': 'done' });
  });

  it('reject with a reason: code review runs again with the reason in its prompt, the run asks again, then commits', async () => {
    const ws = await workspace();
    const reviewer = new ScriptedReviewer([{ decision: 'reject', reason: 'The login form has no rate limit.' }, { decision: 'approve' }]);
    const t = runnerWith(ws, await storeIn(ws), reviewer);
    const head = await ws.git('rev-parse', 'HEAD');
    const r = await t.runner.run({ cycles: 1 });

    assert.equal(r.status, 'completed', JSON.stringify(t.events.filter((e) => e.type === 'warning' || e.type === 'error' || e.type === 'story:status' || e.type === 'commit:review')));
    assert.deepEqual(t.agent.sequence, ['dev-story 1-1', 'code-review 1-1', 'code-review 1-1', 'batch-commit 1-1']);
    const reviews = t.agent.invocations.filter((i) => i.command === 'code-review');
    assert.doesNotMatch(reviews[0].prompt, /The login form has no rate limit/);
    assert.match(reviews[1].prompt, /## Rejected at the review before the batch commit[\s\S]*The login form has no rate limit\./);
    assert.equal(reviews[1].stepKey, 'c1/human-r1/code-review/1-1-login/a1');
    assert.deepEqual(reviewer.asked.map((q) => [q.stepKey, q.round]), [['c1/commit-review/r0', 0], ['c1/commit-review/r1', 1]]);
    assert.deepEqual(eventsOf(t.events, 'commit:review').map((e) => `${e.state}${e.reason ? `: ${e.reason}` : ''}`), [
      'waiting',
      'rejected: The login form has no rate limit.',
      'waiting',
      'approved',
    ]);
    const moves = eventsOf(t.events, 'story:status').map((e) => `${e.from}→${e.to}`);
    assert.ok(moves.includes('done→review'), `the story went back to review: ${moves.join(', ')}`);
    assert.equal(moves[moves.length - 1], 'review→done');
    assert.equal(eventsOf(t.events, 'commit:verified').length, 1);
    assert.equal(await ws.git('rev-list', '--count', `${head}..HEAD`), '1');
    assert.deepEqual(await ws.statuses(), { '1-1-login': 'done' });
  });

  it('killed while waiting for the answer: nothing is committed; resume asks again and commits after the approval', async () => {
    const ws = await workspace();
    const head = await ws.git('rev-parse', 'HEAD');
    const doomed = runnerWith(ws, await storeIn(ws, false), new ScriptedReviewer(['never']));
    void doomed.runner.run({ cycles: 1 });
    await until(() => eventsOf(doomed.events, 'commit:review').length === 1);
    // What a kill -9 leaves: the journal written so far (flushed within 200 ms), nothing after.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await ws.git('rev-parse', 'HEAD'), head, 'no commit while waiting');

    const reviewer = new ScriptedReviewer([{ decision: 'approve' }]);
    const survivor = runnerWith(ws, await storeIn(ws), reviewer);
    const r = await survivor.runner.resume();
    assert.equal(r.status, 'completed');
    assert.deepEqual(survivor.agent.sequence, ['batch-commit 1-1'], 'dev-story and code-review are replayed, the review is asked again');
    assert.deepEqual(reviewer.asked.map((q) => q.stepKey), ['c1/commit-review/r0']);
    assert.equal(await ws.git('rev-list', '--count', `${head}..HEAD`), '1');
  });

  it('stopped while waiting: the batch ends stopped without a commit; resume asks again', async () => {
    const ws = await workspace();
    const store = await storeIn(ws);
    const head = await ws.git('rev-parse', 'HEAD');
    const first = runnerWith(ws, store, new ScriptedReviewer(['never']));
    const running = first.runner.run({ cycles: 1 });
    await until(() => eventsOf(first.events, 'commit:review').length === 1);
    first.runner.cancel('stopped by the user');
    const stopped = await running;
    assert.equal(stopped.status, 'stopped');
    assert.equal(await ws.git('rev-parse', 'HEAD'), head);
    assert.deepEqual(first.agent.sequence, ['dev-story 1-1', 'code-review 1-1']);

    const reviewer = new ScriptedReviewer([{ decision: 'approve' }]);
    const second = runnerWith(ws, store, reviewer);
    const r = await second.runner.resume();
    assert.equal(r.status, 'completed');
    assert.equal(reviewer.asked.length, 1);
    assert.deepEqual(second.agent.sequence, ['batch-commit 1-1']);
  });

  it('paused while waiting after a rejection: resume replays the rejection and the second review, and asks once', async () => {
    const ws = await workspace();
    const store = await storeIn(ws);
    const first = runnerWith(ws, store, new ScriptedReviewer([{ decision: 'reject', reason: 'rename the handler' }, 'never']));
    const running = first.runner.run({ cycles: 1 });
    await until(() => eventsOf(first.events, 'commit:review').length === 3);
    first.runner.pause('lunch');
    assert.equal((await running).status, 'paused');

    const reviewer = new ScriptedReviewer([{ decision: 'approve' }]);
    const second = runnerWith(ws, store, reviewer);
    const r = await second.runner.resume();
    assert.equal(r.status, 'completed');
    assert.deepEqual(reviewer.asked.map((q) => q.stepKey), ['c1/commit-review/r1']);
    assert.deepEqual(second.agent.sequence, ['batch-commit 1-1'], 'both code reviews are replayed');
  });

  it('"later": the batch pauses before the commit, unanswered; resume asks the same question again', async () => {
    const ws = await workspace();
    const store = await storeIn(ws);
    const head = await ws.git('rev-parse', 'HEAD');
    const first = runnerWith(ws, store, new ScriptedReviewer([{ decision: 'later' }]));
    const paused = await first.runner.run({ cycles: 1 });
    assert.equal(paused.status, 'paused');
    assert.match(paused.reason ?? '', /put off; nothing was committed/);
    assert.equal(await ws.git('rev-parse', 'HEAD'), head);
    assert.equal((await store.getStep(paused.batchId, 'c1/commit-review/r0'))?.result, undefined, 'no decision journaled');

    const reviewer = new ScriptedReviewer([{ decision: 'approve' }]);
    const r = await runnerWith(ws, store, reviewer).runner.resume();
    assert.equal(r.status, 'completed');
    assert.deepEqual(reviewer.asked.map((q) => q.stepKey), ['c1/commit-review/r0']);
  });

  it('the setting on without a front end that can ask: the batch pauses before the commit and says why', async () => {
    const ws = await workspace();
    const t = runnerWith(ws, await storeIn(ws), undefined);
    const r = await t.runner.run({ cycles: 1 });
    assert.equal(r.status, 'paused');
    assert.match(r.reason ?? '', /reviewBeforeCommit.*cannot ask/);
    assert.deepEqual(t.agent.sequence, ['dev-story 1-1', 'code-review 1-1']);
  });
});
