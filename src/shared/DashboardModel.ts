// The dashboard's state on the host side: built once from the ledger + run store, then kept current by
// applying each engine event, which yields the small deltas posted to the webview. Pure: no vscode, no
// DOM, no I/O, so it is unit-tested in Node and the same code serves the snapshot and the deltas.

import { costShareOf } from '../core/usageShares';
import { attemptLabel, commandLabel } from '../core/commands';
import { eventLineOf } from '../core/eventLine';
import { shortIdOf } from '../core/ledger/storyKeys';
import type { RunState, SprintEvent } from '../core/SprintEvents';
import type { LedgerSnapshot } from '../core/ledger/LedgerTypes';
import type { BatchRecord, CommandRecord, StoredEvent } from '../core/store/RunStore';
import type { AgentUsage } from '../core/agent/AgentContract';
import type { DashboardDelta } from './dashboardProtocol';
import { LaneSlots } from './LaneSlots';
import type { ActivityWait } from './batchCharts';
import {
  addUsage,
  columnOfStatus,
  emptyUsage,
  titleOfStoryKey,
  type CostRow,
  type CostView,
  type DashboardBudgets,
  type DashboardSnapshot,
  type LogLine,
  type RunView,
  type StoryCard,
  type UsageTotals,
} from './dashboardViewModels';

/** Lines the host keeps (and a snapshot carries); the webview keeps the same bound. */
export const MAX_LOG_LINES = 20_000;

/** A log line's hover text is bounded: gate output can be 20 000 characters per gate. */
export const MAX_LOG_DETAIL = 8_000;

export interface DashboardModelInit {
  ledger: LedgerSnapshot | undefined;
  /** Problems to show above the board (unreadable ledger with its file/line/cause). */
  ledgerProblems: string[];
  runState: RunState;
  latestBatch: BatchRecord | undefined;
  /** Commands of batches other than the latest (their usage and durations seed the cards). */
  earlierCommands: CommandRecord[];
  /** Stored events of the latest batch, oldest first (replayed to rebuild run, log and costs). */
  latestBatchEvents: StoredEvent[];
  /** Reason of each currently blocked story (`RunStore.openBlock`). */
  blockReasons: Record<string, string>;
  budgets: DashboardBudgets;
  /** `sprintRunner.git.maxParallel`; above 1 the run view shows its lanes. Default 1. */
  maxParallel?: number;
}

interface BatchCommand {
  stepKey: string;
  cycle: number;
  command: string;
  attempt: number;
  storyKeys: string[];
  startedAt: number;
  endedAt?: number;
  usage?: AgentUsage;
  outcome?: string;
  /** Parallel mode: the lane number the command ran in. */
  lane?: number;
}

export function statusLineOf(run: Pick<RunView, 'state' | 'cycle' | 'current' | 'lastFinished'>): string {
  switch (run.state) {
    case 'idle':
      return 'Idle';
    case 'running':
      if (!run.cycle) return 'Running';
      return run.cycle.maxCycles === null
        ? `Running cycle ${run.cycle.number} (all)`
        : `Running cycle ${run.cycle.number}/${run.cycle.maxCycles}`;
    case 'pausing':
      return run.current ? `Pausing after ${run.current.story} ${attemptLabel(run.current.command, run.current.attempt)}…` : 'Pausing…';
    case 'paused':
      return run.lastFinished ? `Paused after ${run.lastFinished}` : 'Paused';
    case 'stopping':
      return 'Stopping…';
  }
}

export class DashboardModel {
  private readonly cards = new Map<string, StoryCard>();
  private ledgerPath: string | undefined;
  private ledgerProblems: string[];
  private run: RunView;
  private log: LogLine[] = [];
  private logDropped = 0;
  private seq = 0;
  private batchCommands: BatchCommand[] = [];
  /** The latest batch's usage-limit waits and forecast, for the charts. */
  private batchWaits: ActivityWait[] = [];
  private forecast: { batchId: number; usd: number } | undefined;
  /** Usage of batches before the latest one (all-time totals = this + the latest batch). */
  private readonly earlierUsage = emptyUsage();
  private budgets: DashboardBudgets;
  private costs: CostView;
  private readonly lanes = new LaneSlots();
  private maxParallel: number;

