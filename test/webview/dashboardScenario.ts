// Typed builders for the dashboard tests: a ledger, engine events, and the host's real DashboardModel
// turning them into the snapshot and deltas the webview receives (rev-numbered like the session does).

import type { SprintEvent } from '../../src/core/SprintEvents';
import type { LedgerSnapshot, LedgerStory } from '../../src/core/ledger/LedgerTypes';
import type { AgentUsage } from '../../src/core/agent/AgentContract';
import { DashboardModel } from '../../src/shared/DashboardModel';
import type { HostMessage } from '../../src/shared/dashboardProtocol';
import type { DashboardBudgets } from '../../src/shared/dashboardViewModels';

/** A run that started ten minutes ago (whole minute), so live timers show realistic values. */
export const T0 = Math.floor((Date.now() - 10 * 60_000) / 60_000) * 60_000;

export function aStory(key: string, status: string, line = 1): LedgerStory {
  const m = /^([0-9a-z]+)-([0-9]+)/.exec(key)!;
  return { key, shortId: `${m[1]}-${m[2]}`, epicId: m[1], status, line };
}

export function aLedger(stories: LedgerStory[]): LedgerSnapshot {
  return { path: '/ws/_bmad-output/implementation-artifacts/sprint-status.yaml', stories, epics: [], retrospectives: [], problems: [] };
}

export function usage(costUsd: number, inputTokens = 1000, outputTokens = 500): AgentUsage {
  return { inputTokens, outputTokens, cacheCreationInputTokens: 2000, cacheReadInputTokens: 10_000, costUsd };
}

export const STORIES = [
  aStory('2a-1-session-scanner-and-database-sync', 'in-progress', 10),
  aStory('2a-2-offline-mode-indicator', 'ready-for-dev', 11),
  aStory('2a-3-loading-screen', 'backlog', 12),
  aStory('2b-1-settings-panel', 'review', 14),
  aStory('1-1-project-setup', 'done', 4),
  aStory('1-2-auth-flow', 'blocked', 5),
];

/** A batch in cycle 1: create-story for the pair, a review, and dev-story of 2a-1 running. */
export function runningBatchEvents(): SprintEvent[] {
  const [s1, s2] = [STORIES[0].key, STORIES[1].key];
  const at = (s: number) => T0 + s * 1000;
  const row = (s: number, story: string, command: string, taskId: string, status: string, message: string) => ({
    type: 'command:progress' as const, at: at(s), batchId: 7, command, storyKeys: [s1],
    row: { timestamp: (T0 + s * 1000) / 1000, epicId: '2a', storyId: story, command, taskId, status, message },
  });
  return [
    { type: 'run:state', at: at(0), state: 'running' },
    { type: 'batch:start', at: at(0), batchId: 7, runId: 'r7', batchMode: 'fixed', maxCycles: 3, resumed: false },
    { type: 'cycle:start', at: at(1), batchId: 7, cycle: 1, maxCycles: 3, storyKeys: [s1, s2], epicId: '2a' },
    { type: 'command:start', at: at(2), batchId: 7, stepKey: 'c1/create-story/x', cycle: 1, command: 'create-story', attempt: 1, storyKeys: [s1, s2], epicId: '2a' },
    row(3, '2a-1', 'create-story', 'setup', 'start', 'Initializing story creation for 2a-1'),
    row(20, '2a-1', 'create-story', 'setup', 'end', 'Setup complete (files:1)'),
    { type: 'command:end', at: at(90), batchId: 7, stepKey: 'c1/create-story/x', cycle: 1, command: 'create-story', attempt: 1, storyKeys: [s1, s2], outcome: 'success', durationMs: 88_000, usage: usage(0.84, 12_000, 3_000) },
    { type: 'command:start', at: at(91), batchId: 7, stepKey: 'c1/story-review/2a-1/a1', cycle: 1, command: 'story-review', attempt: 1, storyKeys: [s1], epicId: '2a' },
    { type: 'command:end', at: at(150), batchId: 7, stepKey: 'c1/story-review/2a-1/a1', cycle: 1, command: 'story-review', attempt: 1, storyKeys: [s1], outcome: 'success', durationMs: 59_000, usage: usage(0.31) },
    { type: 'story:status', at: at(151), batchId: 7, storyKey: s1, from: 'ready-for-dev', to: 'in-progress' },
    { type: 'command:start', at: at(152), batchId: 7, stepKey: 'c1/dev-story/2a-1', cycle: 1, command: 'dev-story', attempt: 1, storyKeys: [s1], epicId: '2a' },
    row(153, '2a-1', 'dev-story', 'implement', 'start', 'Writing test files'),
  ];
}

/** Feeds events to a real DashboardModel and numbers its deltas like DashboardSession does. */
export class ScenarioHost {
  readonly model: DashboardModel;
  rev = 0;

  constructor(opts: { events?: SprintEvent[]; budgets?: DashboardBudgets; stories?: LedgerStory[]; maxParallel?: number } = {}) {
    this.model = new DashboardModel({
      ledger: aLedger(opts.stories ?? STORIES),
      ledgerProblems: [],
      runState: 'idle',
      latestBatch: undefined,
      earlierCommands: [],
      latestBatchEvents: [],
      blockReasons: { [STORIES[5].key]: 'code-review failed 3 times: tests time out' },
      budgets: opts.budgets ?? {},
      ...(opts.maxParallel ? { maxParallel: opts.maxParallel } : {}),
    });
    for (const e of opts.events ?? []) this.emit(e);
  }

