// Costs: tokens (in/out/cache) and USD for the latest batch, per story, command type and cycle, with
// budget progress when budgets are set.

import {
  formatTokens,
  formatUsd,
  type CostRow,
  type CostView,
  type UsageTotals,
} from '../shared/dashboardViewModels';
import { CHART, spendChartOf, type SpendChart } from '../shared/batchCharts';
import { formatClock } from '../shared/dashboardViewModels';
import { h, replaceChildren } from './element';
import { s } from './svg';

/** Cumulative spend as a step line, with the forecast and budget as labelled horizontal lines. */
export function spendChartSvg(c: SpendChart): SVGSVGElement {
  const right = CHART.width - CHART.right;
  const bottom = CHART.height - CHART.bottom;
  const steps = c.points.map((p, i) => (i === 0 ? `M${p.x} ${p.y}` : `H${p.x} V${p.y}`)).join(' ');
  const last = c.points[c.points.length - 1];
  const guide = (l: { y: number; label: string } | undefined, cls: string) =>
    l ? s('g', { class: `chart-line ${cls}` }, s('line', { x1: CHART.left, x2: right, y1: l.y, y2: l.y }), s('text', { x: right - 4, y: l.y - 4, 'text-anchor': 'end' }, l.label)) : null;
  return s(
    'svg',
    { class: 'spend-chart', viewBox: `0 0 ${CHART.width} ${CHART.height}`, role: 'img', 'aria-label': c.summary, tabindex: 0, 'data-testid': 'spend-chart' },
    s('title', {}, c.summary),
    s('g', { class: 'chart-axis' },
      ...c.yTicks.map((t) => s('g', {}, s('line', { class: 'chart-grid', x1: CHART.left, x2: right, y1: t.y, y2: t.y }), s('text', { x: CHART.left - 6, y: t.y + 4, 'text-anchor': 'end' }, t.label))),
      s('line', { x1: CHART.left, x2: right, y1: bottom, y2: bottom }),
      s('text', { x: CHART.left, y: CHART.height - 8 }, formatClock(c.xStart)),
      s('text', { x: right, y: CHART.height - 8, 'text-anchor': 'end' }, formatClock(c.xEnd)),
    ),
    guide(c.budget, 'chart-budget'),
    guide(c.forecast, 'chart-forecast'),
    s('path', { class: 'chart-spend', d: last ? `${steps} H${right}` : '' }),
    ...c.points.slice(1).map((p) => s('circle', { class: 'chart-point', cx: p.x, cy: p.y, r: 3 }, s('title', {}, `${formatClock(p.at)}: ${formatUsd(p.usd)}`))),
  );
}

function budgetBar(label: string, spent: number, limit: number): HTMLElement {
  const pct = limit > 0 ? Math.min(100, (spent / limit) * 100) : 100;
  const bar = h('progress', { attrs: { 'aria-label': label } });
  bar.max = limit;
  bar.value = Math.min(spent, limit);
  return h('div', { className: `budget${spent >= limit ? ' over' : ''}` }, h('span', {}, label), bar, h('span', {}, `${formatUsd(spent)} of ${formatUsd(limit)} (${pct.toFixed(0)}%)`));
}

function usageCells(u: UsageTotals): HTMLElement[] {
  return [
    h('td', { className: 'num' }, formatTokens(u.inputTokens)),
    h('td', { className: 'num' }, formatTokens(u.outputTokens)),
    h('td', { className: 'num' }, formatTokens(u.cacheCreationInputTokens)),
    h('td', { className: 'num' }, formatTokens(u.cacheReadInputTokens)),
    h('td', { className: 'num cost' }, formatUsd(u.costUsd)),
  ];
}

export class CostsTab {
  readonly element: HTMLElement;
  private readonly body = h('div', { className: 'costs' });

  constructor() {
    this.element = h(
      'section',
      { className: 'tab-panel costs-tab', attrs: { role: 'tabpanel', id: 'panel-costs', 'aria-labelledby': 'tab-costs' } },
      this.body,
    );
  }

  set(costs: CostView): void {
    const table = (title: string, first: string, rows: CostRow[], storyBudget?: number) =>
      h(
        'table',
        { className: 'cost-table', attrs: { 'data-table': first.toLowerCase() } },
        h('caption', {}, title),
        h('thead', {}, h('tr', {}, ...[first, 'Commands', 'Input', 'Output', 'Cache write', 'Cache read', 'USD'].map((t) => h('th', { attrs: { scope: 'col' } }, t)))),
        h(
          'tbody',
          {},
          ...rows.map((r) =>
            h(
              'tr',
              { className: storyBudget !== undefined && r.usage.costUsd >= storyBudget ? 'over' : '' },
              h('th', { attrs: { scope: 'row' } }, r.label),
              h('td', { className: 'num' }, String(Math.round(r.commands * 10) / 10)),
              ...usageCells(r.usage),
            ),
          ),
        ),
        h('tfoot', {}, h('tr', { className: 'total' }, h('th', { attrs: { scope: 'row' } }, 'Total'), h('td', { className: 'num' }, String(Math.round(rows.reduce((n, r) => n + r.commands, 0) * 10) / 10)), ...usageCells(costs.batch))),
      );
    const b = costs.budgets;
    replaceChildren(
      this.body,
      h(
        'div',
        { className: 'tiles' },
        h('div', { className: 'tile' }, h('div', { className: 'tile-label' }, costs.batchId ? `Batch #${costs.batchId}` : 'No batch yet'), h('div', { className: 'tile-value', attrs: { 'data-testid': 'batch-cost' } }, formatUsd(costs.batch.costUsd))),
        h('div', { className: 'tile' }, h('div', { className: 'tile-label' }, 'All batches'), h('div', { className: 'tile-value' }, formatUsd(costs.allTime.costUsd))),
        h('div', { className: 'tile' }, h('div', { className: 'tile-label' }, 'Tokens in / out'), h('div', { className: 'tile-value' }, `${formatTokens(costs.batch.inputTokens)} / ${formatTokens(costs.batch.outputTokens)}`)),
        h('div', { className: 'tile' }, h('div', { className: 'tile-label' }, 'Cache write / read'), h('div', { className: 'tile-value' }, `${formatTokens(costs.batch.cacheCreationInputTokens)} / ${formatTokens(costs.batch.cacheReadInputTokens)}`)),
      ),
      costs.batchId !== undefined || costs.activity.commands.length > 0
        ? h('figure', { className: 'chart' },
          spendChartSvg(spendChartOf(costs.activity, b.batchUsd, Date.now())),
          h('figcaption', { className: 'chart-legend' },
            h('span', { className: 'key key-spend' }, 'Spent so far'),
            h('span', { className: 'key key-forecast' }, 'Forecast'),
            h('span', { className: 'key key-budget' }, 'Batch budget')))
        : null,
      b.batchUsd !== undefined ? budgetBar('Batch budget', costs.batch.costUsd, b.batchUsd) : null,
      b.storyUsd !== undefined
        ? h('div', { className: 'budgets' }, ...costs.byStory.map((r) => budgetBar(`${r.label} budget`, r.usage.costUsd, b.storyUsd!)))
        : null,
      table('Per story (shared commands split evenly)', 'Story', costs.byStory, b.storyUsd),
      table('Per command type', 'Command', costs.byCommand),
      table('Per cycle', 'Cycle', costs.byCycle),
    );
  }
}