  constructor(init: DashboardModelInit) {
    this.budgets = init.budgets;
    this.maxParallel = init.maxParallel ?? 1;
    this.ledgerProblems = [...init.ledgerProblems];
    this.run = { state: 'idle', statusLine: 'Idle', detail: '' };
    this.refreshLanes();
    if (init.ledger) this.setLedger(init.ledger);
    for (const [key, reason] of Object.entries(init.blockReasons)) {
      const card = this.cards.get(key);
      if (card) card.blockedReason = reason;
    }
    for (const c of init.earlierCommands) {
      addUsage(this.earlierUsage, c.usage);
      const share = costShareOf(c.storyKeys);
      for (const key of c.storyKeys) {
        const card = this.cards.get(key);
        if (!card || c.endedAt === null) continue;
        card.durationMs += c.endedAt - c.startedAt;
        addUsage(card.usage, c.usage, share);
        card.commands += 1;
      }
    }
    if (init.latestBatch) {
      const b = init.latestBatch;
      this.run.batch = {
        id: b.id,
        batchMode: b.batchMode,
        maxCycles: b.maxCycles,
        startedAt: b.startedAt,
        endedAt: b.endedAt ?? undefined,
        status: b.status,
        cyclesCompleted: b.cyclesCompleted,
      };
    }
    for (const stored of init.latestBatchEvents) this.apply(stored.payload, { replay: true });
    this.costs = this.computeCosts();
    this.settleRunState(init.runState);
  }

  snapshot(rev: number): DashboardSnapshot {
    return {
      rev,
      run: structuredClone(this.run),
      stories: [...this.cards.values()].map((c) => structuredClone(c)),
      log: this.log.slice(),
      logDropped: this.logDropped,
      costs: structuredClone(this.costs),
      ledgerPath: this.ledgerPath,
      ledgerProblems: [...this.ledgerProblems],
    };
  }

  card(key: string): StoryCard | undefined {
    return this.cards.get(key);
  }

  /** The ledger was re-read (user edit, git checkout): changed cards become deltas. */
  replaceLedger(ledger: LedgerSnapshot | undefined, problems: string[]): DashboardDelta[] {
    this.ledgerProblems = [...problems];
    if (!ledger) return [];
    const before = new Map([...this.cards].map(([k, c]) => [k, JSON.stringify(c)]));
    this.setLedger(ledger);
    const out: DashboardDelta[] = [];
    for (const [key, card] of this.cards) {
      if (before.get(key) !== JSON.stringify(card)) out.push({ type: 'storyChanged', card: structuredClone(card) });
    }
    return out;
  }

  setBudgets(budgets: DashboardBudgets): DashboardDelta[] {
    if (JSON.stringify(budgets) === JSON.stringify(this.budgets)) return [];
    this.budgets = budgets;
    this.costs = this.computeCosts();
    return [{ type: 'costsChanged', costs: structuredClone(this.costs) }];
  }

  setMaxParallel(maxParallel: number): DashboardDelta[] {
    this.maxParallel = maxParallel;
    return this.refreshLanes() ? [{ type: 'runStateChanged', run: structuredClone(this.run) }] : [];
  }

