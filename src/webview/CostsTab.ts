// Costs: tokens (in/out/cache) and USD for the latest batch, per story, command type and cycle, with
// budget progress when budgets are set.

import {
  formatTokens,
  formatUsd,
  type CostRow,
  type CostView,
  type UsageTotals,
} from '../shared/dashboardViewModels';
import { h, replaceChildren } from './element';

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
