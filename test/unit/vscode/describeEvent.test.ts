// The extension's Output, the CLI and the dashboard's log say something for the same events: one
// renderer in the core feeds all three, so an event kind the CLI prints is never silent in the Output.
import { strict as assert } from 'node:assert';
import { formatEvent } from '../../../src/cli/formatEvent';
import { eventLineOf } from '../../../src/core/eventLine';
import type { SprintEvent } from '../../../src/core/SprintEvents';
import { describeEvent } from '../../../src/vscode/describeEvent';

const at = 0;
/** One event of every kind, as the engine emits them. */
const oneOfEach: Record<SprintEvent['type'], SprintEvent> = {
  'run:state': { type: 'run:state', at, state: 'paused' },
  'batch:start': { type: 'batch:start', at, batchId: 1, runId: 'r', batchMode: 'fixed', maxCycles: 2, resumed: false },
  'batch:end': { type: 'batch:end', at, batchId: 1, status: 'completed', cyclesCompleted: 1, storiesDone: ['1-1-a'], storiesBlocked: [], sprintComplete: false },
  'cycle:start': { type: 'cycle:start', at, batchId: 1, cycle: 1, maxCycles: 2, storyKeys: ['1-1-a'], epicId: '1' },
  'cycle:end': { type: 'cycle:end', at, batchId: 1, cycle: 1, storyKeys: ['1-1-a'], done: ['1-1-a'], blocked: [] },
  'command:start': { type: 'command:start', at, stepKey: 'c1/dev-story/1-1-a', cycle: 1, command: 'dev-story', attempt: 1, storyKeys: ['1-1-a'], epicId: '1' },
  'command:progress': { type: 'command:progress', at, command: 'dev-story', storyKeys: ['1-1-a'], row: { timestamp: 1, epicId: '1', storyId: '1-1', command: 'dev-story', taskId: 'tests', status: 'start', message: '' } },
  'command:output': { type: 'command:output', at, stepKey: 'c1/dev-story/1-1-a', command: 'dev-story', attempt: 1, storyKeys: ['1-1-a'], line: '[1-1 dev-story#1] hello' },
  'command:end': { type: 'command:end', at, stepKey: 'c1/dev-story/1-1-a', cycle: 1, command: 'dev-story', attempt: 1, storyKeys: ['1-1-a'], outcome: 'success', durationMs: 1500, replayed: true },
  'story:status': { type: 'story:status', at, storyKey: '1-1-a', from: 'review', to: 'done', reason: 'code-review-1: ZERO ISSUES' },
  'story:phase': { type: 'story:phase', at, storyKey: '1-1-a', phase: 'dev-story', command: 'dev-story' },
  'context:status': { type: 'context:status', at, status: 'fresh', path: '/p/project-context.md' },
  'budget:reached': { type: 'budget:reached', at, scope: 'batch', limitUsd: 1, spentUsd: 1.2 },
  'commit:verified': { type: 'commit:verified', at, stepKey: 'c1/verify-commit', cycle: 1, storyKeys: ['1-1-a'], mode: 'agent', sha: '0123456789abcdef', message: 'feat(1): implement stories 1-1', files: 3 },
  'commit:failed': { type: 'commit:failed', at, stepKey: 'c1/verify-commit', cycle: 1, storyKeys: ['1-1-a'], mode: 'agent', reason: 'no-commit', detail: 'HEAD did not move' },
  'commit:review': { type: 'commit:review', at, stepKey: 'c1/commit-review/r0', cycle: 1, round: 0, storyKeys: ['1-1-a'], state: 'waiting', files: 2, insertions: 10, deletions: 1 },
  'gates:result': { type: 'gates:result', at, stepKey: 'c1/gates/1-1-a/a1', storyKey: '1-1-a', attempt: 1, ok: false, results: [{ name: 'test', ok: false, exitCode: 1, durationMs: 5, output: 'boom' }] },
  'lane:state': { type: 'lane:state', at, storyKey: '2-1-b', state: 'merged', branch: 'story/r/2-1', lane: '2-1-b' },
  'report:written': { type: 'report:written', at, path: '/p/sprint-report-r-1.md' },
  'batch:forecast': { type: 'batch:forecast', at, batchId: 1, nextBatchUsd: 4.2, basis: 'history', historyCommands: 12, stories: [{ key: '1-1-a', usd: 4.2 }] },
  'limit:wait': { type: 'limit:wait', at, stepKey: 'c1/dev-story/1-1-a', storyKeys: ['1-1-a'], resetsAt: at + 3_600_000, limitType: 'five_hour', state: 'waiting' },
  warning: { type: 'warning', at, message: 'careful' },
  error: { type: 'error', at, message: 'broken' },
};

describe('one event → text renderer for CLI, Output and dashboard', () => {
  it('the extension Output has a line for every event the CLI prints (commit, gates, lanes, report included)', () => {
    for (const e of Object.values(oneOfEach)) {
      if (e.type === 'command:output') continue; // agent lines go to the Agents channel, not the log
      const cli = formatEvent(e);
      const output = describeEvent(e);
      assert.equal(output !== undefined, cli !== undefined, `${e.type}: CLI ${JSON.stringify(cli)} vs Output ${JSON.stringify(output)}`);
    }
    for (const kind of ['commit:verified', 'gates:result', 'lane:state', 'report:written'] as const) {
      assert.ok(describeEvent(oneOfEach[kind]), `${kind} prints a line in the Output`);
    }
  });

  it('says the same words in the CLI, the Output and the dashboard log', () => {
    const e = oneOfEach['commit:verified'];
    const words = 'Commit verified 0123456789: feat(1): implement stories 1-1 (3 files)';
    assert.equal(eventLineOf(e)?.message, words);
    assert.equal(describeEvent(e)?.text, `[1-1 batch-commit] ${words}`);
    assert.equal(formatEvent(e), `[1-1 batch-commit] ${words}`);
  });

  it('levels: a failed gate warns, a failed commit is an error', () => {
    assert.equal(describeEvent(oneOfEach['gates:result'])?.level, 'warn');
    assert.equal(describeEvent(oneOfEach['commit:failed'])?.level, 'error');
    assert.match(formatEvent(oneOfEach['commit:failed'])!, /^✗ \[1-1 batch-commit\] Commit not verified \(no-commit\): HEAD did not move$/);
  });
});
