import { strict as assert } from 'node:assert';
import { agentLinePrefix, describeEvent } from '../../../src/vscode/describeEvent';
import { parseClaudeEnv } from '../../../src/vscode/parseClaudeEnv';
import { runningText, shortStoryLabel } from '../../../src/vscode/runningText';

describe('status bar and output wording', () => {
  it('reads "Sprint: cycle 2/5 · 2a-1 dev-story" while a step runs', () => {
    assert.equal(runningText({ cycle: 2, maxCycles: 5, storyKeys: ['2a-1-session-scanner-and-database-sync'], command: 'dev-story', attempt: 1 }), 'Sprint: cycle 2/5 · 2a-1 dev-story');
  });

  it('names review attempts, pairs, all-cycles mode and the start of a batch', () => {
    assert.equal(runningText({ cycle: 1, maxCycles: 1, storyKeys: ['1-1-a', '1-2-b'], command: 'code-review', attempt: 3 }), 'Sprint: cycle 1/1 · 1-1+1-2 code-review-3');
    assert.equal(runningText({ cycle: 4, maxCycles: null, storyKeys: ['5-sr-3-python-orchestrator'], command: 'create-story', attempt: 1 }), 'Sprint: cycle 4 · 5-sr-3 create-story');
    assert.equal(runningText({ storyKeys: [] }), 'Sprint: starting');
  });

  it('counts down a usage-limit wait: when the run continues and the time left', () => {
    const resetsAt = new Date(2026, 11, 4, 23, 5).getTime();
    assert.equal(
      runningText({ cycle: 1, maxCycles: 2, storyKeys: ['1-1-a'], command: 'dev-story', attempt: 1, limit: { resetsAt, at: resetsAt - 42 * 60_000 } }),
      'Sprint: usage limit · continues at 23:05 (42m 00s)',
    );
  });

  it('says when the batch commit waits for the user\'s review', () => {
    assert.equal(runningText({ cycle: 1, maxCycles: 2, storyKeys: ['1-1-a', '1-2-b'], command: 'code-review', attempt: 1, awaitingReview: ['1-1-a', '1-2-b'] }), 'Sprint: waiting for your review · 1-1+1-2 commit');
  });

  it('keeps keys it cannot shorten as written', () => {
    assert.equal(shortStoryLabel(['odd']), 'odd');
  });

  it('prefixes agent lines like the stream renderer, without a stray space when no story is involved', () => {
    assert.equal(agentLinePrefix(['1-1-add-and-list-tasks', '1-2-complete-a-task'], 'create-story', 1), '[1-1,1-2 create-story#1]');
    assert.equal(agentLinePrefix([], 'generate-project-context', 1), '[generate-project-context#1]');
  });

  it('logs a failed command as an error with its cost and message, a transient one as a warning', () => {
    const base = { at: 0, stepKey: 'c1/dev-story/1-1', cycle: 1, command: 'dev-story' as const, attempt: 1, storyKeys: ['1-1-x'], durationMs: 1500 };
    const failed = describeEvent({ ...base, type: 'command:end', outcome: 'agent-failure', message: 'no result line', usage: { inputTokens: 1, outputTokens: 1, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 0.5 } });
    assert.deepEqual(failed, { level: 'error', text: '[1-1 dev-story] agent-failure in 1s · $0.50 — no result line' });
    assert.equal(describeEvent({ ...base, type: 'command:end', outcome: 'transient' })?.level, 'warn');
    assert.equal(describeEvent({ at: 0, type: 'command:output', stepKey: 's', command: 'dev-story', attempt: 1, storyKeys: [], line: 'x' }), undefined);
  });

  it('reads SPRINT_RUNNER_CLAUDE as a path (spaces kept) or a JSON argument array', () => {
    assert.deepEqual(parseClaudeEnv('/opt/my tools/claude'), { command: '/opt/my tools/claude', args: [] });
    assert.deepEqual(parseClaudeEnv('["node", "/x/sim-claude.js"]'), { command: 'node', args: ['/x/sim-claude.js'] });
    assert.equal(parseClaudeEnv('   '), undefined);
    assert.deepEqual(parseClaudeEnv('[not json'), { command: '[not json', args: [] });
  });
});
