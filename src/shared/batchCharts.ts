// The latest batch's activity as pictures: cumulative spend against the forecast and the budget (Costs
// tab) and a Gantt of its commands and usage-limit waits (Timeline tab). Pure: the host keeps the
// activity, these functions turn it into points and bars in a fixed SVG coordinate space, and the
// webview only draws them. Every label here may carry agent or file text; it is rendered as text.

import { formatDuration, formatUsd } from '../core/formatAmounts';
import { shortIdOf } from '../core/ledger/storyKeys';

/** One command of the batch as the charts need it. `endedAt` is missing while it runs. */
export interface ActivityCommand {
  stepKey: string;
  cycle: number;
  command: string;
  attempt: number;
  storyKeys: string[];
  /** Parallel mode: the lane number the command ran in (none for work in the main checkout). */
  lane?: number;
  startedAt: number;
  endedAt?: number;
  outcome?: string;
  costUsd: number;
}

/** A usage-limit wait: from its first `limit:wait` event to its `over` event (missing while waiting). */
export interface ActivityWait {
  stepKey: string;
  storyKeys: string[];
  lane?: number;
  startedAt: number;
  endedAt?: number;
  resetsAt: number;
  limitType?: string;
}

export interface BatchActivity {
  startedAt?: number;
  endedAt?: number;
  /** The `batch:forecast` event's `nextBatchUsd` for this batch. */
  forecastUsd?: number;
  commands: ActivityCommand[];
  waits: ActivityWait[];
}

export function emptyActivity(): BatchActivity {
  return { commands: [], waits: [] };
}

/** The SVG's coordinate space (viewBox); the plot sits inside the margins. */
export const CHART = { width: 640, height: 220, left: 56, right: 16, top: 12, bottom: 28 } as const;
export const GANTT = { width: 900, left: 120, right: 16, top: 8, rowHeight: 26, barHeight: 16, axis: 22 } as const;

export interface SpendPoint {
  at: number;
  usd: number;
  x: number;
  y: number;
}

export interface ChartLine {
  usd: number;
  y: number;
  label: string;
}

export interface SpendChart {
  points: SpendPoint[];
  totalUsd: number;
  forecast?: ChartLine;
  budget?: ChartLine;
  yTicks: ChartLine[];
  xStart: number;
  xEnd: number;
  /** The chart's text alternative: what the picture shows, in numbers. */
  summary: string;
}

/**
 * Cumulative spend: a point at the batch's start (0) and one at each finished command's end, so the
 * last point is the batch total. `now` closes the x range while the batch runs.
 */
export function spendChartOf(a: BatchActivity, budgetUsd: number | undefined, now: number): SpendChart {
  const ended = a.commands.filter((c): c is ActivityCommand & { endedAt: number } => c.endedAt !== undefined).sort((p, q) => p.endedAt - q.endedAt);
  const start = firstMoment(a, now);
  const end = Math.max(start + 1, a.endedAt ?? now, ...ended.map((c) => c.endedAt));
  let usd = 0;
  const raw = [{ at: start, usd: 0 }, ...ended.map((c) => ({ at: c.endedAt, usd: (usd += c.costUsd) }))];
  const top = niceCeiling(Math.max(usd, a.forecastUsd ?? 0, budgetUsd ?? 0) * 1.05);
  const plotW = CHART.width - CHART.left - CHART.right;
  const plotH = CHART.height - CHART.top - CHART.bottom;
  const xOf = (at: number) => round(CHART.left + ((at - start) / (end - start)) * plotW);
  const yOf = (v: number) => round(CHART.top + plotH - (v / top) * plotH);
  const line = (v: number, what: string): ChartLine => ({ usd: v, y: yOf(v), label: `${what} ${formatUsd(v)}` });
  const forecast = a.forecastUsd !== undefined ? line(a.forecastUsd, 'Forecast') : undefined;
  const budget = budgetUsd !== undefined ? line(budgetUsd, 'Budget') : undefined;
  const parts = [`Spent ${formatUsd(usd)} over ${ended.length} finished command${ended.length === 1 ? '' : 's'} in ${formatDuration(end - start)}`];
  if (forecast) parts.push(`forecast ${formatUsd(forecast.usd)} (${percent(usd, forecast.usd)} of it spent)`);
  if (budget) parts.push(`batch budget ${formatUsd(budget.usd)} (${percent(usd, budget.usd)} used)`);
  return {
    points: raw.map((p) => ({ ...p, x: xOf(p.at), y: yOf(p.usd) })),
    totalUsd: usd,
    forecast,
    budget,
    yTicks: [0, 0.5, 1].map((f) => ({ usd: top * f, y: yOf(top * f), label: formatUsd(top * f) })),
    xStart: start,
    xEnd: end,
    summary: `${parts.join('; ')}.`,
  };
}

export type GanttBarKind = 'command' | 'wait';

export interface GanttBar {
  kind: GanttBarKind;
  /** success / agent-failure / transient / permanent / cancelled / running, or `wait`. */
  outcome: string;
  attempt: number;
  x: number;
  width: number;
  startedAt: number;
  endedAt?: number;
  /** What the bar says to a screen reader and on hover: command, attempt, duration, outcome. */
  title: string;
  /** The short text drawn inside the bar when it fits (`code-review #2`; in lanes `2a-1 dev-story`). */
  text: string;
}

