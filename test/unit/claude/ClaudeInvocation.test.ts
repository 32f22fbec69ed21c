import { strict as assert } from 'node:assert';
import { buildClaudeArgs, DEFAULT_PERMISSION } from '../../../src/core/claude/ClaudeInvocation';

describe('buildClaudeArgs', () => {
  it('always asks for stream-json with --verbose (the CLI refuses stream-json without it) and bypass by default', () => {
    assert.deepEqual(buildClaudeArgs({}), ['-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'bypassPermissions']);
    assert.equal(DEFAULT_PERMISSION.mode, 'bypassPermissions');
  });

  it('passes model, system prompt file, max turns, allowed tools one per argument, then extra args', () => {
    const args = buildClaudeArgs({
      model: 'claude-haiku-4-5',
      systemPromptFile: '/state/prompts/c1-code-review.system.md',
      maxTurns: 40,
      permission: { mode: 'acceptEdits', allowedTools: ['Bash(npm run test:*)', 'Edit', 'Write', 'Read'], disallowedTools: ['WebFetch'] },
      extraArgs: ['--fallback-model', 'sonnet'],
    });
    assert.deepEqual(args, [
      '-p', '--output-format', 'stream-json', '--verbose',
      '--model', 'claude-haiku-4-5',
      '--append-system-prompt-file', '/state/prompts/c1-code-review.system.md',
      '--max-turns', '40',
      '--permission-mode', 'acceptEdits',
      '--allowedTools', 'Bash(npm run test:*)', 'Edit', 'Write', 'Read',
      '--disallowedTools', 'WebFetch',
      '--fallback-model', 'sonnet',
    ]);
  });

  it('never uses the non-existent --prompt-system-append and never puts prompt text in argv', () => {
    const args = buildClaudeArgs({ systemPromptFile: '/tmp/x.md' });
    assert.ok(!args.includes('--prompt-system-append'));
    assert.ok(!args.includes('--append-system-prompt'));
    assert.ok(args.every((a) => a.length < 200));
  });

  it('rejects a bad max-turns or permission mode, naming only settings that exist', () => {
    // maxTurns is an option of the agent, not a setting: the message must not send users to a setting that does not exist.
    assert.throws(() => buildClaudeArgs({ maxTurns: 0 }), (e: Error) => /maxTurns must be a positive integer, got 0/.test(e.message) && !/sprintRunner\./.test(e.message));
    // @ts-expect-error: a value from a hand-edited settings file
    assert.throws(() => buildClaudeArgs({ permission: { mode: 'yolo' } }), /Unknown permission mode "yolo".*bypassPermissions, acceptEdits/);
  });
});
