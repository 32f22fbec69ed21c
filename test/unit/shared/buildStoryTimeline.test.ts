import { strict as assert } from 'node:assert';
import { buildStoryTimeline, pairPhases } from '../../../src/shared/buildStoryTimeline';
import type { CommandRecord, StoredEvent } from '../../../src/core/store/RunStore';

const T = 1_769_210_247_000;
const KEY = '4-1-loading-screen';

function cmd(id: number, command: CommandRecord['command'], attempt: number, start: number, end: number | null, costUsd: number, storyKeys = [KEY]): CommandRecord {
  return {
    id, batchId: 3, stepKey: `c1/${command}/a${attempt}`, cycle: 1, command, attempt, storyKeys, epicId: '4', startedAt: T + start * 1000,
    endedAt: end === null ? null : T + end * 1000, outcome: end === null ? null : 'success',
    usage: { inputTokens: 10, outputTokens: 20, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd },
    outputSummary: null, logPath: `/logs/${id}.ndjson`,
  };
}

function progress(id: number, s: number, command: string, taskId: string, status: string, message: string, stepKey?: string): StoredEvent {
  const payload = {
    type: 'command:progress' as const, at: T + s * 1000, stepKey, command, storyKeys: [KEY],
    row: { timestamp: (T + s * 1000) / 1000, epicId: '4', storyId: '4-1', command, taskId, status, message },
  };
  return { id, batchId: 3, timestamp: payload.at, type: payload.type, storyKey: KEY, epicId: '4', command, taskId, status, message, payload };
}

describe('buildStoryTimeline', () => {
  it('lists the story commands in order with durations, split costs and phases from start/end pairs', () => {
    const t = buildStoryTimeline(KEY, '4-1', [
      cmd(2, 'code-review', 2, 300, 400, 0.5),
      cmd(1, 'create-story', 1, 0, 180, 1.0, [KEY, '4-2-offline']),
    ], [
      // real rows from sprint-runner.csv (create-story of 4-1)
      progress(1, 0, 'create-story', 'setup', 'start', 'Initializing story creation for 4-1'),
      progress(2, 39, 'create-story', 'setup', 'end', 'Setup complete (files:1)'),
      progress(3, 44, 'create-story', 'analyze', 'start', 'Analyzing epic requirements'),
      progress(4, 55, 'create-story', 'analyze', 'end', 'Requirements analyzed (sections:6)'),
      progress(5, 65, 'create-story', 'write', 'start', 'Writing story file'),
      progress(6, 310, 'code-review-2', 'review', 'start', 'Reviewing', 'c1/code-review/a2'),
      progress(7, 320, 'code-review-1', 'review', 'start', 'another attempt'),
    ]);
    assert.deepEqual(t.commands.map((c) => c.label), ['create-story', 'code-review-2']);
    const [create, review] = t.commands;
    assert.equal(create.durationMs, 180_000);
    assert.equal(create.usage.costUsd, 0.5, 'shared with 4-2: half the cost');
    assert.deepEqual(create.phases.map((p) => [p.taskId, p.durationMs]), [['setup', 39_000], ['analyze', 11_000], ['write', undefined]]);
    assert.deepEqual(review.phases.map((p) => p.message), ['Reviewing'], 'a row with a stepKey belongs to that step only');
    assert.equal(review.logPath, '/logs/2.ndjson');
    assert.equal(t.usage.costUsd, 1.0);
    assert.equal(t.durationMs, 280_000);
  });

  it('pairs each end with the open start of the same task id', () => {
    const phases = pairPhases([
      { taskId: 'a', status: 'start', message: 'A', at: 0 },
      { taskId: 'b', status: 'start', message: 'B', at: 1 },
      { taskId: 'a', status: 'end', message: 'A done', at: 5 },
      { taskId: 'b', status: 'end', message: '', at: 7 },
      { taskId: 'c', status: 'end', message: 'lonely end', at: 9 },
    ]);
    assert.deepEqual(phases.map((p) => [p.taskId, p.durationMs, p.message]), [['a', 5, 'A done'], ['b', 6, 'B'], ['c', 0, 'lonely end']]);
  });
});