export interface GanttRow {
  /** Story key, or `lane-N` / `main` in parallel mode. */
  key: string;
  label: string;
  y: number;
  bars: GanttBar[];
}

export interface Gantt {
  rows: GanttRow[];
  height: number;
  xStart: number;
  xEnd: number;
  /** Counts for the text alternative. */
  summary: string;
}

/**
 * One row per story (a command that covered two stories is a bar in both rows), or per lane in
 * parallel mode (work outside any lane is the `main` row). Waits are bars of their own kind.
 * `label` names a story (its short id unless told otherwise).
 */
export function ganttOf(a: BatchActivity, opts: { byLane?: boolean; now: number; label?: (storyKey: string) => string }): Gantt {
  const label = opts.label ?? shortIdOf;
  /** Parallel mode shows lanes: any command that ran in a lane says so. */
  const byLane = opts.byLane ?? (a.commands.some((c) => c.lane !== undefined) || a.waits.some((w) => w.lane !== undefined));
  const start = firstMoment(a, opts.now);
  const endOf = (t: { endedAt?: number }) => t.endedAt ?? Math.max(opts.now, a.endedAt ?? 0);
  const end = Math.max(start + 1, a.endedAt ?? opts.now, ...a.commands.map(endOf), ...a.waits.map(endOf));
  const plotW = GANTT.width - GANTT.left - GANTT.right;
  const xOf = (at: number) => round(GANTT.left + ((Math.min(Math.max(at, start), end) - start) / (end - start)) * plotW);
  const rows = new Map<string, GanttRow>();
  const rowsOf = (t: { storyKeys: string[]; lane?: number }): GanttRow[] => {
    const keys = byLane
      ? [[t.lane === undefined ? 'main' : `lane-${t.lane}`, t.lane === undefined ? 'Main checkout' : `Lane ${t.lane}`]]
      : t.storyKeys.map((k) => [k, label(k)]);
    return keys.map(([key, name]) => {
      let r = rows.get(key);
      if (!r) rows.set(key, (r = { key, label: name, y: 0, bars: [] }));
      return r;
    });
  };
  const bar = (kind: GanttBarKind, t: { startedAt: number; endedAt?: number }, outcome: string, attempt: number, title: string, text: string): GanttBar => {
    const x = xOf(t.startedAt);
    return { kind, outcome, attempt, x, width: Math.max(2, xOf(endOf(t)) - x), startedAt: t.startedAt, endedAt: t.endedAt, title, text };
  };
  for (const c of [...a.commands].sort((p, q) => p.startedAt - q.startedAt)) {
    const outcome = c.endedAt === undefined ? 'running' : (c.outcome ?? 'unknown');
    const took = c.endedAt === undefined ? `running for ${formatDuration(opts.now - c.startedAt)}` : formatDuration(c.endedAt - c.startedAt);
    const title = `${c.storyKeys.map(label).join(' ')} ${c.command}, attempt ${c.attempt}: ${took}, ${outcome}, ${formatUsd(c.costUsd)}`;
    const text = `${byLane ? `${c.storyKeys.map(label).join(' ')} ` : ''}${c.command}${c.attempt > 1 ? ` #${c.attempt}` : ''}`;
    for (const r of rowsOf(c)) r.bars.push(bar('command', c, outcome, c.attempt, title, text));
  }
  for (const w of a.waits) {
    const took = w.endedAt === undefined ? `waiting until ${new Date(w.resetsAt).toISOString().slice(11, 16)} UTC` : formatDuration(w.endedAt - w.startedAt);
    const title = `${w.storyKeys.map(label).join(' ')} usage limit wait${w.limitType ? ` (${w.limitType})` : ''}: ${took}`;
    for (const r of rowsOf(w)) r.bars.push(bar('wait', w, 'wait', 0, title, ''));
  }
  const ordered = [...rows.values()];
  if (byLane) ordered.sort((p, q) => (p.key === 'main' ? -1 : q.key === 'main' ? 1 : p.key.localeCompare(q.key, 'en', { numeric: true })));
  ordered.forEach((r, i) => (r.y = GANTT.top + i * GANTT.rowHeight));
  const commands = a.commands.length;
  const retries = a.commands.filter((c) => c.attempt > 1).length;
  const failed = a.commands.filter((c) => c.endedAt !== undefined && c.outcome !== 'success').length;
  return {
    rows: ordered,
    height: GANTT.top + ordered.length * GANTT.rowHeight + GANTT.axis,
    xStart: start,
    xEnd: end,
    summary: `${commands} command${commands === 1 ? '' : 's'} in ${ordered.length} ${byLane ? 'lane' : 'stor'}${ordered.length === 1 ? (byLane ? '' : 'y') : byLane ? 's' : 'ies'} over ${formatDuration(end - start)}: ${retries} retr${retries === 1 ? 'y' : 'ies'}, ${failed} not successful, ${a.waits.length} usage-limit wait${a.waits.length === 1 ? '' : 's'}.`,
  };
}

/** The batch's start, or its first command's when a resumed batch says it started later. */
function firstMoment(a: BatchActivity, now: number): number {
  return Math.min(a.startedAt ?? now, now, ...a.commands.map((c) => c.startedAt), ...a.waits.map((w) => w.startedAt));
}

/** A round amount (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at least `v`, and at least $1. */
export function niceCeiling(v: number): number {
  if (!(v > 1)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v - 1e-9) return m * p;
  return 10 * p;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 100)}%` : '—';
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
