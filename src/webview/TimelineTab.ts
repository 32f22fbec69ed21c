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
import { button, h, icon, replaceChildren } from './element';
import type { UiState } from './uiState';

export class TimelineTab {
  readonly element: HTMLElement;
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
      h('div', { className: 'toolbar' }, h('span', { className: 'section-title' }, 'Story'), this.picker,
        button('Refresh', 'refresh', () => this.select(this.picker.value))),
      this.body,
    );
    replaceChildren(this.body, h('p', { className: 'muted' }, 'Pick a story to see its commands.'));
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
