// Batch Gantt: one row per story (per lane in parallel mode), a bar per command coloured by outcome,
// retries marked and usage-limit waits as bars of their own; every bar is focusable and says what it is.
// Story timeline: a story's commands with durations, outcome, cost and the task-id phases from the
// progress log, with a link to each command's raw log.

import type { WebviewMessage } from '../shared/dashboardProtocol';
import {
  formatClock,
  formatDuration,
  formatTokens,
  formatUsd,
  totalTokens,
  type StoryCard,
  type StoryTimeline,
} from '../shared/dashboardViewModels';
import { GANTT, ganttOf, type BatchActivity, type Gantt, type GanttBar } from '../shared/batchCharts';
import { button, h, icon, replaceChildren } from './element';
import { s } from './svg';
import type { UiState } from './uiState';

/** Outcome → a CSS class name (agent-failure, transient…; anything unexpected reads as `unknown`). */
function outcomeClass(outcome: string): string {
  return /^[a-z-]{1,30}$/.test(outcome) ? outcome : 'unknown';
}

/** The bar's text when it fits (about 6 units a character), else its attempt number, else nothing. */
function barText(b: GanttBar): string {
  if (b.kind !== 'command') return '';
  if (b.text.length * 6 + 6 <= b.width) return b.text;
  return b.attempt > 1 && b.width >= 22 ? `#${b.attempt}` : '';
}

export function ganttSvg(g: Gantt): SVGSVGElement {
  const right = GANTT.width - GANTT.right;
  const axisY = g.height - GANTT.axis;
  const barTop = (GANTT.rowHeight - GANTT.barHeight) / 2;
  return s(
    'svg',
    { class: 'gantt', viewBox: `0 0 ${GANTT.width} ${g.height}`, role: 'group', 'aria-label': g.summary, 'data-testid': 'gantt' },
    s('title', {}, g.summary),
    ...g.rows.map((r, i) =>
      s(
        'g',
        { class: `gantt-row${i % 2 ? ' odd' : ''}`, 'data-row': r.key },
        s('rect', { class: 'gantt-band', x: 0, y: r.y, width: GANTT.width, height: GANTT.rowHeight }),
        s('text', { class: 'gantt-label', x: GANTT.left - 8, y: r.y + GANTT.rowHeight / 2 + 4, 'text-anchor': 'end' }, r.label),
        ...r.bars.map((b) => {
          const y = r.y + barTop + (b.kind === 'wait' ? GANTT.barHeight / 4 : 0);
          const height = b.kind === 'wait' ? GANTT.barHeight / 2 : GANTT.barHeight;
          const cls = b.kind === 'wait' ? 'gantt-bar gantt-wait' : `gantt-bar outcome-${outcomeClass(b.outcome)}${b.attempt > 1 ? ' retry' : ''}`;
          return s(
            'g',
            { class: cls, tabindex: 0, role: 'img', 'aria-label': b.title, 'data-kind': b.kind, 'data-outcome': b.outcome },
            s('title', {}, b.title),
            s('rect', { x: b.x, y, width: b.width, height, rx: 2 }),
            barText(b) ? s('text', { class: 'gantt-text', x: b.x + 3, y: y + GANTT.barHeight - 4 }, barText(b)) : null,
          );
        }),
      ),
    ),
    s('g', { class: 'chart-axis' },
      s('line', { x1: GANTT.left, x2: right, y1: axisY, y2: axisY }),
      s('text', { x: GANTT.left, y: axisY + 16 }, formatClock(g.xStart)),
      s('text', { x: right, y: axisY + 16, 'text-anchor': 'end' }, formatClock(g.xEnd)),
    ),
  );
}

export class TimelineTab {
  readonly element: HTMLElement;
  private readonly gantt = h('figure', { className: 'chart gantt-figure' });
  private liveTimer: ReturnType<typeof setInterval> | undefined;
  private readonly picker: HTMLSelectElement;
  private readonly body = h('div', { className: 'timeline', attrs: { 'aria-live': 'polite' } });

  constructor(
    private readonly ui: UiState,
    private readonly post: (m: WebviewMessage) => void,
    private readonly saveUi: () => void,
  ) {
    this.picker = h('select', {
      attrs: { 'aria-label': 'Story' },
      on: { change: () => this.select(this.picker.value) },
    });
    this.element = h(
      'section',
      { className: 'tab-panel timeline-tab', attrs: { role: 'tabpanel', id: 'panel-timeline', 'aria-labelledby': 'tab-timeline' } },
      this.gantt,
      h('div', { className: 'toolbar' }, h('span', { className: 'section-title' }, 'Story'), this.picker,
        button('Refresh', 'refresh', () => this.select(this.picker.value))),
      this.body,
    );
    replaceChildren(this.body, h('p', { className: 'muted' }, 'Pick a story to see its commands.'));
  }

