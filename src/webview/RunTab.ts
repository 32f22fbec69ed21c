// Sprint Run tab: controls, status line, current command with a live timer, cycle
// progress, and the live event log with its filters.

import type { WebviewMessage } from '../shared/dashboardProtocol';
import { formatDuration, type LogLine, type RunView } from '../shared/dashboardViewModels';
import { button, h, icon, replaceChildren } from './element';
import { EventLog } from './EventLog';
import type { LevelFilter, UiState } from './uiState';

export class RunTab {
  readonly element: HTMLElement;
  readonly log: EventLog;
  private run: RunView | undefined;
  private readonly startBtn: HTMLButtonElement;
  private readonly stopBtn: HTMLButtonElement;
  private readonly pauseBtn: HTMLButtonElement;
  private readonly cyclesInput: HTMLInputElement;
  private readonly allInput: HTMLInputElement;
  private readonly statusLine = h('span', { className: 'status-line', attrs: { 'data-testid': 'status-line' } });
  private readonly statusDetail = h('span', { className: 'status-detail' });
  private readonly current = h('div', { className: 'current', attrs: { 'data-testid': 'current' } });
  private readonly timer = h('span', { className: 'timer', attrs: { 'aria-label': 'Elapsed time of the current command' } });
  private readonly progress = h('div', { className: 'cycle-progress' });
  private readonly storyFilter: HTMLSelectElement;
  private readonly commandFilter: HTMLSelectElement;
  private readonly levelFilter: HTMLSelectElement;
  private readonly autoScroll: HTMLInputElement;

