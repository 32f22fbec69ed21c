import { strict as assert } from 'node:assert';
import { CHART, GANTT, ganttOf, niceCeiling, spendChartOf, type BatchActivity } from '../../../src/shared/batchCharts';
import { STORIES, ScenarioHost, T0, chartBatchEvents, laneBatchEvents, runningBatchEvents } from '../../webview/dashboardScenario';

const NOW = T0 + 450_000;

function activityOf(host: ScenarioHost): { activity: BatchActivity; batchUsd: number } {
  const costs = host.model.snapshot(0).costs;
  return { activity: costs.activity, batchUsd: costs.batch.costUsd };
}

describe('batch charts', () => {
  it('the host posts the activity again when a command starts or ends, a limit wait begins or ends, and the batch ends', () => {
    const host = new ScenarioHost({ events: runningBatchEvents() });
    const key = STORIES[0].key;
    const activityAfter = (e: Parameters<ScenarioHost['emit']>[0]) => {
      const m = host.emit(e).find((d) => d.type === 'costsChanged');
      return m && m.type === 'costsChanged' ? m.costs.activity : undefined;
    };
    const step = { stepKey: 'c1/dev-story/2a-1', cycle: 1, command: 'dev-story' as const, attempt: 1, storyKeys: [key] };
    assert.equal(activityAfter({ type: 'limit:wait', at: T0 + 200_000, ...step, resetsAt: T0 + 260_000, state: 'waiting' })?.waits.length, 1);
    assert.equal(activityAfter({ type: 'limit:wait', at: T0 + 261_000, ...step, resetsAt: T0 + 260_000, state: 'over' })?.waits[0].endedAt, T0 + 261_000);
    assert.equal(activityAfter({ type: 'command:end', at: T0 + 300_000, ...step, outcome: 'permanent', durationMs: 148_000 })?.commands.at(-1)?.outcome, 'permanent');
    assert.equal(activityAfter({ type: 'command:start', at: T0 + 301_000, ...step, stepKey: 'c1/dev-story/2a-1/a2', attempt: 2, epicId: '2a' })?.commands.at(-1)?.endedAt, undefined);
    assert.equal(activityAfter({ type: 'batch:end', at: T0 + 302_000, batchId: 7, status: 'stopped', cyclesCompleted: 0, storiesDone: [], storiesBlocked: [], sprintComplete: false })?.endedAt, T0 + 302_000);
  });

  describe('spendChartOf', () => {
    it('climbs from $0 at the batch start to the batch total, one point per finished command', () => {
      const { activity, batchUsd } = activityOf(new ScenarioHost({ events: chartBatchEvents() }));
      const c = spendChartOf(activity, undefined, NOW);
      assert.equal(c.points.length, 1 + 5, 'the start and five finished commands (the running review has no point)');
      assert.deepEqual(c.points[0].usd, 0);
      assert.equal(c.points[0].at, T0);
      assert.ok(Math.abs(c.totalUsd - batchUsd) < 1e-9, `${c.totalUsd} = ${batchUsd}`);
      assert.ok(Math.abs(c.points.at(-1)!.usd - 2.8) < 1e-9);
      for (let i = 1; i < c.points.length; i++) {
        assert.ok(c.points[i].usd >= c.points[i - 1].usd, 'cumulative spend never goes down');
        assert.ok(c.points[i].x >= c.points[i - 1].x && c.points[i].y <= c.points[i - 1].y, 'later is right, more is higher');
      }
      assert.equal(c.points[0].x, CHART.left);
      assert.equal(c.points[0].y, CHART.height - CHART.bottom);
    });

    it('draws the forecast from the batch:forecast event and the batch budget as lines at their amounts', () => {
      const { activity } = activityOf(new ScenarioHost({ events: chartBatchEvents() }));
      assert.equal(activity.forecastUsd, 4);
      const c = spendChartOf(activity, 5, NOW);
      assert.equal(c.forecast?.usd, 4);
      assert.equal(c.budget?.usd, 5);
      assert.equal(c.forecast?.label, 'Forecast $4.00');
      assert.equal(c.budget?.label, 'Budget $5.00');
      assert.ok(c.budget!.y < c.forecast!.y && c.forecast!.y < c.points.at(-1)!.y, 'budget above forecast above the $2.80 spent');
      assert.ok(c.budget!.y >= CHART.top, 'the highest line stays inside the plot');
      assert.equal(c.summary, 'Spent $2.80 over 5 finished commands in 7m 30s; forecast $4.00 (70% of it spent); batch budget $5.00 (56% used).');
    });

    it('has no forecast or budget line when there is none, and a $1 scale before anything is spent', () => {
      const c = spendChartOf({ startedAt: T0, commands: [], waits: [] }, undefined, T0 + 1000);
      assert.equal(c.forecast, undefined);
      assert.equal(c.budget, undefined);
      assert.deepEqual(c.points.map((p) => p.usd), [0]);
      assert.deepEqual(c.yTicks.map((t) => t.label), ['$0.00', '$0.50', '$1.00']);
    });

    it('forgets the forecast of an earlier batch when a new one starts', () => {
      const host = new ScenarioHost({ events: chartBatchEvents() });
      host.emit({ type: 'batch:end', at: T0 + 500_000, batchId: 7, status: 'completed', cyclesCompleted: 1, storiesDone: [], storiesBlocked: [], sprintComplete: false });
      host.emit({ type: 'batch:start', at: T0 + 600_000, batchId: 8, runId: 'r8', batchMode: 'fixed', maxCycles: 1, resumed: false });
      const { activity } = activityOf(host);
      assert.equal(activity.forecastUsd, undefined);
      assert.deepEqual(activity.commands, []);
      assert.deepEqual(activity.waits, []);
    });

    it('keeps the commands of a resumed batch inside the chart (the resume is a later start)', () => {
      const host = new ScenarioHost({ events: chartBatchEvents() });
      host.emit({ type: 'batch:start', at: T0 + 420_000, batchId: 7, runId: 'r7b', batchMode: 'fixed', maxCycles: 3, resumed: true });
      const { activity } = activityOf(host);
      assert.equal(activity.startedAt, T0 + 420_000);
      const c = spendChartOf(activity, undefined, NOW);
      assert.equal(c.xStart, T0 + 2000, 'from the first command');
      assert.ok(c.points.every((p) => p.x >= CHART.left && p.x <= CHART.width - CHART.right));
      const g = ganttOf(activity, { now: NOW });
      assert.ok(g.rows.flatMap((r) => r.bars).every((b) => b.x >= GANTT.left && b.x + b.width <= GANTT.width - GANTT.right + 0.1));
    });

    it('rounds the scale up to a round amount', () => {
      assert.deepEqual([0, 0.4, 1.2, 2.2, 3, 5.25, 7, 42, 90].map(niceCeiling), [1, 1, 1.5, 2.5, 3, 6, 8, 50, 100]);
    });
  });

  describe('ganttOf', () => {
    it('gives each story a row and each command a bar there; a command for two stories is a bar in both', () => {
      const { activity } = activityOf(new ScenarioHost({ events: runningBatchEvents() }));
      const g = ganttOf(activity, { now: NOW });
      assert.deepEqual(g.rows.map((r) => [r.label, r.bars.map((b) => b.outcome)]), [
        ['2a-1', ['success', 'success', 'running']],
        ['2a-2', ['success']],
      ]);
      assert.deepEqual(g.rows.map((r) => r.y), [GANTT.top, GANTT.top + GANTT.rowHeight]);
      const [create, review, dev] = g.rows[0].bars;
      assert.equal(create.x, GANTT.left + Math.round(((2000 / 450_000) * (GANTT.width - GANTT.left - GANTT.right)) * 10) / 10);
      assert.ok(create.x + create.width <= review.x && review.x + review.width <= dev.x, 'bars follow each other in time');
      assert.equal(dev.x + dev.width, GANTT.width - GANTT.right, 'the running command reaches now');
      assert.equal(create.title, '2a-1 2a-2 create-story, attempt 1: 1m 28s, success, $0.84');
      assert.equal(dev.title, '2a-1 dev-story, attempt 1: running for 4m 58s, running, $0.00');
    });

    it('shows retries with their attempt and outcome, and a usage-limit wait as its own bar', () => {
      const { activity } = activityOf(new ScenarioHost({ events: chartBatchEvents() }));
      assert.equal(activity.waits.length, 1, 'the countdown event does not open a second wait');
      assert.deepEqual(activity.waits[0], { stepKey: 'c1/code-review/2a-1/a1', storyKeys: [STORIES[0].key], startedAt: T0 + 231_000, endedAt: T0 + 331_000, resetsAt: T0 + 330_000, limitType: 'five_hour' });
      const g = ganttOf(activity, { now: NOW });
      const row = g.rows[0];
      assert.deepEqual(row.bars.map((b) => `${b.kind}:${b.outcome}:${b.attempt}`), [
        'command:success:1', 'command:success:1', 'command:success:1', 'command:transient:1', 'command:agent-failure:2', 'command:running:3', 'wait:wait:0',
      ]);
      assert.equal(row.bars[4].title, '2a-1 code-review, attempt 2: 1m 08s, agent-failure, $0.40');
      assert.equal(row.bars[6].title, '2a-1 usage limit wait (five_hour): 1m 40s');
      assert.equal(g.summary, '6 commands in 2 stories over 7m 30s: 2 retries, 2 not successful, 1 usage-limit wait.');
    });

    it('in parallel mode has one row per lane, work in the main checkout first', () => {
      const { activity } = activityOf(new ScenarioHost({ events: laneBatchEvents(), maxParallel: 2 }));
      assert.deepEqual(activity.commands.map((c) => c.lane), [undefined, 1, 2, 2]);
      const g = ganttOf(activity, { now: T0 + 200_000 });
      assert.deepEqual(g.rows.map((r) => [r.label, r.bars.map((b) => `${b.outcome}#${b.attempt}`)]), [
        ['Main checkout', ['success#1']],
        ['Lane 1', ['success#1']],
        ['Lane 2', ['agent-failure#1', 'success#2']],
      ]);
      assert.deepEqual(g.rows[2].bars.map((b) => b.text), ['2b-1 dev-story', '2b-1 dev-story #2'], 'in lanes a bar names its story');
      assert.match(g.summary, /^4 commands in 3 lanes over 3m 20s: 1 retry, 1 not successful, 0 usage-limit waits\.$/);
    });
  });
});
