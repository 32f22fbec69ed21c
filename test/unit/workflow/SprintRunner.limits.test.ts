// Usage limits are waited out: the reset time the CLI gave is journaled, the run waits (countdown events,
// stop cancels), continues by itself and ends done; a resumed batch waits for the same reset; a weekly
// limit far away pauses the batch and says when.

import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import { AgentRegistry } from '../../../src/core/agent/AgentContract';
import { eventLineOf, eventLineText } from '../../../src/core/eventLine';
import { ClaudeAgent } from '../../../src/infra/claude/ClaudeAgent';
import { buildSim, HELPER } from '../infra/claude/simHarness';
import { systemClock } from '../../../src/core/workflow/Clock';
import type { SqlJsRunStore } from '../../../src/infra/store/SqlJsRunStore';
import { aRunner, aStore, aWorkspace, eventsOf, TEST_NOW, type TestWorkspace } from '../../support/workflowBuilders';

const workspaces: TestWorkspace[] = [];
const stores: SqlJsRunStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

async function workspace(now?: number): Promise<TestWorkspace> {
  const ws = await aWorkspace({ stories: { '1-1-a': 'in-progress' }, ...(now !== undefined ? { now } : {}) });
  workspaces.push(ws);
  return ws;
}

async function storeOf(ws: TestWorkspace): Promise<SqlJsRunStore> {
  const s = await aStore(path.join(ws.root, '.sprint-runner'));
  stores.push(s);
  return s;
}

const limited = (resetsAt: number) => ({ outcome: 'transient' as const, errorClass: 'usage-limit', message: 'Claude AI usage limit reached', resetsAt });

