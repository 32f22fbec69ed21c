// Golden sequences: the exact agent invocations (command, story ids, attempt, model) the engine makes
// for each 003 scenario, with the real sprint-status.yaml in a temp folder and a scripted agent.
// Line format: `<command> <story ids joined by +>[ a<attempt>][ @<model>]`.

import { strict as assert } from 'node:assert';
import type { RunOptions, RunResult } from '../../../src/core/workflow/SprintRunner';
import type { ScriptedReply } from '../../support/ScriptedAgent';
import { aRunner, aStore, aWorkspace, eventsOf, type RunnerSpec, type TestRunner, type TestWorkspace } from '../../support/workflowBuilders';

const workspaces: TestWorkspace[] = [];
const stores: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

interface Outcome extends TestRunner {
  ws: TestWorkspace;
  result: RunResult;
  seq: string[];
  statuses: Record<string, string>;
  warnings: string[];
}

async function scenario(stories: Record<string, string>, spec: Omit<RunnerSpec, 'store'> = {}, options: RunOptions = { cycles: 1 }): Promise<Outcome> {
  const ws = await aWorkspace({ stories });
  workspaces.push(ws);
  const store = await aStore();
  const t = aRunner(ws, { ...spec, store });
  stores.push(store);
  const result = await t.runner.run(options);
  return {
    ...t,
    ws,
    result,
    seq: t.agent.sequence,
    statuses: await ws.statuses(),
    warnings: eventsOf(t.events, 'warning').map((e) => e.message),
  };
}

const review = (findings: string[], extra = ''): ScriptedReply => {
  const counts = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 } as Record<string, number>;
  for (const f of findings) counts[/\[(\w+)\]/.exec(f)![1]]++;
  const highest = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'].find((s) => counts[s] > 0) ?? 'NONE';
  return {
    output: [...findings, `HIGHEST SEVERITY: ${highest}`, `Issues: ${counts.CRITICAL} CRITICAL, ${counts.HIGH} HIGH, ${counts.MEDIUM} MEDIUM, ${counts.LOW} LOW`, extra].join('\n'),
  };
};
const critical = (n: number): ScriptedReply => review([`- [CRITICAL] src/a.ts:${n} issue number ${n} is different each time`]);
const NO = { output: '[CRITICAL-ISSUES-FOUND: NO]' };
const YES = { output: '[CRITICAL-ISSUES-FOUND: YES]' };

