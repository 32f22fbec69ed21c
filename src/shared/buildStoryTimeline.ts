// A story's activity: every command that covered it, with durations, outcome, cost and the task-id
// phases its agent logged. A phase's duration comes from the start/end pairs of its progress rows.

import { costShareOf } from '../core/usageShares';
import type { CommandRecord, StoredEvent } from '../core/store/RunStore';
import { commandLabel } from '../core/commands';
import { addUsage, emptyUsage, type StoryTimeline, type TimelineCommand, type TimelinePhase } from './dashboardViewModels';

/**
 * `commands`: the story's commands (any batch); `progress`: stored `command:progress` events that may
 * belong to them. A row belongs to a command when it carries the command's stepKey, or (rows without
 * one) when its story id, command label and time fall within the command's run.
 */
export function buildStoryTimeline(storyKey: string, shortId: string, commands: CommandRecord[], progress: StoredEvent[]): StoryTimeline {
  const sorted = [...commands].filter((c) => c.storyKeys.includes(storyKey)).sort((a, b) => a.startedAt - b.startedAt || a.id - b.id);
  const rows = progress
    .map((e) => e.payload)
    .filter((p): p is Extract<StoredEvent['payload'], { type: 'command:progress' }> => p.type === 'command:progress')
    .filter((p) => p.row.storyId === shortId || p.row.storyId === storyKey || p.storyKeys.includes(storyKey));
  const usage = emptyUsage();
  let durationMs = 0;
  const out: TimelineCommand[] = sorted.map((c) => {
    const label = commandLabel(c.command, c.attempt);
    const end = c.endedAt ?? Number.POSITIVE_INFINITY;
    const mine = rows.filter((p) =>
      p.stepKey ? p.stepKey === c.stepKey : (p.row.command === label || p.row.command === c.command) && p.at >= c.startedAt && p.at <= end,
    );
    const share = costShareOf(c.storyKeys);
    const u = addUsage(emptyUsage(), c.usage, share);
    addUsage(usage, u);
    const d = c.endedAt === null ? null : c.endedAt - c.startedAt;
    if (d !== null) durationMs += d;
    return {
      batchId: c.batchId,
      cycle: c.cycle,
      command: c.command,
      attempt: c.attempt,
      label,
      startedAt: c.startedAt,
      endedAt: c.endedAt,
      durationMs: d,
      outcome: c.outcome,
      usage: u,
      logPath: c.logPath,
      summary: c.outputSummary,
      phases: pairPhases(mine.map((p) => ({ taskId: p.row.taskId, status: p.row.status, message: p.row.message, at: rowTime(p) }))),
    };
  });
  return { storyKey, commands: out, usage, durationMs };
}

/** Rows carry Unix seconds; the event's own ms time is used when the row's is missing. */
function rowTime(p: { at: number; row: { timestamp: number } }): number {
  return Number.isFinite(p.row.timestamp) && p.row.timestamp > 0 ? p.row.timestamp * 1000 : p.at;
}

/** Pairs each `start` with the next `end` of the same task id; an unpaired start stays open. */
export function pairPhases(rows: { taskId: string; status: string; message: string; at: number }[]): TimelinePhase[] {
  const phases: TimelinePhase[] = [];
  const open = new Map<string, TimelinePhase>();
  for (const r of [...rows].sort((a, b) => a.at - b.at)) {
    if (r.status === 'start') {
      const p: TimelinePhase = { taskId: r.taskId, startedAt: r.at, message: r.message };
      phases.push(p);
      open.set(r.taskId, p);
    } else if (r.status === 'end') {
      const p = open.get(r.taskId);
      if (p) {
        p.endedAt = r.at;
        p.durationMs = r.at - p.startedAt;
        p.message = r.message || p.message;
        open.delete(r.taskId);
      } else {
        phases.push({ taskId: r.taskId, startedAt: r.at, endedAt: r.at, durationMs: 0, message: r.message });
      }
    }
  }
  return phases;
}