  /**
   * Applies one engine event. `replay` rebuilds from stored events: story statuses then stay as the
   * ledger says (the ledger is the truth at load time) and nothing is returned.
   */
  apply(event: SprintEvent, opts: { replay?: boolean } = {}): DashboardDelta[] {
    const out: DashboardDelta[] = [];
    let resumedFromPause = false;
    const runChanged = () => out.push({ type: 'runStateChanged', run: structuredClone(this.run) });
    const cardChanged = (card: StoryCard) => out.push({ type: 'storyChanged', card: structuredClone(card) });
    /** The run's status line and its costs moved (a batch started or a command ended). */
    const runAndCostsChanged = () => {
      this.refreshStatusLine();
      runChanged();
      this.costs = this.computeCosts();
      out.push({ type: 'costsChanged', costs: structuredClone(this.costs) });
    };
    const laneKeys = this.lanes.apply(event);
    for (const key of laneKeys) {
      const card = this.cards.get(key);
      if (!card) continue;
      card.lane = this.lanes.laneOf(key);
      cardChanged(card);
    }
    if (laneKeys.length > 0 && this.refreshLanes() && event.type !== 'batch:start' && event.type !== 'batch:end') runChanged();
    switch (event.type) {
      case 'run:state':
        resumedFromPause = this.run.state === 'paused' && event.state === 'running';
        this.settleRunState(event.state);
        runChanged();
        break;
      case 'batch:start':
        if (!event.resumed) {
          if (this.run.batch && this.run.batch.id !== event.batchId) addUsage(this.earlierUsage, this.batchUsage());
          this.log = [];
          this.logDropped = 0;
          this.batchCommands = [];
          this.batchWaits = [];
          if (this.forecast?.batchId !== event.batchId) this.forecast = undefined;
          out.push({ type: 'logCleared' });
        }
        this.run.batch = {
          id: event.batchId,
          batchMode: event.batchMode,
          maxCycles: event.maxCycles,
          startedAt: event.at,
          status: 'running',
          cyclesCompleted: this.run.batch?.id === event.batchId ? this.run.batch.cyclesCompleted : 0,
        };
        this.run.cycle = undefined;
        this.run.current = undefined;
        this.run.lastFinished = undefined;
        this.run.detail = event.resumed ? `Batch #${event.batchId} resumed` : `Batch #${event.batchId} started`;
        runAndCostsChanged();
        break;
      case 'batch:end': {
        if (this.run.batch) {
          this.run.batch.status = event.status;
          this.run.batch.endedAt = event.at;
          this.run.batch.cyclesCompleted = event.cyclesCompleted;
        }
        this.run.current = undefined;
        const parts = [`Batch #${event.batchId} ${event.status}`, `${event.cyclesCompleted} cycle${event.cyclesCompleted === 1 ? '' : 's'}`];
        parts.push(`${event.storiesDone.length} done`, `${event.storiesBlocked.length} blocked`);
        this.run.detail = parts.join(' · ') + (event.reason ? ` — ${event.reason}` : '') + (event.sprintComplete ? ' — sprint complete' : '');
        for (const card of this.cards.values()) {
          if (card.current) {
            card.current = undefined;
            cardChanged(card);
          }
        }
        runAndCostsChanged();
        break;
      }
      case 'cycle:start':
        this.run.cycle = { number: event.cycle, maxCycles: event.maxCycles, storyKeys: event.storyKeys, done: [], blocked: [] };
        this.refreshStatusLine();
        runChanged();
        break;
      case 'cycle:end':
        if (this.run.cycle && this.run.cycle.number === event.cycle) {
          this.run.cycle.done = event.done;
          this.run.cycle.blocked = event.blocked;
        }
        if (this.run.batch) this.run.batch.cyclesCompleted = Math.max(this.run.batch.cyclesCompleted, event.cycle);
        runChanged();
        break;
      case 'command:start': {
        const story = this.storyLabel(event.storyKeys);
        this.run.current = {
          storyKeys: event.storyKeys,
          story,
          command: event.command,
          label: commandLabel(event.command, event.attempt),
          attempt: event.attempt,
          startedAt: event.at,
        };
        this.batchCommands.push({ ...batchCommandOf(event), startedAt: event.at, lane: this.laneNumberOf(event.lane) });
        for (const key of event.storyKeys) {
          const card = this.cards.get(key);
          if (!card) continue;
          card.current = { command: event.command, attempt: event.attempt, label: commandLabel(event.command, event.attempt), startedAt: event.at };
          cardChanged(card);
        }
        runAndCostsChanged();
        break;
      }
      case 'command:progress':
        if (this.run.current) {
          if (event.row.status === 'start') {
            this.run.current.taskId = event.row.taskId;
            this.run.current.taskStartedAt = event.at;
          }
          this.run.current.taskMessage = event.row.message;
          runChanged();
        }
        break;
      case 'command:output':
        // Output lines go to the output channel, not the dashboard's log.
        return out;
      case 'command:end': {
        const bc = [...this.batchCommands].reverse().find((c) => c.stepKey === event.stepKey && c.endedAt === undefined);
        if (bc) {
          bc.endedAt = event.at;
          bc.usage = event.usage;
          bc.outcome = event.outcome;
        } else {
          this.batchCommands.push({
            ...batchCommandOf(event),
            startedAt: event.at - event.durationMs,
            endedAt: event.at,
            usage: event.usage,
            outcome: event.outcome,
            lane: this.laneNumberOf(event.lane),
          });
        }
        this.run.lastFinished = `${this.storyLabel(event.storyKeys)} ${attemptLabel(event.command, event.attempt)}`;
        if (this.run.current && this.run.current.command === event.command && sameKeys(this.run.current.storyKeys, event.storyKeys)) {
          this.run.current = undefined;
        }
        const share = costShareOf(event.storyKeys);
        for (const key of event.storyKeys) {
          const card = this.cards.get(key);
          if (!card) continue;
          card.current = undefined;
          card.durationMs += event.durationMs;
          addUsage(card.usage, event.usage, share);
          card.commands += 1;
          cardChanged(card);
        }
        runAndCostsChanged();
        break;
      }
      case 'story:status': {
        if (opts.replay) break;
        const card = this.cards.get(event.storyKey) ?? this.addCard(event.storyKey, event.to);
        this.setCardStatus(card, event.to);
        card.blockedReason = event.to === 'blocked' ? event.reason : undefined;
        cardChanged(card);
        break;
      }
      case 'commit:review':
        // Waiting for the user's review before the batch commit, or its answer, as the shared event line says it.
        this.run.detail = eventLineOf(event)?.message ?? this.run.detail;
        runChanged();
        break;
      case 'context:status':
        this.run.detail = `Project context ${event.status}${event.message ? `: ${event.message}` : ''}`;
        runChanged();
        break;
      case 'limit:wait':
      case 'batch:forecast':
        if (event.type === 'limit:wait') this.noteWait(event);
        else this.forecast = { batchId: event.batchId, usd: event.nextBatchUsd };
        // The wait's countdown and the forecast read as the shared event line says them.
        this.run.detail = eventLineOf(event)?.message ?? this.run.detail;
        runAndCostsChanged();
        break;
      case 'story:phase':
      case 'budget:reached':
      case 'warning':
      case 'error':
      case 'commit:verified':
      case 'commit:failed':
      case 'gates:result':
      case 'lane:state':
      case 'report:written':
        break;
    }
    const line = this.logLineOf(event, resumedFromPause);
    if (line) {
      this.log.push(line);
      if (this.log.length > MAX_LOG_LINES) {
        const drop = this.log.length - MAX_LOG_LINES;
        this.log.splice(0, drop);
        this.logDropped += drop;
      }
      out.push({ type: 'eventAppended', line });
    }
    return opts.replay ? [] : out;
  }

