// Board tab (Kaiban style): one column per ledger status, one card per story. A card is one DOM node
// for the story's whole life: a status change moves that node to its new column.

import type { WebviewMessage } from '../shared/dashboardProtocol';
import {
  BOARD_COLUMNS,
  formatDuration,
  formatTokens,
  formatUsd,
  totalTokens,
  type BoardColumn,
  type StoryCard,
} from '../shared/dashboardViewModels';
import { button, h, icon, replaceChildren } from './element';
import type { UiState } from './uiState';

export class BoardTab {
  readonly element: HTMLElement;
  private readonly lists = new Map<BoardColumn, HTMLElement>();
  private readonly counts = new Map<BoardColumn, HTMLElement>();
  private readonly cards = new Map<string, { el: HTMLElement; card: StoryCard }>();
  private readonly problems = h('div', { className: 'problems', attrs: { role: 'alert' } });
  private order: string[] = [];

  constructor(
    private readonly ui: UiState,
    private readonly post: (m: WebviewMessage) => void,
    private readonly showTimeline: (storyKey: string) => void,
    private readonly saveUi: () => void,
  ) {
    const columns = BOARD_COLUMNS.map(({ id, title }) => {
      const list = h('div', { className: 'cards', attrs: { role: 'list', 'aria-label': `${title} stories` } });
      const count = h('span', { className: 'count' }, '0');
      this.lists.set(id, list);
      this.counts.set(id, count);
      const collapsed = ui.collapsedColumns.includes(id);
      const toggle = h(
        'button',
        {
          className: 'column-toggle',
          attrs: { type: 'button', 'aria-expanded': !collapsed ? 'true' : 'false', 'aria-controls': `column-${id}`, title: `Collapse or expand ${title}` },
          on: { click: () => this.toggleColumn(id, col, toggle) },
        },
        icon(collapsed ? 'chevron-right' : 'chevron-down'),
        h('span', { className: 'column-title' }, title),
        count,
      );
      const col = h('div', { className: `column column-${id}${collapsed ? ' collapsed' : ''}`, attrs: { id: `column-${id}`, 'data-column': id } }, h('h3', {}, toggle), list);
      return col;
    });
    this.element = h(
      'section',
      { className: 'tab-panel board-tab', attrs: { role: 'tabpanel', id: 'panel-board', 'aria-labelledby': 'tab-board' } },
      this.problems,
      h('div', { className: 'board' }, ...columns),
    );
  }

  setProblems(problems: string[]): void {
    replaceChildren(this.problems, ...problems.map((p) => h('div', { className: 'problem' }, icon('warning'), ' ', p)));
  }

  /** A snapshot: cards not in it are removed, the rest are updated in place. */
  reset(stories: StoryCard[]): void {
    const keys = new Set(stories.map((s) => s.key));
    for (const [key, entry] of this.cards) {
      if (!keys.has(key)) {
        entry.el.remove();
        this.cards.delete(key);
      }
    }
    this.order = stories.map((s) => s.key);
    for (const s of stories) this.update(s);
  }

  update(card: StoryCard): void {
    let entry = this.cards.get(card.key);
    if (!entry) {
      entry = { el: h('div', { className: 'card', attrs: { role: 'listitem', tabindex: 0, 'data-story': card.key } }), card };
      entry.el.addEventListener('keydown', (e) => this.onCardKey(e, card.key));
      this.cards.set(card.key, entry);
      if (!this.order.includes(card.key)) this.order.push(card.key);
    }
    entry.card = card;
    this.renderCard(entry.el, card);
    const list = this.lists.get(card.column);
    if (list && entry.el.parentElement !== list) this.insertOrdered(list, entry.el, card.key);
    this.updateCounts();
  }

  private insertOrdered(list: HTMLElement, el: HTMLElement, key: string): void {
    const index = this.order.indexOf(key);
    for (const child of Array.from(list.children)) {
      const other = (child as HTMLElement).dataset.story ?? '';
      if (this.order.indexOf(other) > index) {
        list.insertBefore(el, child);
        return;
      }
    }
    list.appendChild(el);
  }

