// Every change to the run state is one StoreOp. The main thread writes each op as one NDJSON line to
// the journal and hands it to the database; replaying a journal over a database that already holds some
// of its ops gives the same state (ids are assigned by the store, upserts are last-write-wins, inserts
// are `OR IGNORE`), which is what makes crash recovery a plain replay.

import type { BatchRecord, CommandEnd, CommandStart, RunOptionsRecord, StoryBlockRecord } from '../../core/store/RunStore';
import type { SprintEvent } from '../../core/SprintEvents';

export type BatchPatch = Partial<Pick<BatchRecord, 'status' | 'endedAt' | 'cyclesCompleted' | 'reason'>>;
export type StoryPatch = { status?: string; startedAt?: number; endedAt?: number };

export type StoreOp =
  | { op: 'batch.create'; id: number; runId: string; startedAt: number; options: RunOptionsRecord }
  | { op: 'batch.update'; id: number; patch: BatchPatch }
  | { op: 'step.start'; batchId: number; stepKey: string; at: number }
  | { op: 'step.result'; batchId: number; stepKey: string; resultJson: string; at: number }
  | { op: 'story.upsert'; batchId: number; storyKey: string; epicId: string; patch: StoryPatch; at: number }
  | { op: 'command.start'; id: number; command: CommandStart }
  | { op: 'command.end'; id: number; end: CommandEnd }
  /** A command the process that ran it never finished (crash): closed by the next run. */
  | { op: 'command.interrupt'; id: number; at: number; status: string }
  | { op: 'command.process'; id: number; pid: number; pidStartTime: string | null }
  | { op: 'event'; id: number; commandId: number | null; event: SprintEvent }
  | { op: 'block.record'; id: number; block: Omit<StoryBlockRecord, 'unblockedAt'> }
  /** Lifts every open block of the story with id <= upToId (the blocks that existed when it was asked). */
  | { op: 'block.close'; storyKey: string; at: number; upToId: number }
  | { op: 'background.add'; id: number; batchId: number | null; storyKey: string | null; taskType: string; spawnedAt: number }
  | { op: 'background.finish'; id: number; status: string; at: number }
  | { op: 'background.process'; id: number; pid: number; pidStartTime: string | null };

export type StoreOpName = StoreOp['op'];

const OP_NAMES: ReadonlySet<string> = new Set<StoreOpName>([
  'batch.create',
  'batch.update',
  'step.start',
  'step.result',
  'story.upsert',
  'command.start',
  'command.end',
  'command.interrupt',
  'command.process',
  'event',
  'block.record',
  'block.close',
  'background.add',
  'background.finish',
  'background.process',
]);

/** Parses one journal line; returns a reason string when the line is not a usable op. */
export function parseStoreOp(line: string): StoreOp | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return `not JSON (${(err as Error).message})`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const op = (value as { op?: unknown }).op;
  if (typeof op !== 'string' || !OP_NAMES.has(op)) return `unknown op ${JSON.stringify(op)}`;
  // The shape behind a known op name was written by this code; the database rejects missing NOT NULLs.
  return value as StoreOp;
}
