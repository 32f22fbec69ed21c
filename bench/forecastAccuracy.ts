// How close the cost forecast comes on the reference scenarios (sample-scenarios/): the engine drives
// ClaudeAgent over sim-claude on six backlog stories in three epics. Batch 1 (1 cycle) is forecast from the
// defaults; batch 2 (2 cycles) from batch 1's history. Prints forecast, actual and the error per batch.
// Run: npx tsx bench/forecastAccuracy.ts   (docs/cost-forecast.md keeps the latest numbers)

import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentRegistry } from '../src/core/agent/AgentContract';
import { FORECAST_VS_ACTUAL_STEP, type ForecastVsActual } from '../src/core/workflow/ForecastStep';
import { ClaudeAgent } from '../src/infra/claude/ClaudeAgent';
import { buildSim, HELPER } from '../test/unit/infra/claude/simHarness';
import { aRunner, aStore, aWorkspace } from '../test/support/workflowBuilders';

const SCENARIOS = ['happy', 'stubborn-review', 'flaky-api'];
const STORIES = { '1-1-a': 'backlog', '1-2-b': 'backlog', '2-1-c': 'backlog', '2-2-d': 'backlog', '3-1-e': 'backlog', '3-2-f': 'backlog' };

async function measure(name: string, sim: string): Promise<{ batch: number; forecast: number; actual: number; basis: string }[]> {
  const ws = await aWorkspace({ stories: STORIES, now: Date.now() });
  const stateDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sr-forecast-'));
  try {
    const scenario = JSON.parse(await fsp.readFile(path.join(__dirname, '..', 'sample-scenarios', `${name}.json`), 'utf8')) as { delayMs?: unknown };
    scenario.delayMs = 1;
    const scenarioFile = path.join(stateDir, 'scenario.json');
    await fsp.writeFile(scenarioFile, JSON.stringify(scenario));
    const agent = new ClaudeAgent({
      command: sim,
      logDir: path.join(stateDir, 'logs'),
      stateDir,
      progressHelperPath: HELPER,
      env: { IS_SANDBOX: '1', SIM_CLAUDE_SCENARIO: scenarioFile, SIM_CLAUDE_STATE_DIR: path.join(stateDir, 'sim'), CLAUDE_CODE_MAX_RETRIES: '0' },
    });
    const store = await aStore();
    const t = aRunner(ws, {
      store,
      now: undefined,
      settings: { transientRetry: { maxRetries: 5, baseDelayMs: 1, maxDelayMs: 1 } },
      deps: { agents: new AgentRegistry(agent), clock: { now: Date.now }, sleep: undefined },
    });
    const out: { batch: number; forecast: number; actual: number; basis: string }[] = [];
    for (const cycles of [1, 2]) {
      const r = await t.runner.run({ cycles });
      const c = (await store.getStep(r.batchId, FORECAST_VS_ACTUAL_STEP))?.result as ForecastVsActual;
      out.push({ batch: r.batchId, forecast: c.forecastUsd, actual: c.actualUsd, basis: c.basis });
    }
    await agent.dispose();
    await store.close();
    return out;
  } finally {
    await ws.dispose();
    await fsp.rm(stateDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sim = await buildSim();
  console.log('| scenario | batch | basis | forecast | actual | error |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const name of SCENARIOS) {
    for (const m of await measure(name, sim)) {
      const error = m.actual > 0 ? ((m.forecast - m.actual) / m.actual) * 100 : 0;
      console.log(`| ${name} | ${m.batch} | ${m.basis} | $${m.forecast.toFixed(3)} | $${m.actual.toFixed(3)} | ${error >= 0 ? '+' : ''}${error.toFixed(0)} % |`);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