  constructor(
    private readonly ui: UiState,
    private readonly post: (m: WebviewMessage) => void,
    private readonly saveUi: () => void,
  ) {
    this.startBtn = button('Start', 'play', () => this.start(), { className: 'btn primary' });
    this.stopBtn = button('Stop', 'debug-stop', () => post({ type: 'stop' }));
    this.pauseBtn = button('Pause', 'debug-pause', () => post({ type: this.run?.state === 'paused' ? 'resume' : 'pause' }));
    this.cyclesInput = h('input', {
      className: 'cycles',
      attrs: { type: 'number', min: 1, max: 999, step: 1, value: ui.cycles, 'aria-label': 'Cycles to run', id: 'cycles' },
      on: {
        change: () => {
          const n = Number(this.cyclesInput.value);
          if (Number.isInteger(n) && n >= 1 && n <= 999) {
            ui.cycles = n;
            saveUi();
          } else this.cyclesInput.value = String(ui.cycles);
        },
      },
    });
    this.allInput = h('input', {
      attrs: { type: 'checkbox', id: 'all-cycles', checked: ui.allCycles },
      on: {
        change: () => {
          ui.allCycles = this.allInput.checked;
          this.cyclesInput.disabled = ui.allCycles;
          saveUi();
        },
      },
    });
    this.cyclesInput.disabled = ui.allCycles;

    this.log = new EventLog(ui, (scrollTop, atBottom) => {
      ui.logScrollTop = scrollTop;
      if (ui.autoScroll && !atBottom) {
        ui.autoScroll = false;
        this.autoScroll.checked = false;
        this.log.setAutoScroll(false);
      }
      saveUi();
    });
    const select = (label: string, onChange: (v: string) => void) =>
      h('select', { attrs: { 'aria-label': label }, on: { change: (e) => onChange((e.target as HTMLSelectElement).value) } });
    this.storyFilter = select('Filter by story', (v) => this.setFilter({ story: v }));
    this.commandFilter = select('Filter by command', (v) => this.setFilter({ command: v }));
    this.levelFilter = select('Filter by level', (v) => this.setFilter({ level: v as LevelFilter }));
    for (const [v, t] of [['all', 'All levels'], ['warning', 'Warnings and errors'], ['error', 'Errors']] as const) {
      this.levelFilter.appendChild(h('option', { attrs: { value: v } }, t));
    }
    this.levelFilter.value = ui.filters.level;
    this.autoScroll = h('input', {
      attrs: { type: 'checkbox', id: 'auto-scroll', checked: ui.autoScroll },
      on: {
        change: () => {
          ui.autoScroll = this.autoScroll.checked;
          this.log.setAutoScroll(ui.autoScroll);
          saveUi();
        },
      },
    });
    const copy = button('Copy', 'copy', () => post({ type: 'copyText', text: this.log.text() }), { title: 'Copy the filtered log (tab-separated)' });

    this.element = h(
      'section',
      { className: 'tab-panel run-tab', attrs: { role: 'tabpanel', id: 'panel-run', 'aria-labelledby': 'tab-run' } },
      h(
        'div',
        { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Run controls' } },
        this.startBtn,
        this.stopBtn,
        this.pauseBtn,
        h('span', { className: 'spacer' }),
        h('label', { attrs: { for: 'cycles' } }, 'Cycles:'),
        this.cyclesInput,
        h('label', { className: 'check' }, this.allInput, 'All'),
      ),
      h(
        'div',
        { className: 'status-box', attrs: { role: 'status', 'aria-live': 'polite' } },
        h('div', { className: 'status-row' }, h('span', { className: 'label' }, 'Status:'), this.statusLine, this.statusDetail),
        h('div', { className: 'status-row' }, h('span', { className: 'label' }, 'Current:'), this.current, this.timer),
        this.progress,
      ),
      h(
        'div',
        { className: 'toolbar log-toolbar', attrs: { role: 'toolbar', 'aria-label': 'Event log filters' } },
        h('span', { className: 'section-title' }, 'Event log'),
        this.storyFilter,
        this.commandFilter,
        this.levelFilter,
        h('label', { className: 'check' }, this.autoScroll, 'Auto-scroll'),
        copy,
      ),
      this.log.element,
    );
    this.renderRun();
  }

  setRun(run: RunView): void {
    this.run = run;
    this.renderRun();
  }

  resetLog(lines: LogLine[]): void {
    this.log.reset(lines);
    this.refreshFacets();
  }

  appendLog(line: LogLine): void {
    this.log.append(line);
    if (line.story && !this.hasOption(this.storyFilter, line.story.split(' ')[0])) this.refreshFacets();
    else if (line.command && !this.hasOption(this.commandFilter, line.command.replace(/-\d+$/, ''))) this.refreshFacets();
  }

  /** Called every second: the live timers. */
  tick(now: number): void {
    const c = this.run?.current;
    if (!c) {
      this.timer.textContent = '';
      return;
    }
    const task = c.taskStartedAt !== undefined && c.taskId ? ` · ${c.taskId} ${formatDuration(now - c.taskStartedAt)}` : '';
    this.timer.textContent = `${formatDuration(now - c.startedAt)}${task}`;
  }

  private hasOption(select: HTMLSelectElement, value: string): boolean {
    for (const o of Array.from(select.options)) if (o.value === value) return true;
    return false;
  }

  private refreshFacets(): void {
    const { stories, commands } = this.log.facets();
    const fill = (sel: HTMLSelectElement, all: string, values: string[], current: string) => {
      replaceChildren(sel, h('option', { attrs: { value: '' } }, all), ...values.map((v) => h('option', { attrs: { value: v } }, v)));
      if (current && !values.includes(current)) sel.appendChild(h('option', { attrs: { value: current } }, current));
      sel.value = current;
    };
    fill(this.storyFilter, 'All stories', stories, this.ui.filters.story);
    fill(this.commandFilter, 'All commands', commands, this.ui.filters.command);
  }

  private setFilter(patch: Partial<UiState['filters']>): void {
    Object.assign(this.ui.filters, patch);
    this.log.setFilters(this.ui.filters);
    this.saveUi();
  }

  private start(): void {
    this.post({ type: 'startRun', cycles: this.ui.allCycles ? 'all' : this.ui.cycles });
  }

  private renderRun(): void {
    const run = this.run;
    const state = run?.state ?? 'idle';
    this.startBtn.disabled = !run || state !== 'idle';
    this.stopBtn.disabled = state === 'idle' || state === 'stopping';
    this.pauseBtn.disabled = state !== 'running' && state !== 'paused';
    const paused = state === 'paused';
    replaceChildren(this.pauseBtn, icon(paused ? 'debug-continue' : 'debug-pause'), h('span', { className: 'btn-label' }, paused ? 'Resume' : 'Pause'));
    this.pauseBtn.setAttribute('aria-label', paused ? 'Resume' : 'Pause');
    this.pauseBtn.title = paused ? 'Resume' : 'Pause after the current step';
    this.statusLine.textContent = run?.statusLine ?? 'Connecting…';
    this.statusLine.dataset.state = state;
    this.statusDetail.textContent = run?.detail ? ` — ${run.detail}` : '';
    const c = run?.current;
    if (c) {
      replaceChildren(
        this.current,
        icon('loading', 'codicon-modifier-spin'),
        ` ${c.story} ${c.label}`,
        c.taskId ? ` (${c.taskId})` : '',
        c.taskMessage ? h('span', { className: 'muted' }, ` — ${c.taskMessage}`) : null,
      );
    } else {
      replaceChildren(this.current, h('span', { className: 'muted' }, '—'));
    }
    this.tick(Date.now());
    const cyc = run?.cycle;
    const batch = run?.batch;
    // Parallel mode (maxParallel > 1): how many stories run in their own worktree now.
    const lanes = run?.lanes
      ? h('span', { className: 'lanes', attrs: { 'data-testid': 'lanes', title: `Up to ${run.lanes.max} stories run in parallel, each in its own git worktree` } }, ` · Lanes: ${run.lanes.running} running`)
      : null;
    if (cyc || batch) {
      const max = cyc?.maxCycles ?? batch?.maxCycles ?? null;
      const completed = batch?.cyclesCompleted ?? 0;
      const bar = h('progress', { attrs: { 'aria-label': 'Cycles completed' } });
      if (max !== null) {
        bar.max = max;
        bar.value = Math.min(max, completed);
      }
      replaceChildren(
        this.progress,
        h('span', { className: 'label' }, 'Cycles:'),
        bar,
        h('span', {}, max === null ? `${completed} completed (all)` : `${completed}/${max} completed`),
        cyc ? h('span', { className: 'muted' }, ` · cycle ${cyc.number}: ${cyc.storyKeys.length} stories, ${cyc.done.length} done, ${cyc.blocked.length} blocked`) : null,
        lanes,
      );
    } else {
      replaceChildren(this.progress, lanes);
    }
  }
}
