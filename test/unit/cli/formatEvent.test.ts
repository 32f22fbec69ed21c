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
