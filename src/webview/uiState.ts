// What the webview remembers across reloads through `getState/setState`: where the operator was
// looking, never the sprint's data (that always comes from the host's snapshot).

export const TABS = ['run', 'board', 'timeline', 'costs', 'history'] as const;
export type TabId = (typeof TABS)[number];
export type LevelFilter = 'all' | 'warning' | 'error';

export interface UiState {
  tab: TabId;
  filters: { story: string; command: string; level: LevelFilter };
  autoScroll: boolean;
  /** Scroll offset of the event log in px (restored when auto-scroll is off). */
  logScrollTop: number;
  /** Board columns the operator collapsed. */
  collapsedColumns: string[];
  /** History batches whose stories are shown. */
  expandedBatches: number[];
  timelineStory: string;
  cycles: number;
  allCycles: boolean;
}

export function defaultUiState(): UiState {
  return {
    tab: 'run',
    filters: { story: '', command: '', level: 'all' },
    autoScroll: true,
    logScrollTop: 0,
    collapsedColumns: [],
    expandedBatches: [],
    timelineStory: '',
    cycles: 2,
    allCycles: false,
  };
}

/** Takes what a previous version stored and keeps only well-formed fields. */
export function restoreUiState(raw: unknown): UiState {
  const s = defaultUiState();
  if (typeof raw !== 'object' || raw === null) return s;
  const r = raw as Record<string, unknown>;
  if (typeof r.tab === 'string' && (TABS as readonly string[]).includes(r.tab)) s.tab = r.tab as TabId;
  const f = r.filters as Record<string, unknown> | undefined;
  if (f && typeof f === 'object') {
    if (typeof f.story === 'string') s.filters.story = f.story;
    if (typeof f.command === 'string') s.filters.command = f.command;
    if (f.level === 'all' || f.level === 'warning' || f.level === 'error') s.filters.level = f.level;
  }
  if (typeof r.autoScroll === 'boolean') s.autoScroll = r.autoScroll;
  if (typeof r.logScrollTop === 'number' && r.logScrollTop >= 0) s.logScrollTop = r.logScrollTop;
  if (Array.isArray(r.collapsedColumns)) s.collapsedColumns = r.collapsedColumns.filter((x): x is string => typeof x === 'string');
  if (Array.isArray(r.expandedBatches)) s.expandedBatches = r.expandedBatches.filter((x): x is number => Number.isInteger(x));
  if (typeof r.timelineStory === 'string') s.timelineStory = r.timelineStory;
  if (Number.isInteger(r.cycles) && (r.cycles as number) >= 1 && (r.cycles as number) <= 999) s.cycles = r.cycles as number;
  if (typeof r.allCycles === 'boolean') s.allCycles = r.allCycles;
  return s;
}
