// The live event log: a virtualised list. Only the rows in view (plus a margin) exist in the DOM; a row
// is keyed by its line's `seq`, so appending never re-creates rows that stay in view.

import { MAX_LOG_LINES } from '../shared/DashboardModel';
import { formatClock, type LogLine } from '../shared/dashboardViewModels';
import { h } from './element';
import type { UiState } from './uiState';

export const LOG_ROW_HEIGHT = 22;
const OVERSCAN = 10;

type Filters = UiState['filters'];

function passes(line: LogLine, f: Filters): boolean {
  if (f.story && !line.story.split(' ').includes(f.story)) return false;
  if (f.command && line.command.replace(/-\d+$/, '') !== f.command) return false;
  if (f.level === 'error' && line.level !== 'error') return false;
  if (f.level === 'warning' && line.level === 'info') return false;
  return true;
}

export class EventLog {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private lines: LogLine[] = [];
  /** Indexes into `lines` of the lines that pass the filters. */
  private visible: number[] = [];
  private offset = 0;
  private readonly rows = new Map<number, HTMLElement>();
  private frame = 0;
  private filters: Filters;
  private autoScroll: boolean;
  /** Set while the log scrolls itself, so that scroll does not turn auto-scroll off. */
  private selfScroll = false;

  constructor(
    ui: UiState,
    private readonly onScrollChanged: (scrollTop: number, atBottom: boolean) => void,
  ) {
    this.filters = { ...ui.filters };
    this.autoScroll = ui.autoScroll;
    this.spacer = h('div', { className: 'log-spacer', attrs: { role: 'presentation' } });
    this.viewport = h(
      'div',
      {
        className: 'log-viewport',
        attrs: { role: 'log', 'aria-live': 'off', 'aria-label': 'Event log', tabindex: 0 },
        on: { scroll: () => this.onScroll() },
      },
      this.spacer,
    );
    const header = h(
      'div',
      { className: 'log-row log-header', attrs: { role: 'row', 'aria-hidden': 'true' } },
      ...['Time', 'Story', 'Command', 'Task', 'Status', 'Message'].map((t) => h('span', { className: `log-cell log-${t.toLowerCase()}` }, t)),
    );
    // Gate output, a refused commit's reason, a lane's worktree: shown whole below the log when its row
    // is clicked (or Enter), as text (textContent) — a title attribute alone hid it behind a hover.
    this.detailText = h('pre', { className: 'log-detail-text', attrs: { 'data-testid': 'log-detail-text' } });
    this.detailPane = h(
      'div',
      { className: 'log-detail', attrs: { role: 'region', 'aria-label': 'Event details', 'data-testid': 'log-detail', hidden: true } },
      h('button', { className: 'log-detail-close', attrs: { type: 'button', 'aria-label': 'Close details', title: 'Close' }, on: { click: () => this.hideDetail() } }, '×'),
      this.detailText,
    );
    this.element = h('div', { className: 'log' }, header, this.viewport, this.detailPane);
    this.pendingScrollTop = ui.autoScroll ? undefined : ui.logScrollTop;
  }

  private readonly detailPane: HTMLElement;
  private readonly detailText: HTMLElement;

  private showDetail(l: LogLine): void {
    this.detailText.textContent = `${formatClock(l.at)}  ${[l.story, l.command, l.status].filter(Boolean).join(' · ')}\n${l.message}\n\n${l.detail ?? ''}`;
    this.detailPane.hidden = false;
  }

  private hideDetail(): void {
    this.detailPane.hidden = true;
    this.detailText.textContent = '';
  }

  private pendingScrollTop: number | undefined;

  /** Replaces every line (a snapshot). */
  reset(lines: LogLine[]): void {
    this.lines = lines.slice(-MAX_LOG_LINES);
    this.offset = 0;
    for (const row of this.rows.values()) row.remove();
    this.rows.clear();
    this.refilter();
  }

  append(line: LogLine): void {
    this.lines.push(line);
    if (passes(line, this.filters)) this.visible.push(this.offset + this.lines.length - 1);
    if (this.lines.length > MAX_LOG_LINES + 1000) this.trim();
    this.schedule();
  }

  setFilters(filters: Filters): void {
    this.filters = { ...filters };
    for (const row of this.rows.values()) row.remove();
    this.rows.clear();
    this.refilter();
  }

  setAutoScroll(on: boolean): void {
    this.autoScroll = on;
    if (on) this.schedule();
  }

