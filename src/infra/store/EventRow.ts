// How a SprintEvent is stored as an `events` row: the table's searchable columns, derived from the typed event, plus
// `payload_json` holding only what the columns do not (a progress line's text, task, status and epic
// are not stored twice: it halves the row, and with it the database's memory and export time).

import type { SprintEvent } from '../../core/SprintEvents';
import type { EventColumns } from '../../core/store/RunStore';

export type { EventColumns };

export function eventColumns(e: SprintEvent): EventColumns {
  return { ...NO_COLUMNS, batchId: e.batchId ?? null, ...columnsOf(e) };
}

const NO_COLUMNS: EventColumns = { batchId: null, storyKey: null, epicId: null, command: null, taskId: null, status: null, message: null, stepKey: null };

/** The columns an event of each kind fills; the others stay null. */
function columnsOf(e: SprintEvent): Partial<EventColumns> {
  switch (e.type) {
    case 'run:state':
      return { status: e.state };
    case 'batch:start':
      return { status: 'running' };
    case 'batch:end':
      return { status: e.status, message: e.reason ?? null };
    case 'cycle:start':
      return { storyKey: singleKey(e.storyKeys), epicId: e.epicId, status: 'start' };
    case 'cycle:end':
      return { storyKey: singleKey(e.storyKeys), status: 'end' };
    case 'command:start':
      return { storyKey: singleKey(e.storyKeys), epicId: e.epicId, command: e.command, status: 'start', stepKey: e.stepKey };
    case 'command:progress': {
      const r = e.row;
      return { storyKey: matchStoryKey(r.storyId, e.storyKeys), epicId: r.epicId, command: r.command || e.command, taskId: r.taskId, status: r.status, message: r.message, stepKey: e.stepKey ?? null };
    }
    case 'command:output':
      return { storyKey: singleKey(e.storyKeys), command: e.command, message: e.line, stepKey: e.stepKey };
    case 'command:end':
      return { storyKey: singleKey(e.storyKeys), command: e.command, status: e.outcome, message: e.message ?? null, stepKey: e.stepKey };
    case 'story:status':
      return { storyKey: e.storyKey, status: e.to, message: e.reason ?? null };
    case 'story:phase':
      return { storyKey: e.storyKey, command: e.command ?? null, status: e.phase };
    case 'context:status':
      return { status: e.status, message: e.message ?? null };
    case 'budget:reached':
      return { storyKey: e.storyKey ?? null, status: 'budget-reached', message: `${e.scope} budget $${e.limitUsd} reached ($${e.spentUsd.toFixed(2)} spent)` };
    case 'commit:verified':
      return { storyKey: singleKey(e.storyKeys), command: 'batch-commit', status: 'verified', message: `${e.sha.slice(0, 12)} ${e.message.split('\n', 1)[0]}`, stepKey: e.stepKey };
    case 'commit:failed':
      return { storyKey: singleKey(e.storyKeys), command: 'batch-commit', status: e.reason, message: e.detail, stepKey: e.stepKey };
    case 'commit:review':
      return { storyKey: singleKey(e.storyKeys), command: 'batch-commit', status: `review-${e.state}`, message: e.reason ?? null, stepKey: e.stepKey };
    case 'gates:result':
      return { storyKey: e.storyKey, status: e.ok ? 'gates-passed' : 'gates-failed', message: e.results.map((r) => `${r.name}: ${r.ok ? 'ok' : 'failed'}`).join('; '), stepKey: e.stepKey };
    case 'lane:state':
      return { storyKey: e.storyKey, status: `lane-${e.state}`, message: e.detail ?? null };
    case 'report:written':
      return { status: 'report', message: e.path };
    case 'batch:forecast':
      return { status: `forecast-${e.basis}`, message: `$${e.nextBatchUsd.toFixed(2)} for ${e.stories.length} stories` };
    case 'limit:wait':
      return {
        storyKey: singleKey(e.storyKeys),
        status: `limit-${e.state}`,
        message: `resets at ${new Date(e.resetsAt).toISOString()}${e.limitType ? ` (${e.limitType})` : ''}`,
        stepKey: e.stepKey,
      };
    case 'warning':
    case 'error':
      return { storyKey: e.storyKey ?? null, status: e.type, message: e.message, stepKey: e.stepKey ?? null };
    default: {
      const never: never = e;
      return never;
    }
  }
}

function singleKey(keys: readonly string[]): string | null {
  return keys.length === 1 ? keys[0] : null;
}

/** The CSV row carries the short id (`2a-1`) or the full key; map it to one of the command's keys. */
function matchStoryKey(storyId: string, keys: readonly string[]): string | null {
  if (keys.length === 1) return keys[0];
  const id = storyId.trim().toLowerCase();
  if (!id) return null;
  return keys.find((k) => k.toLowerCase() === id || k.toLowerCase().startsWith(`${id}-`)) ?? null;
}

type Json = Record<string, unknown>;

/** The event without the fields the row's columns already hold; `restoreEvent` is its inverse. */
export function eventRemainder(e: SprintEvent): Json {
  const { type: _type, at: _at, batchId: _batchId, ...rest } = e as SprintEvent & Json;
  if (e.type === 'command:progress') {
    const { taskId: _t, status: _s, message: _m, epicId: _e, ...row } = e.row;
    const { stepKey: _k, ...other } = rest;
    return { ...other, row };
  }
  return rest;
}

export interface StoredEventColumns {
  type: string;
  timestamp: number;
  batchId: number | null;
  stepKey: string | null;
  epicId: string | null;
  taskId: string | null;
  status: string | null;
  message: string | null;
}

export function restoreEvent(c: StoredEventColumns, remainder: Json): SprintEvent {
  const event: Json = { type: c.type, at: c.timestamp, ...(c.batchId !== null ? { batchId: c.batchId } : {}), ...remainder };
  if (c.type === 'command:progress') {
    if (c.stepKey !== null) event.stepKey = c.stepKey;
    event.row = { ...(remainder.row as Json), epicId: c.epicId ?? '', taskId: c.taskId ?? '', status: c.status ?? '', message: c.message ?? '' };
  }
  // The row was written from a SprintEvent of this type; the columns restore exactly what was removed.
  return event as unknown as SprintEvent;
}
