// What the tree and the status bar show while a run goes on, and when Resume is offered.
import { strict as assert } from 'node:assert';
import type { SprintEvent } from '../../../src/core/SprintEvents';
import { canResumeBatch } from '../../../src/core/workflow/RunTypes';
import { RunActivity } from '../../../src/vscode/RunActivity';

const usage = { inputTokens: 100, outputTokens: 50, cacheCreationInputTokens: 30, cacheReadInputTokens: 20, costUsd: 0.4 };

describe('RunActivity (tree and status bar) and the Resume rule', () => {
  it('a command covering a pair costs each story half; the batch counts it once; replays add nothing', () => {
    const a = new RunActivity();
    const pair = ['1-1-a', '1-2-b'];
    const events: SprintEvent[] = [
      { type: 'batch:start', at: 0, batchId: 1, runId: 'r', batchMode: 'fixed', maxCycles: 1, resumed: false },
      { type: 'command:start', at: 1, stepKey: 'c1/create-story', cycle: 1, command: 'create-story', attempt: 1, storyKeys: pair, epicId: '1' },
      { type: 'command:end', at: 2, stepKey: 'c1/create-story', cycle: 1, command: 'create-story', attempt: 1, storyKeys: pair, outcome: 'success', durationMs: 1, usage },
      { type: 'command:end', at: 3, stepKey: 'c1/create-story', cycle: 1, command: 'create-story', attempt: 1, storyKeys: pair, outcome: 'success', durationMs: 0, usage, replayed: true },
    ];
    for (const e of events) a.apply(e);
    for (const key of pair) {
      assert.deepEqual({ ...a.of(key) }, { working: false, command: 'create-story', attempt: 1, lastCommand: 'create-story (success)', tokens: 100, costUsd: 0.2 });
    }
    assert.equal(a.progress.costUsd, 0.4);
  });

  it('the status bar says a batch commit waits for the review until it is answered or the batch ends', () => {
    const a = new RunActivity();
    const review = { type: 'commit:review' as const, at: 1, stepKey: 'c1/commit-review/r0', cycle: 1, round: 0, storyKeys: ['1-1-a'] };
    a.apply({ ...review, state: 'waiting', files: 2, insertions: 3, deletions: 0 });
    assert.deepEqual(a.progress.awaitingReview, ['1-1-a']);
    a.apply({ ...review, state: 'rejected', reason: 'no' });
    assert.equal(a.progress.awaitingReview, undefined);
    a.apply({ ...review, state: 'waiting' });
    a.apply({ type: 'batch:end', at: 2, batchId: 1, status: 'paused', cyclesCompleted: 0, storiesDone: [], storiesBlocked: [], sprintComplete: false });
    assert.equal(a.progress.awaitingReview, undefined, 'a batch paused while waiting does not keep saying so');
  });

  it('shows a story as working while its command runs', () => {
    const a = new RunActivity();
    a.apply({ type: 'command:start', at: 1, stepKey: 'c1/code-review/1-1-a/a2', cycle: 1, command: 'code-review', attempt: 2, storyKeys: ['1-1-a'], epicId: '1' });
    assert.equal(a.of('1-1-a')?.working, true);
    assert.equal(a.progress.command, 'code-review');
    a.stopWorking();
    assert.equal(a.of('1-1-a')?.working, false);
  });

  it('Resume is offered for a paused, stopped or interrupted batch, never for a finished one', () => {
    assert.deepEqual(
      (['running', 'paused', 'stopped', 'completed', 'failed', undefined] as const).map((s) => canResumeBatch(s)),
      [true, true, true, false, false, false],
    );
  });
});