  /** Stories and commands seen in the log (for the filter pickers). */
  facets(): { stories: string[]; commands: string[] } {
    const stories = new Set<string>();
    const commands = new Set<string>();
    for (const l of this.lines) {
      for (const s of l.story.split(' ')) if (s) stories.add(s);
      if (l.command) commands.add(l.command.replace(/-\d+$/, ''));
    }
    return { stories: [...stories].sort(), commands: [...commands].sort() };
  }

  /** The lines that pass the filters, tab-separated, for the clipboard. */
  text(): string {
    return this.visible
      .map((i) => this.lines[i - this.offset])
      .map((l) => [new Date(l.at).toISOString(), l.story, l.command, l.taskId, l.status, l.detail ? `${l.message} ${JSON.stringify(l.detail)}` : l.message].join('\t'))
      .join('\n');
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /** Renders now (the tab became visible, or a caller needs the DOM current). */
  renderNow(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.render();
  }

  private trim(): void {
    const drop = this.lines.length - MAX_LOG_LINES;
    this.lines.splice(0, drop);
    this.offset += drop;
    this.visible = this.visible.filter((i) => i >= this.offset);
  }

  private refilter(): void {
    this.visible = [];
    for (let i = 0; i < this.lines.length; i++) if (passes(this.lines[i], this.filters)) this.visible.push(this.offset + i);
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private onScroll(): void {
    if (this.selfScroll) {
      this.selfScroll = false;
    } else {
      const atBottom = this.viewport.scrollTop + this.viewport.clientHeight >= this.viewport.scrollHeight - LOG_ROW_HEIGHT;
      this.onScrollChanged(this.viewport.scrollTop, atBottom);
    }
    this.schedule();
  }

  private render(): void {
    const total = this.visible.length;
    this.spacer.style.height = `${total * LOG_ROW_HEIGHT}px`;
    const height = this.viewport.clientHeight;
    if (height === 0) return; // hidden tab: rendered when shown
    if (this.autoScroll) {
      const bottom = Math.max(0, total * LOG_ROW_HEIGHT - height);
      if (Math.abs(this.viewport.scrollTop - bottom) > 1) {
        this.selfScroll = true;
        this.viewport.scrollTop = bottom;
      }
    } else if (this.pendingScrollTop !== undefined) {
      this.viewport.scrollTop = this.pendingScrollTop;
      this.pendingScrollTop = undefined;
    }
    const top = this.viewport.scrollTop;
    const first = Math.max(0, Math.floor(top / LOG_ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(total, Math.ceil((top + height) / LOG_ROW_HEIGHT) + OVERSCAN);
    const keep = new Set<number>();
    for (let v = first; v < last; v++) {
      const line = this.lines[this.visible[v] - this.offset];
      keep.add(line.seq);
      let row = this.rows.get(line.seq);
      if (!row) {
        row = this.rowOf(line);
        this.rows.set(line.seq, row);
        this.spacer.appendChild(row);
      }
      const y = `${v * LOG_ROW_HEIGHT}px`;
      if (row.style.top !== y) row.style.top = y;
      row.setAttribute('aria-rowindex', String(v + 1));
    }
    for (const [seq, row] of this.rows) {
      if (!keep.has(seq)) {
        row.remove();
        this.rows.delete(seq);
      }
    }
  }

  private rowOf(l: LogLine): HTMLElement {
    const cell = (cls: string, text: string) => h('span', { className: `log-cell ${cls}`, attrs: { role: 'cell' } }, text);
    const message = cell('log-message', l.message);
    // Gate output and file lists: the hover text too (a title attribute is text, never markup).
    message.title = l.detail ? `${l.message}\n\n${l.detail}` : l.message;
    const detail = l.detail
      ? {
          attrs: { role: 'row', 'data-seq': l.seq, tabindex: 0, 'aria-haspopup': 'true', 'aria-description': 'Enter shows the details below the log' },
          on: {
            click: () => this.showDetail(l),
            keydown: (e: Event) => {
              if ((e as KeyboardEvent).key === 'Enter') this.showDetail(l);
            },
          },
        }
      : { attrs: { role: 'row', 'data-seq': l.seq } };
    return h(
      'div',
      {
        className: `log-row level-${l.level} status-${l.status.replace(/[^a-z-]/gi, '')}${l.detail ? ' has-detail' : ''}`,
        ...detail,
      },
      cell('log-time', formatClock(l.at)),
      cell('log-story', l.story),
      cell('log-command', l.command),
      cell('log-task', l.taskId),
      cell('log-status', l.status),
      message,
    );
  }
}
