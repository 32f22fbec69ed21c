// Nothing an agent claims is believed unchecked: each step's evidence (story file, tech spec, status and
// working tree, markers) decides, and an agent that stopped short of it — having done nothing, or having
// asked a question — is continued in its own Claude session with 003 rule 4's reminder phrase.

import { strict as assert } from 'node:assert';
import type { AgentRequest } from '../../../src/core/agent/AgentContract';
import { REMINDER_PHRASE } from '../../../src/core/workflow/StepEvidence';
import type { Invocation, ScriptedReply } from '../../support/ScriptedAgent';
import { aRunner, aStore, aWorkspace, eventsOf, type TestWorkspace } from '../../support/workflowBuilders';

const workspaces: TestWorkspace[] = [];
const stores: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

async function run(stories: Record<string, string>, script: Record<string, ScriptedReply | ScriptedReply[]>, settings = {}) {
  const ws = await aWorkspace({ stories });
  workspaces.push(ws);
  const store = await aStore();
  stores.push(store);
  const t = aRunner(ws, { store, script, settings, defaultDecision: 'REQUIRED' });
  const result = await t.runner.run({ cycles: 1 });
  return { ...t, ws, result, statuses: await ws.statuses() };
}

function assertReminded(invocations: Invocation[], command: string, times: number): void {
  const ofCommand = invocations.filter((i) => i.command === command);
  const first = ofCommand[0];
  const reminders = ofCommand.slice(1, 1 + times);
  assert.equal(reminders.length, times, `${command}: ${times} reminders expected`);
  for (const r of reminders) {
    assert.equal(r.resumeSessionId, first.sessionId, `${command}: the reminder continues --resume ${first.sessionId}`);
    assert.ok(r.prompt.startsWith(REMINDER_PHRASE), `${command}: the reminder's prompt is the phrase, got ${r.prompt}`);
  }
}

const NOTHING: ScriptedReply = { effects: false, output: 'All done!' };
const DECISION = 'Story 1-1: [TECH-SPEC-DECISION: REQUIRED]';

describe('SprintRunner: every claim is verified (evidence, 003 rule 4 reminder)', () => {
  for (const [command, stories, reply] of [
    ['create-story', { '1-1-a': 'backlog' }, { effects: false, output: DECISION }],
    ['create-tech-spec', { '1-1-a': 'ready-for-dev' }, NOTHING],
    ['dev-story', { '1-1-a': 'ready-for-dev' }, NOTHING],
  ] as const) {
    it(`${command} that exits 0 having done nothing: continued with --resume <its session> and the phrase, after the limit a failure, 3 → blocked`, async () => {
      const o = await run(stories, { [command]: reply });
      assertReminded(o.agent.invocations, command, 2);
      const ofCommand = o.agent.invocations.filter((i) => i.command === command);
      // 3 fresh invocations (003 step 5), each followed by 2 reminders in its own session.
      assert.equal(ofCommand.length, 9);
      assert.deepEqual(
        ofCommand.map((i) => (i.resumeSessionId ? 'resume' : 'new')),
        ['new', 'resume', 'resume', 'new', 'resume', 'resume', 'new', 'resume', 'resume'],
      );
      assert.equal(o.statuses['1-1-a'], 'blocked');
      assert.equal(o.agent.invocations.some((i) => i.command === 'code-review'), false, 'no review of work never done');
      const errors = eventsOf(o.events, 'error').map((e) => e.message);
      assert.equal(errors.length, 4);
      assert.match(errors[3], new RegExp(`^Story 1-1-a blocked: ${command} failed 3 times in a row`));
    });
  }

  it('an agent that asks a question, then works on the reminder, ends done', async () => {
    const question: ScriptedReply = { effects: false, output: 'I can use the REST or the GraphQL client. Which option do you prefer?' };
    const o = await run({ '1-1-a': 'ready-for-dev' }, { 'dev-story': [question, {}] });
    assert.deepEqual(o.agent.sequence, ['create-tech-spec 1-1', 'tech-spec-review 1-1', 'dev-story 1-1', 'dev-story 1-1 resume', 'code-review 1-1', 'batch-commit 1-1']);
    assertReminded(o.agent.invocations, 'dev-story', 1);
    assert.equal(o.statuses['1-1-a'], 'done');
    const warnings = eventsOf(o.events, 'warning').map((w) => w.message);
    assert.ok(warnings.some((w) => /dev-story ended without finishing .*asked a question/.test(w)), warnings.join('\n'));
  });

  it('a story file that does not name the story is not evidence', async () => {
    const wrongFile: ScriptedReply = {
      effects: false,
      output: DECISION,
      work: async (req: AgentRequest) => {
        await ws().fs.writeTextAtomic(`${ws().layout.implementationArtifacts}/${req.storyKeys[0]}.md`, '# Some other story\n');
      },
    };
    let current: TestWorkspace | undefined;
    const ws = () => current!;
    current = await aWorkspace({ stories: { '1-1-a': 'backlog' } });
    workspaces.push(current);
    const store = await aStore();
    stores.push(store);
    const t = aRunner(current, { store, script: { 'create-story': [wrongFile, {}] } });
    await t.runner.run({ cycles: 1 });
    const warning = eventsOf(t.events, 'warning').find((w) => /continuing its session/.test(w.message));
    assert.match(warning!.message, /does not name the story \(neither 1-1-a nor 1-1 appears in it\)/);
    assert.equal((await current.statuses())['1-1-a'], 'done');
  });

  it('the story file is looked for where the agent was told to write it (SPRINT_RUNNER_STORY_DIR)', async () => {
    const ws = await aWorkspace({ stories: { '1-1-a': 'backlog' } });
    workspaces.push(ws);
    const store = await aStore();
    stores.push(store);
    const storyDir = `${ws.root}/stories`;
    await ws.fs.mkdirp(storyDir);
    const t = aRunner(ws, {
      store,
      script: {
        'create-story': {
          effects: false,
          output: 'Story 1-1: [TECH-SPEC-DECISION: SKIP]',
          setStatus: { '1-1-a': 'ready-for-dev' },
          work: (req: AgentRequest) => ws.fs.writeTextAtomic(`${req.env.SPRINT_RUNNER_STORY_DIR}/1-1-a.md`, '# Story 1-1\n'),
        },
      },
      deps: { env: { SPRINT_RUNNER_LOG: '/opt/sprint-runner/log.sh', SPRINT_RUNNER_STORY_DIR: storyDir } },
    });
    await t.runner.run({ cycles: 1 });
    assert.equal(t.agent.invocations.some((i) => i.resumeSessionId), false, 'no reminder: the evidence is where it was asked for');
    assert.equal((await ws.statuses())['1-1-a'], 'done');
  });

  it('a crash, max turns or API error is not a claim: no reminder, the existing re-run rules', async () => {
    const o = await run({ '1-1-a': 'ready-for-dev' }, { 'dev-story': [{ outcome: 'agent-failure', errorClass: 'error_max_turns', message: 'Reached maximum number of turns' }, {}] });
    assert.deepEqual(o.agent.sequence.slice(2, 5), ['dev-story 1-1', 'dev-story 1-1', 'code-review 1-1']);
    assert.equal(o.agent.invocations.some((i) => i.resumeSessionId), false);
    assert.equal(o.statuses['1-1-a'], 'done');
  });
});
