// The dashboard's view models: plain JSON the host builds and the webview renders. Nothing here is a
// live object; every string in them may come from an agent or a file and is rendered as text.

import type { EventLevel } from '../core/eventLine';
import type { RunState, BatchMode, BatchStatus } from '../core/SprintEvents';
import type { BatchRecord } from '../core/store/RunStore';
import type { BatchActivity } from './batchCharts';

export type LogLevel = EventLevel;

export interface LogLine {
  /** Stable, strictly increasing id of the line within a panel session: the key of its DOM row. */
  seq: number;
  /** Epoch ms. */
  at: number;
  /** Story short id(s) (`2a-1`, `2a-1 2a-2`), or '' for batch-level lines. */
  story: string;
  /** Command as the CSV writes it (`code-review-2`), or the event kind for non-command lines. */
  command: string;
  taskId: string;
  status: string;
  message: string;
  level: LogLevel;
  /** Longer text shown on hover (a failed gate's output, the files of a refused commit); plain text. */
  detail?: string;
}

export type BoardColumn = 'backlog' | 'ready' | 'in-progress' | 'review' | 'done' | 'blocked';

export const BOARD_COLUMNS: readonly { id: BoardColumn; title: string }[] = [
  { id: 'backlog', title: 'Backlog' },
  { id: 'ready', title: 'Ready' },
  { id: 'in-progress', title: 'In progress' },
  { id: 'review', title: 'Review' },
  { id: 'done', title: 'Done' },
  { id: 'blocked', title: 'Blocked' },
];

export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  costUsd: number;
}

export interface CurrentCommand {
  command: string;
  attempt: number;
  /** `code-review-2`, `dev-story`. */
  label: string;
  startedAt: number;
}

export interface StoryCard {
  key: string;
  shortId: string;
  title: string;
  epicId: string;
  /** Status as written in the ledger (may be a value the board does not know). */
  status: string;
  column: BoardColumn;
  /** True when `status` is not one of the ledger's known values (shown on the card, put in Backlog). */
  unknownStatus: boolean;
  current?: CurrentCommand;
  /** Sum of the finished commands' durations that covered this story. */
  durationMs: number;
  usage: UsageTotals;
  commands: number;
  blockedReason?: string;
  /** Parallel mode: the number of the lane (git worktree) the story runs in, while it is open. */
  lane?: number;
}

export interface RunView {
  state: RunState;
  /** `Running cycle 2/5`, `Paused after 2a-1 code-review#2`, `Idle`. */
  statusLine: string;
  /** Secondary line: how the last batch ended, a context refresh, a budget stop. */
  detail: string;
  batch?: {
    id: number;
    batchMode: BatchMode;
    maxCycles: number | null;
    startedAt: number;
    endedAt?: number;
    status: BatchStatus;
    cyclesCompleted: number;
  };
  cycle?: { number: number; maxCycles: number | null; storyKeys: string[]; done: string[]; blocked: string[] };
  current?: {
    storyKeys: string[];
    story: string;
    command: string;
    label: string;
    attempt: number;
    startedAt: number;
    taskId?: string;
    taskMessage?: string;
    taskStartedAt?: number;
  };
  /** The last finished command (`2a-1 code-review#2`): what a pause happened after. */
  lastFinished?: string;
  /** Parallel mode only (maxParallel > 1): lanes open now, and the most allowed. */
  lanes?: { running: number; max: number };
}

/** USD limits from the settings; a missing field means "no budget" (no progress bar is shown). */
export interface DashboardBudgets {
  storyUsd?: number;
  batchUsd?: number;
}

export interface CostRow {
  key: string;
  label: string;
  usage: UsageTotals;
  commands: number;
}

export interface CostView {
  /** The batch the rows are about (the latest one), if any. */
  batchId?: number;
  batch: UsageTotals;
  byStory: CostRow[];
  byCommand: CostRow[];
  byCycle: CostRow[];
  /** Every command the store knows about, all batches. */
  allTime: UsageTotals;
  budgets: DashboardBudgets;
  /** The latest batch's commands, usage-limit waits and forecast: the spend chart and the Gantt. */
  activity: BatchActivity;
}