  /** The latest batch as a Gantt; the bar that had the focus keeps it across a redraw. */
  setActivity(activity: BatchActivity): void {
    this.keepLive(activity);
    const focused = document.activeElement;
    const wasBar = focused instanceof SVGElement && this.gantt.contains(focused) ? Array.prototype.indexOf.call(this.gantt.querySelectorAll('.gantt-bar'), focused) : -1;
    if (activity.commands.length === 0 && activity.waits.length === 0) {
      replaceChildren(this.gantt, h('figcaption', { className: 'muted' }, 'The batch chart appears once a command has started.'));
      return;
    }
    replaceChildren(
      this.gantt,
      h('figcaption', { className: 'section-title' }, 'This batch'),
      ganttSvg(ganttOf(activity, { now: Date.now() })),
      h('div', { className: 'chart-legend' }, ...['success', 'agent-failure', 'transient', 'permanent', 'cancelled', 'running'].map((o) => h('span', { className: `key key-${o}` }, o)),
        h('span', { className: 'key key-retry' }, 'retry (#attempt)'), h('span', { className: 'key key-wait' }, 'usage-limit wait')),
    );
    const bars = this.gantt.querySelectorAll<SVGElement>('.gantt-bar');
    if (wasBar >= 0 && bars[Math.min(wasBar, bars.length - 1)]) bars[Math.min(wasBar, bars.length - 1)].focus();
  }

  /** While a command runs or a limit is waited out, its bar grows: the chart is redrawn every 15 s. */
  private keepLive(activity: BatchActivity): void {
    const open = activity.endedAt === undefined && [...activity.commands, ...activity.waits].some((t) => t.endedAt === undefined);
    if (open) {
      if (this.liveTimer !== undefined) clearInterval(this.liveTimer);
      this.liveTimer = setInterval(() => this.setActivity(activity), 15_000);
    } else if (this.liveTimer !== undefined) {
      clearInterval(this.liveTimer);
      this.liveTimer = undefined;
    }
  }

  setStories(cards: StoryCard[]): void {
    const current = this.ui.timelineStory;
    replaceChildren(
      this.picker,
      h('option', { attrs: { value: '' } }, '— choose a story —'),
      ...cards.map((c) => h('option', { attrs: { value: c.key } }, `${c.shortId} · ${c.title}`)),
    );
    this.picker.value = current;
  }

  select(storyKey: string): void {
    this.ui.timelineStory = storyKey;
    this.picker.value = storyKey;
    this.saveUi();
    if (!storyKey) return;
    replaceChildren(this.body, h('p', { className: 'muted' }, icon('loading', 'codicon-modifier-spin'), ' Loading…'));
    this.post({ type: 'requestTimeline', storyKey });
  }

  show(t: StoryTimeline): void {
    this.ui.timelineStory = t.storyKey;
    this.picker.value = t.storyKey;
    if (t.commands.length === 0) {
      replaceChildren(this.body, h('p', { className: 'muted' }, `No command has run for ${t.storyKey} yet.`));
      return;
    }
    const rows = t.commands.map((c) =>
      h(
        'li',
        { className: `tl-command outcome-${c.outcome ?? 'running'}` },
        h(
          'div',
          { className: 'tl-head' },
          h('span', { className: 'tl-label' }, c.label),
          h('span', { className: 'muted' }, ` batch #${c.batchId} · cycle ${c.cycle} · ${formatClock(c.startedAt)}`),
          h('span', { className: 'tl-outcome' }, c.outcome ?? 'running'),
          h('span', {}, c.durationMs === null ? '—' : formatDuration(c.durationMs)),
          h('span', {}, `${formatTokens(totalTokens(c.usage))} tok`),
          h('span', { className: 'cost' }, formatUsd(c.usage.costUsd)),
          c.logPath
            ? button('Open raw log', 'output', () => this.post({ type: 'openLog', path: c.logPath! }), { className: 'icon-btn', text: false, title: c.logPath })
            : null,
        ),
        c.phases.length
          ? h(
              'ol',
              { className: 'tl-phases', attrs: { 'aria-label': `Phases of ${c.label}` } },
              ...c.phases.map((p) =>
                h(
                  'li',
                  { className: p.endedAt === undefined ? 'open' : '' },
                  h('span', { className: 'tl-task' }, p.taskId),
                  h('span', { className: 'tl-dur' }, p.durationMs === undefined ? 'open' : formatDuration(p.durationMs)),
                  h('span', { className: 'muted tl-msg' }, p.message),
                ),
              ),
            )
          : null,
        c.summary ? h('div', { className: 'muted tl-summary' }, c.summary) : null,
      ),
    );
    replaceChildren(
      this.body,
      h('div', { className: 'tl-total' }, `${t.commands.length} commands · ${formatDuration(t.durationMs)} · ${formatTokens(totalTokens(t.usage))} tokens · ${formatUsd(t.usage.costUsd)}`),
      h('ol', { className: 'tl-commands', attrs: { 'aria-label': `Commands of ${t.storyKey}` } }, ...rows),
    );
  }
}
