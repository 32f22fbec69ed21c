// How a SprintEvent is stored as an `events` row: 002's columns, derived from the typed event, plus
// `payload_json` holding only what the columns do not (a progress line's text, task, status and epic
// are not stored twice: it halves the row, and with it the database's memory and export time).

import type { SprintEvent } from '../../core/SprintEvents';

/** The columns 002's `events` table has, derived from a typed event. */
export interface EventColumns {
  batchId: number | null;
  storyKey: string | null;
  epicId: string | null;
  command: string | null;
  taskId: string | null;
  status: string | null;
  message: string | null;
  stepKey: string | null;
}

export function eventColumns(e: SprintEvent): EventColumns {
  const cols: EventColumns = {
    batchId: e.batchId ?? null,
    storyKey: null,
    epicId: null,
    command: null,
    taskId: null,
    status: null,
    message: null,
    stepKey: null,
  };
  switch (e.type) {
    case 'run:state':
      cols.status = e.state;
      break;
    case 'batch:start':
      cols.status = 'running';
      break;
    case 'batch:end':
      cols.status = e.status;
      cols.message = e.reason ?? null;
      break;
    case 'cycle:start':
    case 'cycle:end':
      cols.storyKey = singleKey(e.storyKeys);
      cols.epicId = e.type === 'cycle:start' ? e.epicId : null;
      cols.status = e.type === 'cycle:start' ? 'start' : 'end';
      break;
    case 'command:start':
      cols.storyKey = singleKey(e.storyKeys);
      cols.epicId = e.epicId;
      cols.command = e.command;
      cols.status = 'start';
      cols.stepKey = e.stepKey;
      break;
    case 'command:progress':
      cols.storyKey = matchStoryKey(e.row.storyId, e.storyKeys);
      cols.epicId = e.row.epicId;
      cols.command = e.row.command || e.command;
      cols.taskId = e.row.taskId;
      cols.status = e.row.status;
      cols.message = e.row.message;
      cols.stepKey = e.stepKey ?? null;
      break;
    case 'command:output':
      cols.storyKey = singleKey(e.storyKeys);
      cols.command = e.command;
      cols.message = e.line;
      cols.stepKey = e.stepKey;
      break;
    case 'command:end':
      cols.storyKey = singleKey(e.storyKeys);
      cols.command = e.command;
      cols.status = e.outcome;
      cols.message = e.message ?? null;
      cols.stepKey = e.stepKey;
      break;
    case 'story:status':
      cols.storyKey = e.storyKey;
      cols.status = e.to;
      cols.message = e.reason ?? null;
      break;
    case 'story:phase':
      cols.storyKey = e.storyKey;
      cols.command = e.command ?? null;
      cols.status = e.phase;
      break;
    case 'context:status':
      cols.status = e.status;
      cols.message = e.message ?? null;
      break;
    case 'budget:reached':
      cols.storyKey = e.storyKey ?? null;
      cols.status = 'budget-reached';
      cols.message = `${e.scope} budget $${e.limitUsd} reached ($${e.spentUsd.toFixed(2)} spent)`;
      break;
    case 'commit:verified':
    case 'commit:failed':
      cols.storyKey = singleKey(e.storyKeys);
      cols.command = 'batch-commit';
      cols.status = e.type === 'commit:verified' ? 'verified' : e.reason;
      cols.message = e.type === 'commit:verified' ? `${e.sha.slice(0, 12)} ${e.message.split('\n', 1)[0]}` : e.detail;
      cols.stepKey = e.stepKey;
      break;
    case 'gates:result':
      cols.storyKey = e.storyKey;
      cols.status = e.ok ? 'gates-passed' : 'gates-failed';
      cols.message = e.results.map((r) => `${r.name}: ${r.ok ? 'ok' : 'failed'}`).join('; ');
      cols.stepKey = e.stepKey;
      break;
    case 'lane:state':
      cols.storyKey = e.storyKey;
      cols.status = `lane-${e.state}`;
      cols.message = e.detail ?? null;
      break;
    case 'report:written':
      cols.status = 'report';
      cols.message = e.path;
      break;
    case 'batch:forecast':
      cols.status = `forecast-${e.basis}`;
      cols.message = `$${e.nextBatchUsd.toFixed(2)} for ${e.stories.length} stories`;
      break;
    case 'limit:wait':
      cols.storyKey = singleKey(e.storyKeys);
      cols.status = `limit-${e.state}`;
      cols.message = `resets at ${new Date(e.resetsAt).toISOString()}${e.limitType ? ` (${e.limitType})` : ''}`;
      cols.stepKey = e.stepKey;
      break;
    case 'warning':
    case 'error':
      cols.storyKey = e.storyKey ?? null;
      cols.status = e.type;
      cols.message = e.message;
      cols.stepKey = e.stepKey ?? null;
      break;
    default: {
      const never: never = e;
      void never;
    }
  }
  return cols;
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
