import { strict as assert } from 'node:assert';
import { formatEvent } from '../../../src/cli/formatEvent';

describe('formatEvent', () => {
  const at = 0;
  it('says what each cycle covers and how a batch ended', () => {
    assert.equal(
      formatEvent({ type: 'cycle:start', at, batchId: 1, cycle: 2, maxCycles: 5, storyKeys: ['2a-1-x', '2a-2-y'], epicId: '2a' }),
      '[2a-1 2a-2 cycle] Cycle 2/5 started (epic 2a)',
    );
    assert.match(
      formatEvent({ type: 'batch:end', at, batchId: 3, status: 'stopped', cyclesCompleted: 1, storiesDone: ['1-1'], storiesBlocked: ['1-2'], reason: 'interrupted by SIGINT', sprintComplete: false })!,
      /Batch #3 stopped after 1 cycle\(s\): done: 1-1; blocked: 1-2 — interrupted by SIGINT/,
    );
  });

  it('prints the forecast at the start of a batch, and a usage-limit wait with its reset time and the time left', () => {
    assert.equal(
      formatEvent({ type: 'batch:forecast', at, batchId: 2, nextBatchUsd: 3.3, basis: 'default', historyCommands: 0, stories: [{ key: '1-1-a', usd: 3.3 }], budgetUsd: 1 }),
      '⚠ [forecast] Forecast for this batch: $3.30 for 1 story (default costs: no history yet); budget $1.00',
    );
    const resetsAt = Date.UTC(2026, 11, 4, 23, 0, 0);
    assert.equal(
      formatEvent({ type: 'limit:wait', at: resetsAt - 90 * 60_000, stepKey: 'c1/dev-story/1-1-a', storyKeys: ['1-1-a'], resetsAt, limitType: 'five_hour', state: 'waiting' }),
      '⚠ [1-1 usage-limit] Usage limit (five_hour) reached: waiting until 2026-12-04T23:00:00.000Z (1h 30m left); the run continues by itself, stop cancels',
    );
  });

  it('reports an unverified batch commit with its reason and the paths involved', () => {
    const line = formatEvent({ type: 'commit:failed', at, stepKey: 'c1/verify-commit', cycle: 1, storyKeys: ['1-1'], mode: 'agent', reason: 'no-commit', detail: 'HEAD did not move', paths: ['src/a.ts'] });
    assert.equal(line, '✗ [1-1 batch-commit] Commit not verified (no-commit): HEAD did not move — src/a.ts');
  });

  it('lists every gate with its outcome', () => {
    const line = formatEvent({
      type: 'gates:result', at, stepKey: 'k', storyKey: '1-1', attempt: 2, ok: false,
      results: [
        { name: 'test', ok: false, exitCode: 1, durationMs: 5, output: 'boom' },
        { name: 'lint', ok: true, exitCode: 0, durationMs: 5, output: '' },
      ],
    });
    assert.equal(line, '⚠ [1-1 gates] Quality gates before code-review #2: test failed (exit 1), lint passed');
  });

  it('prints nothing of its own for a command that ran (the agent renderer did)', () => {
    assert.equal(formatEvent({ type: 'command:end', at, stepKey: 'k', cycle: 1, command: 'dev-story', attempt: 1, storyKeys: ['1-1'], outcome: 'success', durationMs: 1 }), undefined);
    assert.match(formatEvent({ type: 'command:end', at, stepKey: 'k', cycle: 1, command: 'dev-story', attempt: 1, storyKeys: ['1-1'], outcome: 'success', durationMs: 1, replayed: true })!, /success .*\(from journal\)/);
  });
});
