import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { ClaudeStreamParser } from '../../../src/core/claude/ClaudeStreamParser';
import { formatDuration, formatTokens, stepLabel, StreamRenderer } from '../../../src/core/claude/StreamRenderer';
import { fixturePath } from '../../support/fixtures';

describe('StreamRenderer', () => {
  const r = (): StreamRenderer => new StreamRenderer({ storyIds: ['2a-1'], command: 'dev-story', attempt: 1 });

  it('renders tool calls, truncated results, retries and text with the step prefix', () => {
    const renderer = r();
    assert.deepEqual(renderer.render({ kind: 'tool-use', id: 't1', name: 'Bash', input: { command: 'npm test' }, parentToolUseId: null }), ['[2a-1 dev-story#1] ▸ Bash: npm test']);
    assert.deepEqual(
      renderer.render({ kind: 'tool-result', toolUseId: 't1', content: '12 passing\nline2\nline3\n', isError: false, parentToolUseId: null }),
      ['[2a-1 dev-story#1]   ✓ 12 passing … 2 more lines'],
    );
    assert.deepEqual(
      renderer.render({ kind: 'tool-result', toolUseId: 't2', content: 'Exit code 3\nboom', isError: true, parentToolUseId: null }),
      ['[2a-1 dev-story#1]   ✗ Exit code 3 … 1 more line'],
    );
    assert.deepEqual(renderer.render({ kind: 'api-retry', attempt: 2, maxRetries: 10, errorStatus: 529, error: 'overloaded' }), ['[2a-1 dev-story#1] ⟳ retry 2/10: overloaded (529)']);
    assert.deepEqual(renderer.render({ kind: 'assistant-text', text: 'Done.\n\nHIGHEST SEVERITY: LOW', parentToolUseId: null, synthetic: false }), [
      '[2a-1 dev-story#1] Done.',
      '[2a-1 dev-story#1] HIGHEST SEVERITY: LOW',
    ]);
  });

  it('ends with the done line: duration, tokens in/out, cost', () => {
    const line = r().finish('success', 252_000, { inputTokens: 30_000, cacheReadInputTokens: 8_200, cacheCreationInputTokens: 0, outputTokens: 6_100, costUsd: 0.42 });
    assert.equal(line, '[2a-1 dev-story#1] ✓ done in 4m12s · 38.2k in / 6.1k out · $0.42');
    const failed = new StreamRenderer({ storyIds: ['1-1', '1-2'], command: 'code-review', attempt: 3 }).finish('transient', 2000, undefined, 'API Error: 529 Overloaded\nmore');
    assert.equal(failed, '[1-1,1-2 code-review#3] ✗ failed (transient) in 2s: API Error: 529 Overloaded');
  });

  it('renders a whole real transcript without throwing, one line per tool call', () => {
    const parser = new ClaudeStreamParser();
    const renderer = r();
    const lines = readFileSync(fixturePath('claude-stream-json', 'cli-2.1.197', 'multi.ndjson'), 'utf8')
      .split('\n')
      .flatMap((l) => parser.parseLine(l))
      .flatMap((e) => renderer.render(e));
    assert.equal(lines.filter((l) => l.includes('▸ Bash:')).length, 2);
    assert.ok(lines.every((l) => l.startsWith('[2a-1 dev-story#1] ') && !l.includes('\n')));
  });

  it('formats durations and token counts', () => {
    assert.equal(formatDuration(59_400), '59s');
    assert.equal(formatDuration(3_725_000), '1h02m');
    assert.equal(formatTokens(999), '999');
    assert.equal(formatTokens(1_250_000), '1.3M');
  });
});

describe('stepLabel', () => {
  it('leaves no blank story slot for a step of no story', () => {
    assert.equal(stepLabel([], 'generate-project-context', 1), '[generate-project-context#1]');
    assert.equal(stepLabel(['2a-1', '2a-2'], 'code-review', 3), '[2a-1,2a-2 code-review#3]');
  });
});