  private updateCounts(): void {
    for (const [id, list] of this.lists) this.counts.get(id)!.textContent = String(list.children.length);
  }

  private onCardKey(e: KeyboardEvent, key: string): void {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Enter') this.post({ type: 'openStory', storyKey: key });
    else if (e.key === 't') this.showTimeline(key);
  }

  private toggleColumn(id: BoardColumn, col: HTMLElement, toggle: HTMLButtonElement): void {
    const collapsed = !col.classList.contains('collapsed');
    col.classList.toggle('collapsed', collapsed);
    toggle.setAttribute('aria-expanded', collapsed ? 'false' : 'true');
    toggle.firstElementChild?.replaceWith(icon(collapsed ? 'chevron-right' : 'chevron-down'));
    this.ui.collapsedColumns = collapsed ? [...new Set([...this.ui.collapsedColumns, id])] : this.ui.collapsedColumns.filter((c) => c !== id);
    this.saveUi();
  }

  private renderCard(el: HTMLElement, c: StoryCard): void {
    el.setAttribute('aria-label', `Story ${c.shortId}: ${c.title}, ${c.status}`);
    el.dataset.column = c.column;
    el.classList.toggle('running', Boolean(c.current));
    const open = h(
      'button',
      { className: 'link story-key', attrs: { type: 'button', title: `Open ${c.key}`, 'aria-label': `Open story file ${c.key}` }, on: { click: () => this.post({ type: 'openStory', storyKey: c.key }) } },
      c.shortId,
    );
    const actions = h('div', { className: 'card-actions' });
    actions.appendChild(button('Timeline', 'history', () => this.showTimeline(c.key), { className: 'icon-btn', text: false, title: `Timeline of ${c.shortId}` }));
    if (c.column !== 'done' && c.column !== 'blocked') {
      actions.appendChild(button('Resume story', 'debug-restart', () => this.post({ type: 'resumeStory', storyKey: c.key }), { className: 'icon-btn', text: false, title: `Run starting with ${c.shortId}` }));
    }
    if (c.column === 'blocked') {
      actions.appendChild(button('Unblock', 'unlock', () => this.post({ type: 'unblockStory', storyKey: c.key }), { className: 'icon-btn', text: false, title: `Unblock ${c.shortId}` }));
    }
    replaceChildren(
      el,
      h(
        'div',
        { className: 'card-head' },
        open,
        h('span', { className: 'epic', attrs: { title: `Epic ${c.epicId}` } }, c.epicId),
        c.lane !== undefined ? h('span', { className: 'lane', attrs: { title: 'Parallel lane: the story runs in its own git worktree' } }, `lane ${c.lane}`) : null,
        actions,
      ),
      h('div', { className: 'card-title', attrs: { title: c.key } }, c.title),
      c.unknownStatus ? h('div', { className: 'card-warning' }, icon('warning'), ` Unknown status "${c.status}"`) : null,
      c.current ? h('div', { className: 'card-current' }, icon('loading', 'codicon-modifier-spin'), ` ${c.current.label}`, c.current.attempt > 1 ? ` (attempt ${c.current.attempt})` : '') : null,
      c.blockedReason ? h('div', { className: 'card-blocked', attrs: { title: c.blockedReason } }, icon('error'), ' ', c.blockedReason) : null,
      h(
        'div',
        { className: 'card-stats' },
        h('span', { attrs: { title: 'Time spent in commands' } }, icon('watch'), ` ${c.commands ? formatDuration(c.durationMs) : '—'}`),
        h('span', { attrs: { title: 'Tokens (in + out + cache)' } }, icon('symbol-number'), ` ${formatTokens(totalTokens(c.usage))}`),
        h('span', { className: 'cost', attrs: { title: 'Cost' } }, formatUsd(c.usage.costUsd)),
      ),
    );
  }
}