  snapshot(): HostMessage {
    return { type: 'snapshot', rev: this.rev, snapshot: this.model.snapshot(this.rev) };
  }

  emit(e: SprintEvent): HostMessage[] {
    return this.model.apply(e).map((d) => ({ ...d, rev: ++this.rev }) as HostMessage);
  }
}

/**
 * The running batch carried on: a forecast, dev-story done, code-review failing transiently, a
 * usage-limit wait (with a countdown event), a second review failing, and a third one running.
 */
export function chartBatchEvents(): SprintEvent[] {
  const s1 = STORIES[0].key;
  const at = (s: number) => T0 + s * 1000;
  const review = (attempt: number) => ({ stepKey: `c1/code-review/2a-1/a${attempt}`, cycle: 1, command: 'code-review' as const, attempt, storyKeys: [s1] });
  const [first, ...rest] = runningBatchEvents().slice(0, 2);
  return [
    first,
    ...rest,
    { type: 'batch:forecast', at: at(0), batchId: 7, nextBatchUsd: 4, basis: 'history', historyCommands: 40, stories: [{ key: s1, usd: 2.5 }, { key: STORIES[1].key, usd: 1.5 }], budgetUsd: 5 },
    ...runningBatchEvents().slice(2),
    { type: 'command:end', at: at(200), batchId: 7, stepKey: 'c1/dev-story/2a-1', cycle: 1, command: 'dev-story', attempt: 1, storyKeys: [s1], outcome: 'success', durationMs: 48_000, usage: usage(1.2) },
    { type: 'command:start', at: at(201), batchId: 7, ...review(1), epicId: '2a' },
    { type: 'command:end', at: at(230), batchId: 7, ...review(1), outcome: 'transient', durationMs: 29_000, usage: usage(0.05) },
    { type: 'limit:wait', at: at(231), batchId: 7, stepKey: review(1).stepKey, storyKeys: [s1], resetsAt: at(330), limitType: 'five_hour', state: 'waiting' },
    { type: 'limit:wait', at: at(291), batchId: 7, stepKey: review(1).stepKey, storyKeys: [s1], resetsAt: at(330), limitType: 'five_hour', state: 'waiting' },
    { type: 'limit:wait', at: at(331), batchId: 7, stepKey: review(1).stepKey, storyKeys: [s1], resetsAt: at(330), state: 'over' },
    { type: 'command:start', at: at(332), batchId: 7, ...review(2), epicId: '2a' },
    { type: 'command:end', at: at(400), batchId: 7, ...review(2), outcome: 'agent-failure', durationMs: 68_000, usage: usage(0.4) },
    { type: 'command:start', at: at(401), batchId: 7, ...review(3), epicId: '2a' },
  ];
}

/** Parallel mode: two stories in their own lanes, dev-story in each, one of them retried. */
export function laneBatchEvents(): SprintEvent[] {
  const [s1, s2] = [STORIES[0].key, STORIES[3].key];
  const at = (s: number) => T0 + s * 1000;
  const dev = (key: string, attempt: number) => ({ stepKey: `c1/dev-story/${key}/a${attempt}`, cycle: 1, command: 'dev-story' as const, attempt, storyKeys: [key], lane: key });
  return [
    { type: 'run:state', at: at(0), state: 'running' },
    { type: 'batch:start', at: at(0), batchId: 8, runId: 'r8', batchMode: 'fixed', maxCycles: 1, resumed: false },
    { type: 'command:start', at: at(1), batchId: 8, stepKey: 'c1/create-story/x', cycle: 1, command: 'create-story', attempt: 1, storyKeys: [s1, s2], epicId: '2a' },
    { type: 'command:end', at: at(60), batchId: 8, stepKey: 'c1/create-story/x', cycle: 1, command: 'create-story', attempt: 1, storyKeys: [s1, s2], outcome: 'success', durationMs: 59_000, usage: usage(0.6) },
    { type: 'lane:state', at: at(61), storyKey: s1, state: 'started', branch: 'story/r8/2a-1', lane: s1 },
    { type: 'lane:state', at: at(61), storyKey: s2, state: 'started', branch: 'story/r8/2b-1', lane: s2 },
    { type: 'command:start', at: at(62), batchId: 8, ...dev(s1, 1), epicId: '2a' },
    { type: 'command:start', at: at(63), batchId: 8, ...dev(s2, 1), epicId: '2b' },
    { type: 'command:end', at: at(120), batchId: 8, ...dev(s2, 1), outcome: 'agent-failure', durationMs: 57_000, usage: usage(0.7) },
    { type: 'command:start', at: at(121), batchId: 8, ...dev(s2, 2), epicId: '2b' },
    { type: 'command:end', at: at(180), batchId: 8, ...dev(s1, 1), outcome: 'success', durationMs: 118_000, usage: usage(1.1) },
    { type: 'command:end', at: at(200), batchId: 8, ...dev(s2, 2), outcome: 'success', durationMs: 79_000, usage: usage(0.9) },
  ];
}
