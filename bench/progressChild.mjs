#!/usr/bin/env node
// A child for B5 that speaks stream-json like `claude -p --verbose`: init, then one `user` tool_result
// line per progress CSV line (every PROGRESS_CHILD_INTERVAL_MS), then a clean `result`. Each CSV line's
// message carries the wall-clock instant it was printed (performance.timeOrigin + now(), sub-ms).
// Flags are accepted and ignored; stdin (the prompt) is read to its end first, as the real CLI does.

const count = Number(process.env.PROGRESS_CHILD_LINES ?? 300);
const intervalMs = Number(process.env.PROGRESS_CHILD_INTERVAL_MS ?? 5);
const session = '00000000-0000-4000-8000-000000000005';
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

process.stdin.resume();
process.stdin.on('data', () => {});
process.stdin.on('end', () => {
  out({ type: 'system', subtype: 'init', session_id: session, model: 'claude-sonnet-4-5', tools: ['Bash'], permissionMode: 'bypassPermissions', cwd: process.cwd() });
  let i = 0;
  const tick = () => {
    if (i >= count) {
      out({ type: 'result', subtype: 'success', is_error: false, result: 'done', num_turns: 1, duration_ms: 1, total_cost_usd: 0, session_id: session,
        usage: { input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }, modelUsage: {}, permission_denials: [] });
      return;
    }
    const printedAt = performance.timeOrigin + performance.now();
    const csv = `${Math.floor(Date.now() / 1000)},2a,2a-1,dev-story,implement,start,"seq=${i} printedAt=${printedAt.toFixed(3)}"`;
    out({ type: 'user', message: { role: 'user', content: [{ tool_use_id: `toolu_${i}`, type: 'tool_result', content: csv, is_error: false }] }, parent_tool_use_id: null, session_id: session });
    i++;
    setTimeout(tick, intervalMs);
  };
  tick();
});
