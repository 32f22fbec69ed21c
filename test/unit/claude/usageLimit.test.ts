// The reset time of a usage limit, from the stream-json `rate_limit_event` and from the CLI's limit text,
// and the same through ClaudeAgent over sim-claude (a real process).

import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { ClaudeRunTranscript } from '../../../src/core/claude/ClaudeRunTranscript';
import { ClaudeStreamParser } from '../../../src/core/claude/ClaudeStreamParser';
import { classifyWithLimits } from '../../../src/core/claude/classifyOutcome';
import { ClaudeAgent } from '../../../src/infra/claude/ClaudeAgent';
import { aRequest, buildSim, HELPER, makeWorkspace } from '../infra/claude/simHarness';

function transcriptOf(lines: object[]): ClaudeRunTranscript {
  const parser = new ClaudeStreamParser();
  const run = new ClaudeRunTranscript();
  for (const l of lines) for (const ev of parser.parseLine(JSON.stringify(l))) run.add(ev);
  return run;
}

const END = { exitCode: 1, signal: null, stderr: '' };
const errorResult = (text: string) => ({ type: 'result', subtype: 'success', is_error: true, api_error_status: 429, result: text, session_id: 's', total_cost_usd: 0, usage: {} });

describe('usage limits: the reset time', () => {
  it('parses rate_limit_event (status, resetsAt, rateLimitType); an event without rate_limit_info stays "other"', () => {
    const p = new ClaudeStreamParser();
    assert.deepEqual(p.parseLine('{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":1765000000,"rateLimitType":"five_hour"}}'), [
      { kind: 'rate-limit', status: 'rejected', resetsAt: 1765000000, rateLimitType: 'five_hour' },
    ]);
    assert.equal(p.parseLine('{"type":"rate_limit_event","x":1}')[0].kind, 'other');
  });

  it('a rejected rate_limit_event: transient usage-limit with its reset (ms) and type', () => {
    const run = transcriptOf([{ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: 1765000000, rateLimitType: 'seven_day' } }, errorResult('API Error: 429 rate limited')]);
    const v = classifyWithLimits(run, END);
    assert.equal(v.outcome, 'transient');
    assert.equal(v.errorClass, 'usage-limit');
    assert.equal(v.resetsAt, 1765000000 * 1000);
    assert.equal(v.limitType, 'seven_day');
    assert.match(v.message!, /usage limit \(seven_day\) reached; it resets at 2025-12-06T05:46:40\.000Z/);
  });

  it('the CLI text `Claude AI usage limit reached|<epoch s>` gives the reset', () => {
    const run = transcriptOf([errorResult('Claude AI usage limit reached|1765000000')]);
    const v = classifyWithLimits(run, END);
    assert.equal(v.outcome, 'transient');
    assert.equal(v.resetsAt, 1765000000 * 1000);
  });

  it('an allowed_warning event on a successful run changes nothing; a 429 without a reset stays a plain transient', () => {
    const ok = transcriptOf([{ type: 'rate_limit_event', rate_limit_info: { status: 'allowed_warning', resetsAt: 1765000000 } }, { type: 'result', subtype: 'success', is_error: false, result: 'done', total_cost_usd: 0, usage: {} }]);
    assert.deepEqual(classifyWithLimits(ok, { ...END, exitCode: 0 }), { outcome: 'success' });
    const plain = classifyWithLimits(transcriptOf([errorResult('API Error: Request rejected (429) · Rate limited')]), END);
    assert.equal(plain.outcome, 'transient');
    assert.equal(plain.resetsAt, undefined);
  });

  it('ClaudeAgent over sim-claude (fail: usage-limit): transient, resetsAt from the stream, limit type', async function () {
    this.timeout(30_000);
    const sim = await buildSim();
    const ws = makeWorkspace({ '1-1-hello-world': 'ready-for-dev' });
    const agent = new ClaudeAgent({
      command: sim,
      logDir: ws.logDir,
      stateDir: ws.stateDir,
      progressHelperPath: HELPER,
      env: { IS_SANDBOX: '1', SIM_CLAUDE_SCENARIO: ws.scenario({ delayMs: 1, rules: [{ command: 'dev-story', fail: 'usage-limit', resetInSeconds: 120 }] }), SIM_CLAUDE_STATE_DIR: path.join(ws.stateDir, 'sim') },
    });
    const before = Date.now();
    const res = await agent.execute(aRequest(ws));
    assert.equal(res.outcome, 'transient');
    assert.equal(res.errorClass, 'usage-limit');
    assert.equal(res.limitType, 'five_hour');
    assert.ok(res.resetsAt! >= Math.floor(before / 1000) * 1000 + 119_000 && res.resetsAt! <= Date.now() + 121_000, String(res.resetsAt));
  });
});
