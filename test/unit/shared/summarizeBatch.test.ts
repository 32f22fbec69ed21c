import { strict as assert } from 'node:assert';
import { batchStoryRows, summarizeBatch } from '../../../src/shared/summarizeBatch';
import type { BatchRecord, CommandRecord, StoredEvent } from '../../../src/core/store/RunStore';
import type { SprintEvent } from '../../../src/core/SprintEvents';

const batch: BatchRecord = {
  id: 5, runId: 'r5', startedAt: 1000, endedAt: 61_000, batchMode: 'fixed', maxCycles: 2, cyclesCompleted: 2, status: 'completed', options: { batchMode: 'fixed', maxCycles: 2 }, reason: null,
};

function cmd(id: number, storyKeys: string[], costUsd: number, command: CommandRecord['command'] = 'dev-story'): CommandRecord {
  return {
    id, batchId: 5, stepKey: `s${id}`, cycle: 1, command, attempt: 1, storyKeys, epicId: '1', startedAt: id * 100, endedAt: id * 100 + 50, outcome: 'success',
    usage: { inputTokens: 1, outputTokens: 1, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd }, outputSummary: null, logPath: null,
  };
}

function ev(id: number, payload: SprintEvent): StoredEvent {
  return { id, batchId: 5, timestamp: payload.at, type: payload.type, storyKey: null, epicId: null, command: null, taskId: null, status: null, message: null, payload };
}

describe('summarizeBatch / batchStoryRows', () => {
  const commands = [cmd(1, ['1-1-a', '1-2-b'], 1, 'create-story'), cmd(2, ['1-1-a'], 2), cmd(3, ['1-2-b'], 3, 'code-review')];

  it('takes done/blocked from batch:end and sums cost and duration', () => {
    const s = summarizeBatch(batch, commands, [
      ev(1, { type: 'story:status', at: 1, storyKey: '1-1-a', to: 'in-progress' }),
      ev(2, { type: 'batch:end', at: 2, batchId: 5, status: 'completed', cyclesCompleted: 2, storiesDone: ['1-1-a'], storiesBlocked: ['1-2-b'], sprintComplete: false }),
    ]);
    assert.deepEqual([s.storiesDone, s.storiesBlocked, s.durationMs, s.usage.costUsd, s.commands], [['1-1-a'], ['1-2-b'], 60_000, 6, 3]);
  });

  it('falls back to story:status events when the batch never ended (crash)', () => {
    const s = summarizeBatch({ ...batch, endedAt: null, status: 'running' }, commands, [
      ev(1, { type: 'story:status', at: 1, storyKey: '1-1-a', to: 'done' }),
      ev(2, { type: 'story:status', at: 2, storyKey: '1-2-b', to: 'blocked' }),
    ]);
    assert.deepEqual([s.storiesDone, s.storiesBlocked, s.durationMs], [['1-1-a'], ['1-2-b'], null]);
  });

  it('drills down to one row per story, shared costs split evenly', () => {
    const rows = batchStoryRows(commands, [ev(1, { type: 'story:status', at: 1, storyKey: '1-1-a', to: 'done' })]);
    assert.deepEqual(rows.map((r) => [r.storyKey, r.commands, r.usage.costUsd, r.outcome, r.lastCommand]), [
      ['1-1-a', 2, 2.5, 'done', 'dev-story'],
      ['1-2-b', 2, 3.5, 'touched', 'code-review-1'],
    ]);
  });
});