describe('SprintRunner golden sequences (003 steps 1–4c)', () => {
  it('backlog pair, both SKIP: create-story ∥ discovery once for both, story reviews, no tech spec, dev+review per story, one commit', async () => {
    const o = await scenario({ '1-1-login': 'backlog', '1-2-logout': 'backlog', '2-1-other': 'backlog' });
    assert.deepEqual(o.seq, [
      'create-story ∥ create-story-discovery 1-1+1-2',
      'story-review 1-1',
      'story-review 1-2',
      'dev-story 1-1',
      'code-review 1-1',
      'dev-story 1-2',
      'code-review 1-2',
      'batch-commit 1-1+1-2',
    ]);
    assert.deepEqual(o.statuses, { '1-1-login': 'done', '1-2-logout': 'done', '2-1-other': 'backlog' });
    assert.equal(o.result.status, 'completed');
    assert.equal(o.result.cyclesCompleted, 1);
    assert.deepEqual(o.result.storiesDone, ['1-1-login', '1-2-logout']);
    assert.equal(o.result.sprintComplete, false);
    assert.deepEqual(o.warnings, []);
  });

  it('single backlog story (last of its epic) with a bare REQUIRED marker: tech spec and its review run', async () => {
    const o = await scenario(
      { '1-1-a': 'done', '1-2-b': 'backlog', '2-1-c': 'backlog' },
      { script: { 'create-story': { output: 'Done.\n**[TECH-SPEC-DECISION: REQUIRED]**' } } },
    );
    assert.deepEqual(o.seq, [
      'create-story ∥ create-story-discovery 1-2',
      'story-review 1-2',
      'create-tech-spec 1-2',
      'tech-spec-review 1-2',
      'dev-story 1-2',
      'code-review 1-2',
      'batch-commit 1-2',
    ]);
    assert.equal(o.statuses['1-2-b'], 'done');
  });

  it('ready-for-dev: no create-story, no story review, tech spec REQUIRED by default, then dev + code review', async () => {
    const o = await scenario({ '3-1-x': 'ready-for-dev' });
    assert.deepEqual(o.seq, ['create-tech-spec 3-1', 'tech-spec-review 3-1', 'dev-story 3-1', 'code-review 3-1', 'batch-commit 3-1']);
    assert.equal(o.statuses['3-1-x'], 'done');
  });

  it('in-progress: dev-story (resume) then the code-review loop', async () => {
    const o = await scenario({ '3-1-x': 'in-progress' });
    assert.deepEqual(o.seq, ['dev-story 3-1', 'code-review 3-1', 'batch-commit 3-1']);
    assert.match(o.agent.invocations[0].prompt, /already `in-progress`, resume it/);
  });

  it('review: the code-review loop only', async () => {
    const o = await scenario({ '3-1-x': 'review' });
    assert.deepEqual(o.seq, ['code-review 3-1', 'batch-commit 3-1']);
  });

  it('mixed pair review + backlog: create-story covers only the backlog story, each enters at its own phase, phases in 003 order', async () => {
    const o = await scenario({ '4-1-a': 'review', '4-2-b': 'backlog' });
    assert.deepEqual(o.seq, [
      'create-story ∥ create-story-discovery 4-2',
      'story-review 4-2',
      'code-review 4-1',
      'dev-story 4-2',
      'code-review 4-2',
      'batch-commit 4-1+4-2',
    ]);
    assert.deepEqual(o.agent.invocations[0].storyKeys, ['4-2-b']);
  });

  it('mixed pair ready-for-dev + backlog(SKIP): ready-for-dev is REQUIRED, so both stories get tech spec + review', async () => {
    const o = await scenario({ '4-1-a': 'ready-for-dev', '4-2-b': 'backlog' });
    assert.deepEqual(o.seq, [
      'create-story ∥ create-story-discovery 4-2',
      'story-review 4-2',
      'create-tech-spec 4-1',
      'create-tech-spec 4-2',
      'tech-spec-review 4-1',
      'tech-spec-review 4-2',
      'dev-story 4-1',
      'code-review 4-1',
      'dev-story 4-2',
      'code-review 4-2',
      'batch-commit 4-1+4-2',
    ]);
    const spec = o.agent.invocations.find((i) => i.command === 'create-tech-spec')!;
    assert.match(spec.prompt, /- 4-1: REQUIRED\n- 4-2: SKIP/);
    assert.match(spec.prompt, /tech spec needed: true/);
  });

  it('mixed decisions (one REQUIRED, one SKIP): every story of the cycle gets create-tech-spec and the review loop', async () => {
    const o = await scenario(
      { '1-1-a': 'backlog', '1-2-b': 'backlog' },
      { script: { 'create-story': { output: 'Story 1-1: [TECH-SPEC-DECISION: REQUIRED]\nstory 1-2-B: [tech-spec-decision: skip]' } } },
    );
    assert.deepEqual(o.seq, [
      'create-story ∥ create-story-discovery 1-1+1-2',
      'story-review 1-1',
      'story-review 1-2',
      'create-tech-spec 1-1',
      'create-tech-spec 1-2',
      'tech-spec-review 1-1',
      'tech-spec-review 1-2',
      'dev-story 1-1',
      'code-review 1-1',
      'dev-story 1-2',
      'code-review 1-2',
      'batch-commit 1-1+1-2',
    ]);
  });

  it('a missing decision defaults to REQUIRED with a warning', async () => {
    const o = await scenario({ '1-1-a': 'backlog', '1-2-b': 'backlog' }, { script: { 'create-story': { output: 'Story 1-1: [TECH-SPEC-DECISION: SKIP]' } } });
    assert.ok(o.seq.includes('create-tech-spec 1-1') && o.seq.includes('create-tech-spec 1-2'));
    assert.deepEqual(o.warnings, ['No tech-spec decision found for 1-2-b in the create-story output; defaulting to REQUIRED.']);
  });

  describe('story-review loop (003 step 2b)', () => {
    it('critical issues at review 1 → review 2 on haiku passes', async () => {
      const o = await scenario({ '5-1-a': 'backlog' }, { script: { 'story-review 5-1': [YES, NO] } });
      assert.deepEqual(o.seq.slice(1, 4), ['story-review 5-1', 'story-review 5-1 a2 @haiku', 'dev-story 5-1']);
    });

    it('critical issues after the third review: the story goes on to the next phase with a warning', async () => {
      const o = await scenario({ '5-1-a': 'backlog' }, { script: { 'story-review 5-1': YES } });
      assert.deepEqual(o.seq.slice(1, 5), ['story-review 5-1', 'story-review 5-1 a2 @haiku', 'story-review 5-1 a3 @haiku', 'dev-story 5-1']);
      assert.equal(o.statuses['5-1-a'], 'done');
      assert.match(o.warnings.join('\n'), /critical issues remain after 3 reviews/);
    });

    it('a missing marker: the agent is continued in its own session with the reminder phrase (003 rule 4), no attempt used up', async () => {
      const o = await scenario({ '5-1-a': 'backlog' }, { script: { 'story-review 5-1': [{ output: 'looks fine' }, NO] } });
      assert.deepEqual(o.seq.slice(1, 4), ['story-review 5-1', 'story-review 5-1 resume', 'dev-story 5-1']);
      const [first, reminded] = o.agent.invocations.filter((i) => i.command === 'story-review');
      assert.equal(reminded.resumeSessionId, first.sessionId);
      assert.match(reminded.prompt, /^AUTONOMOUS MODE: Take the decision yourself\. Choose the most thorough option\. Proceed without confirmation\./);
      assert.deepEqual(eventsOf(o.events, 'error'), []);
      assert.match(o.warnings.join('\n'), /story-review-1 ended without finishing .*CRITICAL-ISSUES-FOUND.*continuing its session session-\d+ with the autonomous-mode reminder \(1\/2\)/);
    });

    it('without reminders (maxReminders 0) a missing marker is an agent failure: the same attempt re-runs at once', async () => {
      const o = await scenario({ '5-1-a': 'backlog' }, { script: { 'story-review 5-1': [{ output: 'looks fine' }, NO] }, settings: { maxReminders: 0 } });
      assert.deepEqual(o.seq.slice(1, 4), ['story-review 5-1', 'story-review 5-1', 'dev-story 5-1']);
      assert.match(eventsOf(o.events, 'error')[0].message, /story-review-1 failed \(1\/3 in a row\).*CRITICAL-ISSUES-FOUND/);
    });

    it('tech-spec review loop: critical, critical, pass on the cheaper model', async () => {
      const o = await scenario({ '5-1-a': 'ready-for-dev' }, { script: { 'tech-spec-review 5-1': [YES, YES, NO] } });
      assert.deepEqual(o.seq.slice(0, 5), [
        'create-tech-spec 5-1',
        'tech-spec-review 5-1',
        'tech-spec-review 5-1 a2 @haiku',
        'tech-spec-review 5-1 a3 @haiku',
        'dev-story 5-1',
      ]);
    });
  });

  describe('code-review loop (003 step 4), checks in 003 order', () => {
    it('ZERO ISSUES at review 1 → done', async () => {
      const o = await scenario({ '6-1-a': 'review' });
      assert.deepEqual(o.seq, ['code-review 6-1', 'batch-commit 6-1']);
      assert.equal(o.statuses['6-1-a'], 'done');
    });

    it('ZERO ISSUES at review 2 (cheaper model) → done', async () => {
      const o = await scenario({ '6-1-a': 'review' }, { script: { 'code-review 6-1 a1': review(['- [HIGH] src/x.ts:3 missing await']) } });
      assert.deepEqual(o.seq, ['code-review 6-1', 'code-review 6-1 a2 @haiku', 'batch-commit 6-1']);
    });

    it('no CRITICAL at review 3 → done (non-critical may remain)', async () => {
      const o = await scenario(
        { '6-1-a': 'review' },
        {
          script: {
            'code-review 6-1 a1': critical(1),
            'code-review 6-1 a2': review(['- [HIGH] src/b.ts:9 unchecked error']),
            'code-review 6-1 a3': review(['- [MEDIUM] naming of helper is vague']),
          },
        },
      );
      assert.deepEqual(o.seq, ['code-review 6-1', 'code-review 6-1 a2 @haiku', 'code-review 6-1 a3 @haiku', 'batch-commit 6-1']);
      assert.equal(o.statuses['6-1-a'], 'done');
    });

    it('CRITICAL findings that change every time → hard limit 10 → blocked, no batch-commit', async () => {
      const script: Record<string, ScriptedReply> = {};
      for (let a = 1; a <= 10; a++) script[`code-review 6-1 a${a}`] = critical(a);
      const o = await scenario({ '6-1-a': 'review' }, { script });
      assert.deepEqual(o.seq, ['code-review 6-1', ...Array.from({ length: 9 }, (_, i) => `code-review 6-1 a${i + 2} @haiku`)]);
      assert.equal(o.statuses['6-1-a'], 'blocked');
      assert.match(o.warnings.join('\n'), /every story is blocked; batch-commit skipped/);
    });

    it('the same findings three times (line numbers and spacing differ) → blocked at review 3', async () => {
      const o = await scenario(
        { '6-1-a': 'review' },
        {
          script: {
            'code-review 6-1 a1': review(['- [CRITICAL] src/db.ts:10 SQL built by string concatenation']),
            'code-review 6-1 a2': review(['- [CRITICAL] src/db.ts:14  SQL built by string  concatenation']),
            'code-review 6-1 a3': review(['- [CRITICAL] SRC/db.ts:22 sql built by string concatenation']),
          },
        },
      );
      assert.deepEqual(o.seq, ['code-review 6-1', 'code-review 6-1 a2 @haiku', 'code-review 6-1 a3 @haiku']);
      assert.equal(o.statuses['6-1-a'], 'blocked');
      const block = eventsOf(o.events, 'story:status').find((e) => e.to === 'blocked')!;
      assert.match(block.reason!, /same findings came back in 3 consecutive code reviews: critical src\/db.ts sql built by string concatenation/);
    });

    it('repeated findings are blocked even without CRITICAL (003 checks repetition before the no-CRITICAL exit)', async () => {
      const same = review(['- [HIGH] src/a.ts:1 race on the cache map']);
      const o = await scenario({ '6-1-a': 'review' }, { script: { 'code-review 6-1': same } });
      assert.equal(o.seq.length, 3);
      assert.equal(o.statuses['6-1-a'], 'blocked');
    });

    it('the same severity about different things is progress, not repetition', async () => {
      const o = await scenario(
        { '6-1-a': 'review' },
        {
          script: {
            'code-review 6-1 a1': review(['- [CRITICAL] src/a.ts:1 token logged in clear']),
            'code-review 6-1 a2': review(['- [CRITICAL] src/b.ts:2 missing input validation']),
            'code-review 6-1 a3': review(['- [CRITICAL] src/c.ts:3 unbounded retry loop']),
          },
        },
      );
      assert.deepEqual(o.seq.slice(0, 4), ['code-review 6-1', 'code-review 6-1 a2 @haiku', 'code-review 6-1 a3 @haiku', 'code-review 6-1 a4 @haiku']);
      assert.equal(o.statuses['6-1-a'], 'done');
    });

    it('a review without any marker is continued in its session (attempt not used up); without reminders it is re-run', async () => {
      const script = { 'code-review 6-1 a1': [{ output: 'I reviewed it.' }, review([], 'ZERO ISSUES')] };
      const o = await scenario({ '6-1-a': 'review' }, { script });
      assert.deepEqual(o.seq, ['code-review 6-1', 'code-review 6-1 resume', 'batch-commit 6-1']);
      const plain = await scenario({ '6-1-a': 'review' }, { script, settings: { maxReminders: 0 } });
      assert.deepEqual(plain.seq, ['code-review 6-1', 'code-review 6-1', 'batch-commit 6-1']);
    });
  });

  describe('error recovery (003 step 5)', () => {
    it('3 consecutive failures of dev-story block that story; its partner continues and the cycle commits it alone', async () => {
      const o = await scenario(
        { '7-1-a': 'ready-for-dev', '7-2-b': 'ready-for-dev' },
        { script: { 'dev-story 7-1': { outcome: 'agent-failure', message: 'error_max_turns', errorClass: 'error_max_turns' } } },
      );
      assert.deepEqual(o.seq, [
        'create-tech-spec 7-1',
        'create-tech-spec 7-2',
        'tech-spec-review 7-1',
        'tech-spec-review 7-2',
        'dev-story 7-1',
        'dev-story 7-1',
        'dev-story 7-1',
        'dev-story 7-2',
        'code-review 7-2',
        'batch-commit 7-2',
      ]);
      assert.deepEqual(o.statuses, { '7-1-a': 'blocked', '7-2-b': 'done' });
      assert.deepEqual(o.result.storiesBlocked, ['7-1-a']);
      assert.equal(o.result.status, 'completed');
      const block = await o.store.openBlock('7-1-a');
      assert.equal(block?.previousStatus, 'ready-for-dev');
      assert.match(block!.reason, /dev-story failed 3 times in a row/);
    });

    it('a failure then a success resets the count (2 failures + success continue normally)', async () => {
      const fail: ScriptedReply = { outcome: 'agent-failure', message: 'no result line' };
      const o = await scenario({ '7-1-a': 'in-progress' }, { script: { 'dev-story 7-1': [fail, fail, {}] } });
      assert.deepEqual(o.seq, ['dev-story 7-1', 'dev-story 7-1', 'dev-story 7-1', 'code-review 7-1', 'batch-commit 7-1']);
      assert.equal(o.statuses['7-1-a'], 'done');
    });

    it('transient failures retry with backoff and do not use up review attempts', async () => {
      const sleeps: number[] = [];
      const transient: ScriptedReply = { outcome: 'transient', message: 'API Error: 529 overloaded' };
      const o = await scenario(
        { '7-1-a': 'review' },
        {
          sleeps,
          settings: { transientRetry: { maxRetries: 5, baseDelayMs: 1000, maxDelayMs: 3000 } },
          script: { 'code-review 7-1 a1': review(['- [HIGH] x']), 'code-review 7-1 a2': [transient, transient, transient, review([], 'ZERO ISSUES')] },
        },
      );
      assert.deepEqual(o.seq, ['code-review 7-1', 'code-review 7-1 a2 @haiku', 'code-review 7-1 a2 @haiku', 'code-review 7-1 a2 @haiku', 'code-review 7-1 a2 @haiku', 'batch-commit 7-1']);
      assert.deepEqual(sleeps, [1000, 2000, 3000]);
      assert.equal(o.statuses['7-1-a'], 'done');
    });

    it('transient failures that outlast the retries pause the batch (resumable), without blocking the story', async () => {
      const o = await scenario({ '7-1-a': 'review' }, { settings: { transientRetry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 1 } }, script: { 'code-review': { outcome: 'transient', message: 'usage limit' } } });
      assert.equal(o.seq.length, 3);
      assert.equal(o.result.status, 'paused');
      assert.match(o.result.reason!, /transient failures persisted after 2 retries \(usage limit\)/);
      assert.equal(o.statuses['7-1-a'], 'review');
    });

    it('a permanent failure stops the run with the CLI\'s words', async () => {
      const message = 'Invalid API key · Please run /login';
      const o = await scenario({ '7-1-a': 'backlog', '7-2-b': 'backlog' }, { script: { 'story-review': { outcome: 'permanent', message } } }, { cycles: 2 });
      assert.deepEqual(o.seq, ['create-story ∥ create-story-discovery 7-1+7-2', 'story-review 7-1']);
      assert.equal(o.result.status, 'failed');
      assert.equal(o.result.success, false);
      assert.equal(o.result.reason, message);
      assert.equal(eventsOf(o.events, 'batch:end')[0].reason, message);
      assert.ok(eventsOf(o.events, 'error').some((e) => e.permanent && e.message === message));
    });

    it('all stories of a cycle blocked: no batch-commit, and the next cycle still runs', async () => {
      const o = await scenario(
        { '1-1-a': 'in-progress', '2-1-b': 'review' },
        { script: { 'dev-story 1-1': { outcome: 'agent-failure', message: 'is_error' } } },
        { cycles: 2 },
      );
      assert.deepEqual(o.seq, ['dev-story 1-1', 'dev-story 1-1', 'dev-story 1-1', 'code-review 2-1', 'batch-commit 2-1']);
      assert.deepEqual(o.statuses, { '1-1-a': 'blocked', '2-1-b': 'done' });
      assert.deepEqual(
        eventsOf(o.events, 'cycle:end').map((e) => [e.cycle, e.done, e.blocked]),
        [
          [1, [], ['1-1-a']],
          [2, ['2-1-b'], []],
        ],
      );
    });

    it('3 failures of create-story block every backlog story it covered', async () => {
      const o = await scenario({ '1-1-a': 'backlog', '1-2-b': 'backlog' }, { script: { 'create-story': { outcome: 'agent-failure', message: 'no result' } } });
      assert.deepEqual(o.seq.filter((l) => l.startsWith('create-story ')), [
        'create-story ∥ create-story-discovery 1-1+1-2',
        'create-story 1-1+1-2',
        'create-story 1-1+1-2',
      ]);
      assert.deepEqual(o.statuses, { '1-1-a': 'blocked', '1-2-b': 'blocked' });
      assert.ok(!o.seq.some((l) => l.startsWith('batch-commit')));
    });
  });

  describe('cycles (003 steps 0b and 6)', () => {
    it('default: 2 cycles', async () => {
      const o = await scenario({ '1-1-a': 'review', '2-1-b': 'review', '3-1-c': 'review' }, {}, {});
      assert.deepEqual(o.seq, ['code-review 1-1', 'batch-commit 1-1', 'code-review 2-1', 'batch-commit 2-1']);
      assert.equal(o.result.cyclesCompleted, 2);
      assert.equal(o.statuses['3-1-c'], 'review');
      const start = eventsOf(o.events, 'batch:start')[0];
      assert.deepEqual([start.batchMode, start.maxCycles], ['fixed', 2]);
    });

    it('`all`: cycles until every story is done or blocked; the sprint is complete', async () => {
      const o = await scenario(
        { '1-1-a': 'review', '1-2-b': 'review', '1-3-c': 'review', '2-1-d': 'blocked', '2-2-e': 'review' },
        {},
        { cycles: 'all' },
      );
      assert.deepEqual(o.seq, [
        'code-review 1-1',
        'code-review 1-2',
        'batch-commit 1-1+1-2',
        'code-review 1-3',
        'batch-commit 1-3',
        'code-review 2-2',
        'batch-commit 2-2',
      ]);
      assert.equal(o.result.cyclesCompleted, 3);
      assert.equal(o.result.sprintComplete, true);
      assert.equal(o.result.status, 'completed');
    });

    it('a fixed count stops early when the sprint is complete', async () => {
      const o = await scenario({ '1-1-a': 'review' }, {}, { cycles: 5 });
      assert.equal(o.result.cyclesCompleted, 1);
      assert.equal(o.result.sprintComplete, true);
      assert.equal(o.result.success, true);
    });

    it('startWith: the first cycle starts with that story', async () => {
      const o = await scenario({ '1-1-a': 'review', '2-1-b': 'review' }, {}, { cycles: 1, startWith: '2-1-b' });
      assert.deepEqual(o.seq, ['code-review 2-1', 'batch-commit 2-1']);
    });
  });
});
