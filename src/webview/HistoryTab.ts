// History: past batches and, on demand, the stories each one touched.

import type { WebviewMessage } from '../shared/dashboardProtocol';
import {
  formatDuration,
  formatTokens,
  formatUsd,
  totalTokens,
  type BatchStoryRow,
  type BatchSummary,
} from '../shared/dashboardViewModels';
import { button, h, icon, replaceChildren } from './element';
import type { UiState } from './uiState';

function when(at: number | null): string {
  if (at === null) return '—';
  const d = new Date(at);
  return `${d.toLocaleDateString()} ${d.toLocaleTimeString()}`;
}

export class HistoryTab {
  readonly element: HTMLElement;
  private readonly body = h('div', { className: 'history' });
  private readonly details = new Map<number, HTMLElement>();
  private requested = false;

  constructor(
    private readonly ui: UiState,
    private readonly post: (m: WebviewMessage) => void,
    private readonly saveUi: () => void,
  ) {
    this.element = h(
      'section',
      { className: 'tab-panel history-tab', attrs: { role: 'tabpanel', id: 'panel-history', 'aria-labelledby': 'tab-history' } },
      h('div', { className: 'toolbar' }, h('span', { className: 'section-title' }, 'Past batches'), button('Refresh', 'refresh', () => this.refresh())),
      this.body,
    );
    replaceChildren(this.body, h('p', { className: 'muted' }, 'Loading…'));
  }

  /** Requests the list the first time the tab is shown. */
  shown(): void {
    if (!this.requested) this.refresh();
  }

  refresh(): void {
    this.requested = true;
    this.post({ type: 'requestHistory' });
  }

  setBatches(batches: BatchSummary[]): void {
    this.details.clear();
    if (batches.length === 0) {
      replaceChildren(this.body, h('p', { className: 'muted' }, 'No batch has run in this workspace yet.'));
      return;
    }
    const rows: HTMLElement[] = [];
    for (const b of batches) {
      const expanded = this.ui.expandedBatches.includes(b.id);
      const detail = h('tr', { className: 'batch-detail', attrs: { hidden: !expanded } }, h('td', { attrs: { colspan: 10 } }, h('span', { className: 'muted' }, 'Loading…')));
      this.details.set(b.id, detail);
      const toggle = h(
        'button',
        {
          className: 'icon-btn',
          attrs: { type: 'button', 'aria-expanded': expanded ? 'true' : 'false', 'aria-label': `Stories of batch ${b.id}` },
          on: { click: () => this.toggle(b.id, toggle, detail) },
        },
        icon(expanded ? 'chevron-down' : 'chevron-right'),
      );
      rows.push(
        h(
          'tr',
          { attrs: { 'data-batch': b.id } },
          h('td', {}, toggle),
          h('th', { attrs: { scope: 'row' } }, `#${b.id}`),
          h('td', {}, when(b.startedAt)),
          h('td', {}, when(b.endedAt)),
          h('td', { className: 'num' }, b.batchMode === 'all' ? `${b.cyclesCompleted} (all)` : `${b.cyclesCompleted}/${b.maxCycles ?? '?'}`),
          h('td', { className: 'num' }, String(b.storiesDone.length)),
          h('td', { className: 'num' }, String(b.storiesBlocked.length)),
          h('td', { className: 'num' }, b.durationMs === null ? '—' : formatDuration(b.durationMs)),
          h('td', { className: 'num cost' }, formatUsd(b.usage.costUsd)),
          h('td', { attrs: { title: b.reason ?? '' } }, h('span', { className: `badge status-${b.status}` }, b.status)),
        ),
        detail,
      );
      if (expanded) this.post({ type: 'requestBatchStories', batchId: b.id });
    }
    replaceChildren(
      this.body,
      h(
        'table',
        { className: 'history-table' },
        h('thead', {}, h('tr', {}, ...['', 'Batch', 'Started', 'Ended', 'Cycles', 'Done', 'Blocked', 'Duration', 'Cost', 'Status'].map((t) => h('th', { attrs: { scope: 'col' } }, t)))),
        h('tbody', {}, ...rows),
      ),
    );
  }

  setBatchStories(batchId: number, stories: BatchStoryRow[]): void {
    const detail = this.details.get(batchId);
    if (!detail) return;
    const cell = detail.firstElementChild as HTMLElement;
    if (stories.length === 0) {
      replaceChildren(cell, h('span', { className: 'muted' }, 'No command ran in this batch.'));
      return;
    }
    replaceChildren(
      cell,
      h(
        'table',
        { className: 'batch-stories' },
        h('thead', {}, h('tr', {}, ...['Story', 'Outcome', 'Last command', 'Commands', 'Duration', 'Tokens', 'Cost'].map((t) => h('th', { attrs: { scope: 'col' } }, t)))),
        h(
          'tbody',
          {},
          ...stories.map((s) =>
            h(
              'tr',
              {},
              h('th', { attrs: { scope: 'row' } }, s.storyKey),
              h('td', {}, h('span', { className: `badge outcome-${s.outcome}` }, s.outcome)),
              h('td', {}, s.lastCommand),
              h('td', { className: 'num' }, String(s.commands)),
              h('td', { className: 'num' }, formatDuration(s.durationMs)),
              h('td', { className: 'num' }, formatTokens(totalTokens(s.usage))),
              h('td', { className: 'num cost' }, formatUsd(s.usage.costUsd)),
            ),
          ),
        ),
      ),
    );
  }

  private toggle(id: number, btn: HTMLButtonElement, detail: HTMLElement): void {
    const expanded = btn.getAttribute('aria-expanded') !== 'true';
    btn.setAttribute('aria-expanded', expanded ? 'true' : 'false');
    btn.replaceChildren(icon(expanded ? 'chevron-down' : 'chevron-right'));
    detail.hidden = !expanded;
    this.ui.expandedBatches = expanded ? [...new Set([...this.ui.expandedBatches, id])] : this.ui.expandedBatches.filter((b) => b !== id);
    this.saveUi();
    if (expanded) this.post({ type: 'requestBatchStories', batchId: id });
  }
}
