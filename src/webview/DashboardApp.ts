// The webview app: tabs, the rev-checked state stream from the host, and UI state persistence.

import type { HostMessage, WebviewMessage } from '../shared/dashboardProtocol';
import { h, icon, replaceChildren } from './element';
import { BoardTab } from './BoardTab';
import { CostsTab } from './CostsTab';
import { HistoryTab } from './HistoryTab';
import { RunTab } from './RunTab';
import { TimelineTab } from './TimelineTab';
import { TABS, restoreUiState, type TabId, type UiState } from './uiState';

/** The part of `acquireVsCodeApi()` the app uses. */
export interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: UiState): void;
}

const TAB_TITLES: Record<TabId, { title: string; icon: string }> = {
  run: { title: 'Sprint Run', icon: 'play-circle' },
  board: { title: 'Board', icon: 'project' },
  timeline: { title: 'Timeline', icon: 'history' },
  costs: { title: 'Costs', icon: 'credit-card' },
  history: { title: 'History', icon: 'archive' },
};

export class DashboardApp {
  private readonly ui: UiState;
  /** Rev of the last applied snapshot/delta; -1 before the first snapshot. */
  private rev = -1;
  private awaitingSnapshot = true;
  private readonly run: RunTab;
  private readonly board: BoardTab;
  private readonly timeline: TimelineTab;
  private readonly costs: CostsTab;
  private readonly history: HistoryTab;
  private readonly tabButtons = new Map<TabId, HTMLButtonElement>();
  private readonly panels = new Map<TabId, HTMLElement>();
  private readonly notices = h('div', { className: 'notices', attrs: { 'aria-live': 'assertive' } });
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly api: VsCodeApi,
  ) {
    this.ui = restoreUiState(api.getState());
    const post = (m: WebviewMessage) => api.postMessage(m);
    const save = () => this.saveUi();
    this.run = new RunTab(this.ui, post, save);
    this.timeline = new TimelineTab(this.ui, post, save);
    this.board = new BoardTab(this.ui, post, (key) => this.openTimeline(key), save);
    this.costs = new CostsTab();
    this.history = new HistoryTab(this.ui, post, save);
    this.panels.set('run', this.run.element).set('board', this.board.element).set('timeline', this.timeline.element).set('costs', this.costs.element).set('history', this.history.element);

    const tablist = h('div', { className: 'tabs', attrs: { role: 'tablist', 'aria-label': 'Sprint Runner dashboard' }, on: { keydown: (e) => this.onTabKey(e) } });
    for (const id of TABS) {
      const b = h(
        'button',
        {
          className: 'tab',
          attrs: { type: 'button', role: 'tab', id: `tab-${id}`, 'aria-controls': `panel-${id}` },
          on: { click: () => this.selectTab(id) },
        },
        icon(TAB_TITLES[id].icon),
        h('span', {}, TAB_TITLES[id].title),
      );
      this.tabButtons.set(id, b);
      tablist.appendChild(b);
    }
    replaceChildren(root, tablist, this.notices, ...this.panels.values());
    root.removeAttribute('aria-busy');
    this.selectTab(this.ui.tab, false);
  }

  start(): void {
    window.addEventListener('message', (e: MessageEvent<HostMessage>) => this.receive(e.data));
    setInterval(() => this.run.tick(Date.now()), 1000);
    this.api.postMessage({ type: 'ready' });
  }

  receive(m: HostMessage): void {
    switch (m.type) {
      case 'snapshot': {
        this.rev = m.rev;
        this.awaitingSnapshot = false;
        const s = m.snapshot;
        this.run.setRun(s.run);
        this.run.resetLog(s.log);
        this.board.setProblems(s.ledgerProblems);
        this.board.reset(s.stories);
        this.timeline.setStories(s.stories);
        this.costs.set(s.costs);
        this.timeline.setActivity(s.costs.activity);
        if (this.ui.tab === 'timeline' && this.ui.timelineStory) this.timeline.select(this.ui.timelineStory);
        return;
      }
      case 'history':
        this.history.setBatches(m.batches);
        return;
      case 'batchStories':
        this.history.setBatchStories(m.batchId, m.stories);
        return;
      case 'timeline':
        this.timeline.show(m.timeline);
        this.selectTab('timeline');
        return;
      case 'actionFailed':
        this.notify(m.message);
        return;
      case 'eventAppended':
      case 'logCleared':
      case 'storyChanged':
      case 'runStateChanged':
      case 'costsChanged':
        if (!this.inSequence(m.rev)) return;
        this.applyDelta(m);
        return;
    }
  }

  /** True when `rev` follows the last one; on a gap, asks for a snapshot and drops deltas until it comes. */
  private inSequence(rev: number): boolean {
    if (this.awaitingSnapshot || rev <= this.rev) return false;
    if (rev !== this.rev + 1) {
      this.awaitingSnapshot = true;
      this.api.postMessage({ type: 'requestSnapshot', lastRev: this.rev });
      return false;
    }
    this.rev = rev;
    return true;
  }

  private applyDelta(m: Extract<HostMessage, { rev: number }>): void {
    switch (m.type) {
      case 'eventAppended':
        this.run.appendLog(m.line);
        return;
      case 'logCleared':
        this.run.resetLog([]);
        return;
      case 'storyChanged':
        this.board.update(m.card);
        return;
      case 'runStateChanged':
        this.run.setRun(m.run);
        return;
      case 'costsChanged':
        this.costs.set(m.costs);
        this.timeline.setActivity(m.costs.activity);
        return;
      case 'snapshot':
        return;
    }
  }

  private openTimeline(storyKey: string): void {
    this.selectTab('timeline');
    this.timeline.select(storyKey);
  }

  private selectTab(id: TabId, focus = false): void {
    this.ui.tab = id;
    for (const [tab, b] of this.tabButtons) {
      const on = tab === id;
      b.setAttribute('aria-selected', on ? 'true' : 'false');
      b.tabIndex = on ? 0 : -1;
      this.panels.get(tab)!.hidden = !on;
      if (on && focus) b.focus();
    }
    if (id === 'run') this.run.log.renderNow();
    if (id === 'history') this.history.shown();
    this.saveUi();
  }

  /** Arrow keys move between tabs (WAI-ARIA tabs pattern). */
  private onTabKey(e: KeyboardEvent): void {
    const i = TABS.indexOf(this.ui.tab);
    let next: number | undefined;
    if (e.key === 'ArrowRight') next = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + TABS.length) % TABS.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = TABS.length - 1;
    if (next === undefined) return;
    e.preventDefault();
    this.selectTab(TABS[next], true);
  }

  private notify(message: string): void {
    const note = h('div', { className: 'notice', attrs: { role: 'alert' } }, icon('error'), h('span', {}, message));
    note.appendChild(h('button', { className: 'icon-btn', attrs: { type: 'button', 'aria-label': 'Dismiss' }, on: { click: () => note.remove() } }, icon('close')));
    this.notices.appendChild(note);
  }

  /** Coalesces bursts (scrolling) into one setState. */
  private saveUi(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.api.setState(this.ui);
    }, 100);
  }
}
