// Rows of the run database as the store's records: one reader per table, with the types the schema
// gives the columns (sql.js hands back numbers, strings and nulls).

import type { SqlValue } from 'sql.js';
import type { AgentOutcome } from '../../core/agent/AgentContract';
import type { StepCommand } from '../../core/commands';
import type { BatchMode, BatchStatus, SprintEvent } from '../../core/SprintEvents';
import type {
  BackgroundTaskRecord,
  BatchRecord,
  CommandRecord,
  CostTotals,
  RunOptionsRecord,
  StepRecord,
  StoredEvent,
  StoryBlockRecord,
} from '../../core/store/RunStore';
import { restoreEvent } from './EventRow';

export type Row = Record<string, SqlValue>;

export function costColumns(share: string): string {
  return `COALESCE(SUM(c.input_tokens * ${share}), 0) AS input_tokens,
          COALESCE(SUM(c.output_tokens * ${share}), 0) AS output_tokens,
          COALESCE(SUM(c.cache_creation_input_tokens * ${share}), 0) AS cache_creation_input_tokens,
          COALESCE(SUM(c.cache_read_input_tokens * ${share}), 0) AS cache_read_input_tokens,
          COALESCE(SUM(c.cost_usd * ${share}), 0) AS cost_usd,
          COUNT(c.id) AS commands`;
}

export function toCosts(r: Row): CostTotals {
  return {
    // Tokens of a command shared by two stories are split; rounding keeps them whole numbers.
    inputTokens: Math.round(Number(r.input_tokens)),
    outputTokens: Math.round(Number(r.output_tokens)),
    cacheCreationInputTokens: Math.round(Number(r.cache_creation_input_tokens)),
    cacheReadInputTokens: Math.round(Number(r.cache_read_input_tokens)),
    costUsd: Number(r.cost_usd),
    commands: Number(r.commands),
  };
}

export function toBatch(r: Row): BatchRecord {
  const { int, optInt, text, optText } = columnsOf(r);
  const options = JSON.parse(String(r.options_json)) as RunOptionsRecord;
  return { id: int('id'), runId: text('run_id'), startedAt: int('started_at'), endedAt: optInt('ended_at'), batchMode: text('batch_mode') as BatchMode,
    maxCycles: optInt('max_cycles'), cyclesCompleted: int('cycles_completed'), status: text('status') as BatchStatus, options, reason: optText('reason') };
}

export function toStep(r: Row): StepRecord {
  const step: StepRecord = { batchId: Number(r.batch_id), stepKey: String(r.step_key), startedAt: Number(r.started_at), endedAt: nullableNumber(r.ended_at) };
  if (r.result_json !== null) step.result = JSON.parse(String(r.result_json)) as unknown;
  return step;
}

export function toCommand(r: Row): CommandRecord {
  const hasUsage = r.input_tokens !== null || r.output_tokens !== null || r.cost_usd !== null;
  return {
    id: Number(r.id),
    batchId: Number(r.batch_id),
    stepKey: String(r.step_key),
    cycle: Number(r.cycle),
    command: String(r.command) as StepCommand,
    attempt: Number(r.attempt),
    storyKeys: JSON.parse(String(r.story_keys)) as string[],
    epicId: String(r.epic_id ?? ''),
    ...(r.model !== null ? { model: String(r.model) } : {}),
    startedAt: Number(r.started_at),
    endedAt: nullableNumber(r.ended_at),
    outcome: nullableString(r.outcome) as AgentOutcome | null,
    usage: hasUsage
      ? {
          inputTokens: Number(r.input_tokens ?? 0),
          outputTokens: Number(r.output_tokens ?? 0),
          cacheCreationInputTokens: Number(r.cache_creation_input_tokens ?? 0),
          cacheReadInputTokens: Number(r.cache_read_input_tokens ?? 0),
          costUsd: Number(r.cost_usd ?? 0),
          ...(r.model !== null ? { model: String(r.model) } : {}),
          ...(r.duration_ms !== null ? { durationMs: Number(r.duration_ms) } : {}),
          ...(r.num_turns !== null ? { numTurns: Number(r.num_turns) } : {}),
          ...(r.session_id !== null ? { sessionId: String(r.session_id) } : {}),
        }
      : null,
    outputSummary: nullableString(r.output_summary),
    logPath: nullableString(r.log_path),
  };
}

export function toEvent(r: Row): StoredEvent {
  const columns = {
    batchId: nullableNumber(r.batch_id),
    epicId: nullableString(r.epic_id),
    taskId: nullableString(r.task_id),
    status: nullableString(r.status),
    message: nullableString(r.message),
  };
  const type = String(r.type) as SprintEvent['type'];
  const timestamp = Number(r.timestamp);
  return {
    id: Number(r.id),
    timestamp,
    type,
    ...columns,
    storyKey: nullableString(r.story_key),
    command: nullableString(r.command),
    payload: restoreEvent({ type, timestamp, stepKey: nullableString(r.step_key), ...columns }, JSON.parse(String(r.payload_json)) as Record<string, unknown>),
  };
}

export function toBlock(r: Row): StoryBlockRecord {
  const { int, optInt, text } = columnsOf(r);
  return { storyKey: text('story_key'), previousStatus: text('previous_status'), reason: text('reason'), blockedAt: int('blocked_at'), unblockedAt: optInt('unblocked_at') };
}

export function toBackgroundTask(r: Row): BackgroundTaskRecord {
  const { int, optInt, text, optText } = columnsOf(r);
  return { id: int('id'), batchId: optInt('batch_id'), storyKey: optText('story_key'), taskType: text('task_type'), spawnedAt: int('spawned_at'),
    completedAt: optInt('completed_at'), status: text('status') };
}

/** Typed readers of a row's columns (NULL stays null in the opt* ones). */
function columnsOf(r: Row) {
  return {
    int: (c: string) => Number(r[c]),
    optInt: (c: string) => nullableNumber(r[c]),
    text: (c: string) => String(r[c]),
    optText: (c: string) => nullableString(r[c]),
  };
}

export function nullableNumber(v: SqlValue | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}

export function nullableString(v: SqlValue | undefined): string | null {
  return v === null || v === undefined ? null : String(v);
}