export interface DashboardSnapshot {
  rev: number;
  run: RunView;
  stories: StoryCard[];
  log: LogLine[];
  /** Lines dropped from the front of the log to keep it bounded. */
  logDropped: number;
  costs: CostView;
  ledgerPath?: string;
  /** Why the board is empty or partial (missing/unreadable ledger, unknown statuses). */
  ledgerProblems: string[];
}

export interface BatchSummary extends Pick<BatchRecord, 'id' | 'startedAt' | 'endedAt' | 'batchMode' | 'maxCycles' | 'cyclesCompleted' | 'status' | 'reason'> {
  storiesDone: string[];
  storiesBlocked: string[];
  durationMs: number | null;
  usage: UsageTotals;
  commands: number;
}

export interface BatchStoryRow {
  storyKey: string;
  commands: number;
  durationMs: number;
  usage: UsageTotals;
  outcome: 'done' | 'blocked' | 'touched';
  lastCommand: string;
}

export interface TimelinePhase {
  taskId: string;
  startedAt: number;
  endedAt?: number;
  durationMs?: number;
  message: string;
}

export interface TimelineCommand {
  batchId: number;
  cycle: number;
  command: string;
  attempt: number;
  label: string;
  startedAt: number;
  endedAt: number | null;
  durationMs: number | null;
  outcome: string | null;
  usage: UsageTotals;
  logPath: string | null;
  summary: string | null;
  phases: TimelinePhase[];
}

export interface StoryTimeline {
  storyKey: string;
  commands: TimelineCommand[];
  usage: UsageTotals;
  durationMs: number;
}

export function emptyUsage(): UsageTotals {
  return { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 0 };
}

/** Adds `b` times `share` into `a` (share splits a command that covered two stories). */
export function addUsage(a: UsageTotals, b: Partial<UsageTotals> | null | undefined, share = 1): UsageTotals {
  if (!b) return a;
  a.inputTokens += (b.inputTokens ?? 0) * share;
  a.outputTokens += (b.outputTokens ?? 0) * share;
  a.cacheCreationInputTokens += (b.cacheCreationInputTokens ?? 0) * share;
  a.cacheReadInputTokens += (b.cacheReadInputTokens ?? 0) * share;
  a.costUsd += (b.costUsd ?? 0) * share;
  return a;
}

export { totalTokens } from '../core/usageShares';

/** Ledger status → board column; unknown values go to Backlog (and are flagged on the card). */
export function columnOfStatus(status: string): { column: BoardColumn; known: boolean } {
  const column = COLUMN_OF_STATUS[status];
  return column ? { column, known: true } : { column: 'backlog', known: false };
}

const COLUMN_OF_STATUS: Record<string, BoardColumn | undefined> = {
  backlog: 'backlog',
  'ready-for-dev': 'ready',
  'in-progress': 'in-progress',
  review: 'review',
  done: 'done',
  blocked: 'blocked',
};

/** `2a-1-session-scanner-and-database-sync` (short id `2a-1`) → `Session scanner and database sync`. */
export function titleOfStoryKey(key: string, shortId: string): string {
  const rest = key.startsWith(shortId) ? key.slice(shortId.length).replace(/^-+/, '') : '';
  if (!rest) return key;
  const words = rest.replace(/-+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export { formatDuration, formatUsd } from '../core/formatAmounts';

/** `1.2M`, `35.4k`, `812`. */
export function formatTokens(n: number): string {
  const r = Math.round(n);
  if (r >= 1_000_000) return `${(r / 1_000_000).toFixed(1)}M`;
  if (r >= 10_000) return `${(r / 1000).toFixed(1)}k`;
  return r.toLocaleString('en-US');
}

/** `14:32:01` in the viewer's local time. */
export function formatClock(at: number): string {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