  private settleRunState(state: RunState): void {
    this.run.state = state;
    if (state === 'idle') {
      // Nothing runs: a command left open by a crash is not "current".
      this.run.current = undefined;
      for (const card of this.cards.values()) card.current = undefined;
    }
    this.refreshStatusLine();
  }

  /** Recomputes `run.lanes`; true when it changed. */
  private refreshLanes(): boolean {
    const next = this.maxParallel > 1 ? { running: this.lanes.running, max: this.maxParallel } : undefined;
    const before = JSON.stringify(this.run.lanes);
    if (next) this.run.lanes = next;
    else delete this.run.lanes;
    return JSON.stringify(this.run.lanes) !== before;
  }

  private refreshStatusLine(): void {
    this.run.statusLine = statusLineOf(this.run);
  }

  private setLedger(ledger: LedgerSnapshot): void {
    this.ledgerPath = ledger.path;
    const seen = new Set<string>();
    const previous = new Map(this.cards);
    this.cards.clear();
    for (const s of ledger.stories) {
      seen.add(s.key);
      const card = previous.get(s.key) ?? this.newCard(s.key, s.shortId, s.epicId);
      this.setCardStatus(card, s.status);
      if (s.status !== 'blocked') card.blockedReason = undefined;
      this.cards.set(s.key, card);
    }
    for (const p of ledger.problems) this.ledgerProblems.push(`${p.file}:${p.line}:${p.col}: ${p.message}`);
  }

  private newCard(key: string, shortId: string, epicId: string): StoryCard {
    return {
      key,
      shortId,
      title: titleOfStoryKey(key, shortId),
      epicId,
      status: 'backlog',
      column: 'backlog',
      unknownStatus: false,
      durationMs: 0,
      usage: emptyUsage(),
      commands: 0,
    };
  }

  private addCard(key: string, status: string): StoryCard {
    const shortId = shortIdOf(key);
    const epicId = shortId.includes('-') ? shortId.slice(0, shortId.lastIndexOf('-')) : '';
    const card = this.newCard(key, shortId, epicId);
    this.setCardStatus(card, status);
    this.cards.set(key, card);
    return card;
  }

  private setCardStatus(card: StoryCard, status: string): void {
    const { column, known } = columnOfStatus(status);
    card.status = status;
    card.column = column;
    card.unknownStatus = !known;
  }

  private storyLabel(keys: readonly string[]): string {
    return keys.map((k) => this.cards.get(k)?.shortId ?? shortIdOf(k)).join(' ');
  }

  private laneNumberOf(laneKey: string | undefined): number | undefined {
    return laneKey === undefined ? undefined : this.lanes.laneOf(laneKey);
  }

