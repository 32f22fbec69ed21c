import { strict as assert } from 'node:assert';
import { StreamLineReader } from '../../../src/core/claude/StreamLineReader';
import { ClaudeStreamParser } from '../../../src/core/claude/ClaudeStreamParser';

describe('StreamLineReader', () => {
  it('joins lines cut across chunks and splits several lines in one chunk', () => {
    const r = new StreamLineReader();
    assert.deepEqual(r.push(Buffer.from('{"a":')), []);
    assert.deepEqual(r.push(Buffer.from('1}\n{"b":2}\n{"c"')), ['{"a":1}', '{"b":2}']);
    assert.deepEqual(r.push(Buffer.from(':3}\n')), ['{"c":3}']);
    assert.deepEqual(r.end(), []);
  });

  it('strips CRLF, also when \\r and \\n arrive in different chunks', () => {
    const r = new StreamLineReader();
    assert.deepEqual(r.push(Buffer.from('one\r\ntwo\r')), ['one']);
    assert.deepEqual(r.push(Buffer.from('\nthree')), ['two']);
    assert.deepEqual(r.end(), ['three']);
  });

  it('keeps a multi-byte UTF-8 character split between chunks intact', () => {
    const bytes = Buffer.from('{"t":"déjà vu ✓ 🚀"}\n', 'utf8');
    for (let cut = 1; cut < bytes.length - 1; cut++) {
      const r = new StreamLineReader();
      const lines = [...r.push(bytes.subarray(0, cut)), ...r.push(bytes.subarray(cut)), ...r.end()];
      assert.deepEqual(lines, ['{"t":"déjà vu ✓ 🚀"}'], `cut at ${cut}`);
    }
  });

  it('has no line-length cap: a 5 MB line in 64 KiB chunks arrives whole and parses', () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    const line = JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: big }] }, parent_tool_use_id: null });
    const bytes = Buffer.from(`${line}\n{"type":"system","subtype":"status"}\n`);
    const r = new StreamLineReader();
    const lines: string[] = [];
    for (let i = 0; i < bytes.length; i += 65536) lines.push(...r.push(bytes.subarray(i, i + 65536)));
    lines.push(...r.end());
    assert.equal(lines.length, 2);
    assert.equal(lines[0].length, line.length);
    const [ev] = new ClaudeStreamParser().parseLine(lines[0]);
    assert.equal(ev.kind, 'tool-result');
    assert.equal(ev.kind === 'tool-result' && ev.content.length, big.length);
  });

  it('returns the last line without a newline at end(), and nothing for an empty stream', () => {
    const r = new StreamLineReader();
    assert.deepEqual(r.push('abc'), []);
    assert.deepEqual(r.end(), ['abc']);
    assert.deepEqual(new StreamLineReader().end(), []);
  });
});

describe('ClaudeStreamParser on odd input', () => {
  it('turns non-JSON and shapeless lines into warnings, never throws', () => {
    const p = new ClaudeStreamParser();
    const evs = [
      ...p.parseLine('Warning: something odd happened'),
      ...p.parseLine('{"type":"assistant","message":{"content":[{"type":"text","text":"cut'),
      ...p.parseLine('[1,2,3]'),
      ...p.parseLine('{"no":"type"}'),
      ...p.parseLine(''),
    ];
    assert.deepEqual(evs.map((e) => e.kind), ['warning', 'warning', 'warning', 'warning']);
    assert.match(evs[0].kind === 'warning' ? evs[0].message : '', /line 1: not JSON: Warning: something odd/);
    assert.equal(evs[1].kind === 'warning' && evs[1].lineNumber, 2);
  });

  it('reads tool results with array content, absent is_error and a parent tool id', () => {
    const p = new ClaudeStreamParser();
    const [ev] = p.parseLine(
      JSON.stringify({
        type: 'user',
        parent_tool_use_id: 'toolu_parent',
        message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] },
      }),
    );
    assert.deepEqual(ev, { kind: 'tool-result', toolUseId: 'toolu_1', content: 'a\nb', isError: false, parentToolUseId: 'toolu_parent' });
  });

  it('keeps unknown event types as `other` and unknown system subtypes as `system`', () => {
    const p = new ClaudeStreamParser();
    assert.equal(p.parseLine('{"type":"rate_limit_event","x":1}')[0].kind, 'other');
    const [s] = p.parseLine('{"type":"system","subtype":"thinking_tokens","estimated_tokens":6}');
    assert.equal(s.kind === 'system' && s.subtype, 'thinking_tokens');
  });
});
