// The reminder with real processes: the engine drives ClaudeAgent over sim-claude, which continues a
// session on `--resume <id>` like the real CLI. An agent that exits 0 having done nothing is continued in
// its own session with the phrase, then fails; one that asks a question works on the reminder.

import { strict as assert } from 'node:assert';
import { promises as fsp, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentRegistry } from '../../../src/core/agent/AgentContract';
import { REMINDER_PHRASE } from '../../../src/core/workflow/StepEvidence';
import { ClaudeAgent } from '../../../src/infra/claude/ClaudeAgent';
import { buildSim, HELPER } from '../infra/claude/simHarness';
import { aRunner, aStore, aWorkspace, type TestWorkspace } from '../../support/workflowBuilders';

let sim: string;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

/** `--resume` values and stdin prompts, from the NDJSON logs' neighbour: the logs hold the init line with the session id. */
function sessionsOf(logDir: string, step: RegExp): string[] {
  return readdirSync(logDir)
    .filter((f) => step.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(logDir, f), 'utf8').split('\n')[0]).session_id as string);
}

async function runWithSim(stories: Record<string, string>, rules: object[]) {
  const ws: TestWorkspace = await aWorkspace({ stories });
  const stateDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sr-remind-state-'));
  cleanup.push(() => ws.dispose(), () => fsp.rm(stateDir, { recursive: true, force: true }));
  const scenarioFile = path.join(stateDir, 'scenario.json');
  await fsp.writeFile(scenarioFile, JSON.stringify({ delayMs: 1, rules }));
  const logDir = path.join(stateDir, 'logs');
  const agent = new ClaudeAgent({
    command: sim,
    logDir,
    stateDir,
    progressHelperPath: HELPER,
    env: { IS_SANDBOX: '1', SIM_CLAUDE_SCENARIO: scenarioFile, SIM_CLAUDE_STATE_DIR: path.join(stateDir, 'sim') },
  });
  const prompts: { stepKey: string; prompt: string; resume?: string }[] = [];
  const recording = {
    execute: (req: Parameters<ClaudeAgent['execute']>[0]) => {
      prompts.push({ stepKey: req.stepKey, prompt: req.prompt, ...(req.resumeSessionId ? { resume: req.resumeSessionId } : {}) });
      return agent.execute(req);
    },
  };
  const store = await aStore();
  cleanup.push(() => store.close(), () => agent.dispose());
  const t = aRunner(ws, { store, deps: { agents: new AgentRegistry(recording) } });
  const result = await t.runner.run({ cycles: 1 });
  return { ws, result, prompts, logDir, statuses: await ws.statuses() };
}

describe('SprintRunner reminder with sim-claude (--resume, real processes)', function () {
  this.timeout(120_000);
  before(async () => {
    sim = await buildSim();
  });

  it('dev-story exits 0 having done nothing: --resume <its session id> with the phrase, twice, then a failure; 3 → blocked', async () => {
    const o = await runWithSim({ '1-1-a': 'in-progress' }, [{ command: 'dev-story', nothing: true }]);
    const dev = o.prompts.filter((p) => p.stepKey.includes('/dev-story/'));
    assert.deepEqual(
      dev.map((p) => p.stepKey),
      ['c1/dev-story/1-1-a', 'c1/dev-story/1-1-a/remind1', 'c1/dev-story/1-1-a/remind2', 'c1/dev-story/1-1-a/r2', 'c1/dev-story/1-1-a/r2/remind1', 'c1/dev-story/1-1-a/r2/remind2', 'c1/dev-story/1-1-a/r3', 'c1/dev-story/1-1-a/r3/remind1', 'c1/dev-story/1-1-a/r3/remind2'],
    );
    // The session the CLI reported for the first invocation is the one the reminders continue.
    const sessions = sessionsOf(o.logDir, /^c1_dev-story_1-1-a-\d{4}/);
    assert.equal(dev[1].resume, sessions[0]);
    assert.equal(dev[2].resume, sessions[0]);
    assert.ok(dev[1].prompt.startsWith(REMINDER_PHRASE));
    const reminded = sessionsOf(o.logDir, /^c1_dev-story_1-1-a_remind1-/);
    assert.equal(reminded[0], sessions[0], 'sim-claude continued the same session');
    assert.equal(o.statuses['1-1-a'], 'blocked');
  });

  it('dev-story asks a question, then works on the reminder: the story ends done', async () => {
    const o = await runWithSim({ '1-1-a': 'in-progress' }, [{ command: 'dev-story', asks: true }]);
    const dev = o.prompts.filter((p) => p.stepKey.includes('/dev-story/'));
    assert.deepEqual(dev.map((p) => p.stepKey), ['c1/dev-story/1-1-a', 'c1/dev-story/1-1-a/remind1']);
    assert.ok(dev[1].prompt.startsWith(REMINDER_PHRASE));
    assert.equal(o.statuses['1-1-a'], 'done');
  });
});