  /** A wait starts with its first `waiting` event (the later ones are its countdown) and ends with `over`. */
  private noteWait(e: Extract<SprintEvent, { type: 'limit:wait' }>): void {
    const open = this.batchWaits.find((w) => w.stepKey === e.stepKey && w.endedAt === undefined);
    if (e.state === 'over') {
      if (open) open.endedAt = e.at;
    } else if (open) {
      open.resetsAt = e.resetsAt;
    } else {
      const lane = this.laneNumberOf(e.lane);
      this.batchWaits.push({ stepKey: e.stepKey, storyKeys: e.storyKeys, startedAt: e.at, resetsAt: e.resetsAt, ...(lane !== undefined ? { lane } : {}), ...(e.limitType ? { limitType: e.limitType } : {}) });
    }
  }

  private batchUsage(): UsageTotals {
    const u = emptyUsage();
    for (const c of this.batchCommands) addUsage(u, c.usage);
    return u;
  }

  private computeCosts(): CostView {
    const byStory = new Map<string, CostRow>();
    const byCommand = new Map<string, CostRow>();
    const byCycle = new Map<string, CostRow>();
    const row = (m: Map<string, CostRow>, key: string, label: string) => {
      let r = m.get(key);
      if (!r) m.set(key, (r = { key, label, usage: emptyUsage(), commands: 0 }));
      return r;
    };
    for (const c of this.batchCommands) {
      if (c.endedAt === undefined) continue;
      const share = costShareOf(c.storyKeys);
      for (const key of c.storyKeys) {
        const r = row(byStory, key, this.cards.get(key)?.shortId ?? shortIdOf(key));
        addUsage(r.usage, c.usage, share);
        r.commands += share;
      }
      const rc = row(byCommand, c.command, c.command);
      addUsage(rc.usage, c.usage);
      rc.commands += 1;
      const ry = row(byCycle, String(c.cycle), `Cycle ${c.cycle}`);
      addUsage(ry.usage, c.usage);
      ry.commands += 1;
    }
    const batch = this.batchUsage();
    return {
      batchId: this.run.batch?.id,
      batch,
      byStory: [...byStory.values()],
      byCommand: [...byCommand.values()].sort((a, b) => b.usage.costUsd - a.usage.costUsd),
      byCycle: [...byCycle.values()].sort((a, b) => Number(a.key) - Number(b.key)),
      allTime: addUsage(addUsage(emptyUsage(), this.earlierUsage), batch),
      budgets: { ...this.budgets },
      activity: {
        startedAt: this.run.batch?.startedAt,
        endedAt: this.run.batch?.endedAt,
        forecastUsd: this.forecast && this.forecast.batchId === this.run.batch?.id ? this.forecast.usd : undefined,
        commands: this.batchCommands.map((c) => ({
          stepKey: c.stepKey,
          cycle: c.cycle,
          command: c.command,
          attempt: c.attempt,
          storyKeys: [...c.storyKeys],
          ...(c.lane !== undefined ? { lane: c.lane } : {}),
          startedAt: c.startedAt,
          ...(c.endedAt !== undefined ? { endedAt: c.endedAt } : {}),
          ...(c.outcome !== undefined ? { outcome: c.outcome } : {}),
          costUsd: c.usage?.costUsd ?? 0,
        })),
        waits: this.batchWaits.map((w) => ({ ...w, storyKeys: [...w.storyKeys] })),
      },
    };
  }

  private logLineOf(e: SprintEvent, resumedFromPause: boolean): LogLine | undefined {
    const d = eventLineOf(e, { storyLabel: (keys) => this.storyLabel(keys), laneOf: (key) => this.lanes.laneOf(key), resumedFromPause });
    if (!d) return undefined;
    return {
      seq: ++this.seq,
      at: e.at,
      story: d.story,
      command: d.topic,
      taskId: d.taskId,
      status: d.status,
      message: d.message,
      level: d.level,
      ...(d.detail ? { detail: boundDetail(d.detail) } : {}),
    };
  }
}

/** Keeps the start and the end of a long text (a failing test's summary is usually at the end). */
function boundDetail(text: string): string {
  if (text.length <= MAX_LOG_DETAIL) return text;
  const head = Math.floor(MAX_LOG_DETAIL / 4);
  return `${text.slice(0, head)}\n… ${text.length - MAX_LOG_DETAIL} characters left out …\n${text.slice(text.length - (MAX_LOG_DETAIL - head))}`;
}

/** Which step a command:start or command:end event is about, as the batch's command list keeps it. */
function batchCommandOf(e: Pick<BatchCommand, 'stepKey' | 'cycle' | 'command' | 'attempt' | 'storyKeys'>): Pick<BatchCommand, 'stepKey' | 'cycle' | 'command' | 'attempt' | 'storyKeys'> {
  return { stepKey: e.stepKey, cycle: e.cycle, command: e.command, attempt: e.attempt, storyKeys: e.storyKeys };
}

function sameKeys(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}
