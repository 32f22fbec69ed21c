// The cost forecast: the stories step 1 would pick, the commands their statuses lead to, and the cost
// per command and attempt from the project's history (a documented default before any); in the engine
// (said at the start, compared with the actual cost at the end, in the database) and in `status --json`.

import { strict as assert } from 'node:assert';
import { collectStatus } from '../../../src/cli/status';
import { DEFAULT_COST_PER_STORY_USD, forecastBatch } from '../../../src/core/forecast/CostForecast';
import type { CommandRecord } from '../../../src/core/store/RunStore';
import { FORECAST_VS_ACTUAL_STEP, type ForecastVsActual } from '../../../src/core/workflow/ForecastStep';
import type { SqlJsRunStore } from '../../../src/infra/store/SqlJsRunStore';
import { aRunner, aStore, aWorkspace, eventsOf, type TestWorkspace } from '../../support/workflowBuilders';

const workspaces: TestWorkspace[] = [];
const stores: SqlJsRunStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

async function setup(stories: Record<string, string>) {
  const ws = await aWorkspace({ stories });
  workspaces.push(ws);
  const store = await aStore();
  stores.push(store);
  return { ws, store };
}

let nextId = 1;
function cmd(command: CommandRecord['command'], attempt: number, storyKeys: string[], costUsd: number, batchId = 1): CommandRecord {
  return {
    id: nextId++, batchId, stepKey: `c1/${command}`, cycle: 1, command, attempt, storyKeys, epicId: '1', startedAt: 0, endedAt: 1, outcome: 'success',
    usage: { inputTokens: 1, outputTokens: 1, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd }, outputSummary: null, logPath: null,
  };
}

describe('cost forecast', () => {
  it('before any history: the documented default per command, for the stories of the next cycles', async () => {
    const { ws } = await setup({ '1-1-a': 'backlog', '1-2-b': 'backlog', '2-1-c': 'review', '3-1-d': 'backlog' });
    const f = forecastBatch({ snapshot: await ws.ledger.read(), cycles: 2, history: [] });
    assert.equal(f.basis, 'default');
    assert.deepEqual(f.stories.map((s) => `${s.key}@${s.cycle}`), ['1-1-a@1', '1-2-b@1', '2-1-c@2']);
    const d = DEFAULT_COST_PER_STORY_USD;
    const backlog = d['create-story'] + d['create-story-discovery'] + d['story-review'] + 0.5 * (d['create-tech-spec'] + d['tech-spec-review']) + d['dev-story'] + d['code-review'] + d['batch-commit'];
    assert.equal(f.stories[0].usd, Math.round(backlog * 1e4) / 1e4);
    assert.equal(f.stories[2].usd, d['code-review'] + d['batch-commit']);
    assert.equal(f.nextBatchUsd, Math.round((2 * backlog + d['code-review'] + d['batch-commit']) * 1e4) / 1e4);
  });

  it('from history, per command and attempt: a later attempt counts for the share of stories that reached it', async () => {
    const { ws } = await setup({ '5-1-x': 'review' });
    const history = [
      cmd('code-review', 1, ['1-1-a'], 1.0), cmd('code-review', 1, ['1-2-b'], 0.6),
      cmd('code-review', 2, ['1-1-a'], 0.2),
      cmd('batch-commit', 1, ['1-1-a', '1-2-b'], 0.2),
    ];
    const f = forecastBatch({ snapshot: await ws.ledger.read(), cycles: 1, history });
    assert.equal(f.basis, 'history');
    const review = f.perCommand.find((c) => c.command === 'code-review')!;
    assert.deepEqual(review.attempts, [{ attempt: 1, meanUsd: 0.8, share: 1 }, { attempt: 2, meanUsd: 0.2, share: 0.5 }]);
    assert.equal(review.perStoryUsd, 0.9);
    // batch-commit: one invocation for two stories, $0.10 each.
    assert.equal(f.nextBatchUsd, 1.0);
  });

  it('a ready-for-dev story whose tech spec exists is forecast without a tech spec and its review', async () => {
    const { ws } = await setup({ '1-1-a': 'ready-for-dev' });
    const snapshot = await ws.ledger.read();
    const fresh = forecastBatch({ snapshot, cycles: 1, history: [] });
    const existing = forecastBatch({ snapshot, cycles: 1, history: [], hasTechSpec: () => true });
    assert.ok(fresh.stories[0].commands.includes('create-tech-spec'));
    assert.ok(!existing.stories[0].commands.includes('create-tech-spec'));
    assert.equal(Math.round((fresh.nextBatchUsd - existing.nextBatchUsd) * 1e4) / 1e4, DEFAULT_COST_PER_STORY_USD['create-tech-spec'] + DEFAULT_COST_PER_STORY_USD['tech-spec-review']);
  });

  it('the engine says the forecast before spending (event, budget warning), keeps forecast vs actual per story in the database; status --json has it', async () => {
    const { ws, store } = await setup({ '1-1-a': 'in-progress', '2-1-b': 'backlog' });
    const t = aRunner(ws, { store, settings: { budgets: { perBatchUsd: 0.5 } } });
    const r = await t.runner.run({ cycles: 1 });
    const [forecast] = eventsOf(t.events, 'batch:forecast');
    assert.equal(forecast.basis, 'default');
    const d = DEFAULT_COST_PER_STORY_USD;
    assert.equal(forecast.nextBatchUsd, Math.round((d['dev-story'] + d['code-review'] + d['batch-commit']) * 1e4) / 1e4);
    const firstSpend = t.events.findIndex((e) => e.type === 'command:start');
    assert.ok(t.events.indexOf(forecast) < firstSpend, 'said before the first command');
    const warning = eventsOf(t.events, 'warning').find((w) => /forecast for this batch/.test(w.message));
    assert.match(warning!.message, /^The forecast for this batch, \$3\.30, already exceeds the batch budget of \$0\.50/);

    const compared = (await store.getStep(r.batchId, FORECAST_VS_ACTUAL_STEP))?.result as ForecastVsActual;
    // The scripted agent charges $0.01 per invocation: dev-story, code-review, batch-commit.
    assert.deepEqual(compared.stories, [{ key: '1-1-a', forecastUsd: 3.3, actualUsd: 0.03 }]);
    assert.equal(compared.forecastUsd, 3.3);

    const report = await collectStatus({ layout: ws.layout, ledger: ws.ledger, store }, undefined);
    assert.equal(report.forecast.basis, 'mixed', 'dev-story, code-review, batch-commit from history; create-story etc. by default');
    assert.deepEqual(report.forecast.stories.map((s) => s.key), ['2-1-b']);
    assert.equal(typeof report.forecast.nextBatchUsd, 'number');
    assert.deepEqual(report.latestForecastVsActual, compared);
    assert.ok(JSON.parse(JSON.stringify(report)).forecast.nextBatchUsd >= 0);
  });
});
