#!/usr/bin/env node
// A claude-compatible child (stream-json on stdout) whose "Bash tool" leaves background jobs behind, the
// way real tools do. LEFTOVER_CLAUDE_MODE:
//   exit-normally  `setsid sh -c 'sleep A &'` and `nohup sh -c 'sleep B &'` (both double-forked: their
//                  parents exit at once, the sleeps are re-parented to PID 1 before anything is printed),
//                  plus `env -i setsid sleep C` (no inherited environment, kept as a direct child while a
//                  tool result is printed), then a success result and exit 0.
//   hang           `setsid tail -f /dev/null` (a direct child) and `setsid sh -c 'tail -f /dev/null &'`,
//                  then waits; on SIGINT prints an error_during_execution result and exits 1 WITHOUT
//                  ending its tools (the worst case).
// LEFTOVER_CLAUDE_SECONDS: "A,B,C" (distinct numbers, so a test finds its sleeps). The result text holds
// `token=<SPRINT_RUNNER_STEP_TOKEN>` so a test can scan /proc for it, and `jobs=<pid>,…`: the sleeps it
// saw running (with their parents) just before exiting, so a test knows they existed.

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const mode = process.env.LEFTOVER_CLAUDE_MODE ?? 'exit-normally';
const [a, b, c] = (process.env.LEFTOVER_CLAUDE_SECONDS ?? '3001,3002,3003').split(',');
const token = process.env.SPRINT_RUNNER_STEP_TOKEN ?? '';
const session = '00000000-0000-4000-8000-000000000000';

const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const exited = (child) => new Promise((resolve) => child.once('exit', resolve));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pid and ppid of each running `sleep <seconds>`. */
function sleepsOf(seconds) {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (cmd[0] !== 'sleep' || cmd[1] !== seconds) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      found.push({ pid: Number(name), ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) });
    } catch {
      // gone
    }
  }
  return found;
}

function result(isError, text) {
  out({
    type: 'result',
    subtype: isError ? 'error_during_execution' : 'success',
    is_error: isError,
    duration_ms: 10,
    num_turns: 1,
    result: isError ? undefined : text,
    errors: isError ? ['Request was aborted.'] : undefined,
    session_id: session,
    total_cost_usd: 0.001,
    usage: { input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    modelUsage: {},
    permission_denials: [],
  });
}

function toolUse(id, command) {
  out({
    type: 'assistant',
    message: { id: `msg_${id}`, model: 'claude-sonnet-4-5-20250929', role: 'assistant', type: 'message', content: [{ type: 'tool_use', id, name: 'Bash', input: { command } }] },
    parent_tool_use_id: null,
    session_id: session,
  });
}

function toolResult(id, content) {
  out({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content, is_error: false }] }, parent_tool_use_id: null, session_id: session });
}

out({ type: 'system', subtype: 'init', session_id: session, model: 'claude-sonnet-4-5-20250929', tools: ['Bash'], permissionMode: 'bypassPermissions' });

if (mode === 'exit-normally') {
  await exited(spawn('setsid', ['sh', '-c', `sleep ${a} &`], { stdio: 'ignore' }));
  await exited(spawn('nohup', ['sh', '-c', `sleep ${b} &`], { stdio: 'ignore' }));
  toolUse('toolu_1', `setsid sleep ${a} & nohup sh -c 'sleep ${b} &'`);
  toolResult('toolu_1', '');
  const scrubbed = spawn('env', ['-i', 'setsid', 'sleep', c], { stdio: 'ignore' });
  toolUse('toolu_2', `env -i setsid sleep ${c} &`);
  toolResult('toolu_2', '');
  // Long enough for the snapshot the tool result triggers; the job is still our child then.
  await sleep(600);
  scrubbed.unref();
  let jobs = [];
  for (let i = 0; i < 40; i++) {
    jobs = [a, b, c].flatMap(sleepsOf);
    if (jobs.length === 3) break;
    await sleep(25);
  }
  result(false, `Started background jobs. token=${token} jobs=${jobs.map((j) => `${j.pid}:${j.ppid}`).join(',')}`);
  process.exit(0);
} else if (mode === 'hang') {
  spawn('setsid', ['tail', '-f', '/dev/null'], { stdio: 'ignore' }).unref();
  await exited(spawn('setsid', ['sh', '-c', 'tail -f /dev/null &'], { stdio: 'ignore' }));
  process.on('SIGINT', () => {
    result(true);
    process.exit(1);
  });
  toolUse('toolu_1', 'tail -f /dev/null');
  setInterval(() => undefined, 60_000);
} else {
  process.stderr.write(`leftoverClaude: unknown LEFTOVER_CLAUDE_MODE ${mode}\n`);
  process.exit(2);
}