describe('SprintRunner usage limits', function () {
  this.timeout(30_000);

  it('a limit with a reset 2 s ahead: the run waits (real clock), shows the reset time, continues by itself and ends done', async () => {
    const ws = await workspace(Date.now());
    const resetsAt = Date.now() + 2000;
    const t = aRunner(ws, { store: await aStore(), script: { 'dev-story': [limited(resetsAt), {}] }, deps: { clock: systemClock, sleep: undefined } });
    const started = Date.now();
    const r = await t.runner.run({ cycles: 1 });
    assert.ok(Date.now() - started >= 1900, `waited ${Date.now() - started} ms`);
    assert.equal(r.status, 'completed');
    assert.deepEqual(t.agent.sequence, ['dev-story 1-1', 'dev-story 1-1', 'code-review 1-1', 'batch-commit 1-1']);
    assert.equal((await ws.statuses())['1-1-a'], 'done');
    const waits = eventsOf(t.events, 'limit:wait');
    assert.equal(waits[0].state, 'waiting');
    assert.equal(waits[0].resetsAt, resetsAt);
    assert.equal(waits[waits.length - 1].state, 'over');
    // The CLI prints this line (formatEvent renders eventLineOf).
    assert.match(eventLineText(eventLineOf(waits[0])!), new RegExp(`Usage limit reached: waiting until ${new Date(resetsAt).toISOString().replace(/[.]/g, '\\.')} \\(\\d+s left\\); the run continues by itself, stop cancels`));
    // Not a transient retry: no backoff warnings, no failure.
    assert.deepEqual(eventsOf(t.events, 'error'), []);
  });

  it('with ClaudeAgent over sim-claude: a rate_limit_event resetting 2 s ahead is waited out and the story ends done', async () => {
    const ws = await workspace(Date.now());
    const stateDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sr-limit-sim-'));
    const scenarioFile = path.join(stateDir, 'scenario.json');
    await fsp.writeFile(scenarioFile, JSON.stringify({ delayMs: 1, rules: [{ command: 'dev-story', fail: 'usage-limit', resetInSeconds: 2, times: 1 }] }));
    const agent = new ClaudeAgent({
      command: await buildSim(),
      logDir: path.join(stateDir, 'logs'),
      stateDir,
      progressHelperPath: HELPER,
      env: { IS_SANDBOX: '1', SIM_CLAUDE_SCENARIO: scenarioFile, SIM_CLAUDE_STATE_DIR: path.join(stateDir, 'sim') },
    });
    try {
      const t = aRunner(ws, { store: await aStore(), deps: { agents: new AgentRegistry(agent), clock: systemClock, sleep: undefined } });
      const r = await t.runner.run({ cycles: 1 });
      assert.equal(r.status, 'completed', r.reason);
      const waits = eventsOf(t.events, 'limit:wait');
      assert.equal(waits[0].state, 'waiting');
      assert.equal(waits[0].limitType, 'five_hour');
      assert.equal(waits[waits.length - 1].state, 'over');
      const devStarts = eventsOf(t.events, 'command:start').filter((e) => e.command === 'dev-story');
      assert.equal(devStarts.length, 2);
      assert.ok(devStarts[1].at >= waits[0].resetsAt, 'dev-story ran again only after the reset');
      assert.equal((await ws.statuses())['1-1-a'], 'done');
    } finally {
      await agent.dispose();
      await fsp.rm(stateDir, { recursive: true, force: true });
    }
  });

  it('killed during the wait: resume waits for the same (journaled) reset before running the step again', async () => {
    const ws = await workspace();
    const resetsAt = TEST_NOW + 5 * 3_600_000;
    const doomedStore = await aStore(path.join(ws.root, '.sprint-runner'));
    const doomed = aRunner(ws, { store: doomedStore, script: { 'dev-story': limited(resetsAt) }, deps: { sleep: () => new Promise<void>(() => undefined) } });
    void doomed.runner.run({ cycles: 1 });
    for (let i = 0; i < 300 && !doomed.events.some((e) => e.type === 'limit:wait'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(doomed.events.some((e) => e.type === 'limit:wait'), 'the doomed run is waiting');
    await new Promise((r) => setTimeout(r, 300)); // its journal reaches the disk; then it is abandoned like a kill -9

    const later = TEST_NOW + 3_600_000; // the new process starts an hour later
    const sleeps: number[] = [];
    const survivor = aRunner(ws, { store: await storeOf(ws), now: later, sleeps });
    let invokedAfter = -1;
    survivor.runner.onDidEmit((e) => {
      if (e.type === 'command:start' && e.command === 'dev-story' && invokedAfter < 0) invokedAfter = sleeps.reduce((a, b) => a + b, 0);
    });
    const r = await survivor.runner.resume();
    assert.equal(invokedAfter, 4 * 3_600_000, 'the survivor slept the 4 h left of the same reset before invoking dev-story again');
    const waits = eventsOf(survivor.events, 'limit:wait');
    assert.equal(waits[0].resetsAt, resetsAt);
    assert.equal(r.status, 'completed');
    assert.equal((await ws.statuses())['1-1-a'], 'done');
  });

  it('stop during the wait cancels it: the batch ends stopped', async () => {
    const ws = await workspace();
    const t = aRunner(ws, {
      store: await aStore(),
      script: { 'dev-story': limited(TEST_NOW + 3_600_000) },
      deps: { sleep: async () => t.runner.cancel('stopped by the user') },
    });
    const r = await t.runner.run({ cycles: 1 });
    assert.equal(r.status, 'stopped');
    assert.equal(t.agent.sequence.length, 1);
  });

  it('a weekly limit days away pauses the batch and says when it resets, instead of waiting', async () => {
    const ws = await workspace();
    const resetsAt = TEST_NOW + 3 * 24 * 3_600_000;
    const sleeps: number[] = [];
    const t = aRunner(ws, { store: await aStore(), sleeps, script: { 'dev-story': { ...limited(resetsAt), message: 'weekly limit' } } });
    const r = await t.runner.run({ cycles: 1 });
    assert.equal(r.status, 'paused');
    assert.match(r.reason!, new RegExp(`dev-story: the usage limit resets at ${new Date(resetsAt).toISOString().replace(/[.]/g, '\\.')}, more than 12 h from now; the batch is paused instead of waiting`));
    assert.deepEqual(sleeps, []);
    assert.equal((await ws.statuses())['1-1-a'], 'in-progress');
  });
});
