// History rows: what a past batch did (stories done/blocked, duration, cost), built from its record,
// its commands and its stored events.

import { costShareOf } from '../core/usageShares';
import type { BatchRecord, CommandRecord, StoredEvent } from '../core/store/RunStore';
import { commandLabel } from '../core/commands';
import { addUsage, emptyUsage, type BatchStoryRow, type BatchSummary } from './dashboardViewModels';

/** Done/blocked stories of a batch: its `batch:end` event when it has one, else its `story:status` events. */
export function storyOutcomesOf(events: StoredEvent[]): { done: string[]; blocked: string[] } {
  let end: { done: string[]; blocked: string[] } | undefined;
  const last = new Map<string, string>();
  for (const e of events) {
    const p = e.payload;
    if (p.type === 'batch:end') end = { done: [...p.storiesDone], blocked: [...p.storiesBlocked] };
    else if (p.type === 'story:status') last.set(p.storyKey, p.to);
  }
  if (end) return end;
  const done: string[] = [];
  const blocked: string[] = [];
  for (const [k, s] of last) {
    if (s === 'done') done.push(k);
    else if (s === 'blocked') blocked.push(k);
  }
  return { done, blocked };
}

export function summarizeBatch(batch: BatchRecord, commands: CommandRecord[], events: StoredEvent[]): BatchSummary {
  const usage = emptyUsage();
  for (const c of commands) addUsage(usage, c.usage);
  const { done, blocked } = storyOutcomesOf(events);
  return {
    id: batch.id,
    startedAt: batch.startedAt,
    endedAt: batch.endedAt,
    batchMode: batch.batchMode,
    maxCycles: batch.maxCycles,
    cyclesCompleted: batch.cyclesCompleted,
    status: batch.status,
    reason: batch.reason,
    storiesDone: done,
    storiesBlocked: blocked,
    durationMs: batch.endedAt === null ? null : batch.endedAt - batch.startedAt,
    usage,
    commands: commands.length,
  };
}

/** One row per story the batch touched, in first-touched order. Usage of shared commands is split evenly. */
export function batchStoryRows(commands: CommandRecord[], events: StoredEvent[]): BatchStoryRow[] {
  const { done, blocked } = storyOutcomesOf(events);
  const rows = new Map<string, BatchStoryRow>();
  for (const c of [...commands].sort((a, b) => a.startedAt - b.startedAt || a.id - b.id)) {
    const share = costShareOf(c.storyKeys);
    for (const key of c.storyKeys) {
      let r = rows.get(key);
      if (!r) rows.set(key, (r = { storyKey: key, commands: 0, durationMs: 0, usage: emptyUsage(), outcome: 'touched', lastCommand: '' }));
      r.commands += 1;
      if (c.endedAt !== null) r.durationMs += c.endedAt - c.startedAt;
      addUsage(r.usage, c.usage, share);
      r.lastCommand = commandLabel(c.command, c.attempt);
    }
  }
  for (const r of rows.values()) r.outcome = done.includes(r.storyKey) ? 'done' : blocked.includes(r.storyKey) ? 'blocked' : 'touched';
  return [...rows.values()];
}
