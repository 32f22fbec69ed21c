// Every transcript the real CLI printed (test/fixtures/claude-stream-json) must parse into its outcome,
// result text, tokens and cost. A new fixture file without an expectation here fails the suite.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { AgentOutcome } from '../../../src/core/agent/AgentContract';
import { ClaudeRunTranscript } from '../../../src/core/claude/ClaudeRunTranscript';
import { ClaudeStreamParser } from '../../../src/core/claude/ClaudeStreamParser';
import { StreamLineReader } from '../../../src/core/claude/StreamLineReader';
import { classifyOutcome } from '../../../src/core/claude/classifyOutcome';
import { fixturePath } from '../../support/fixtures';

const FIXTURES = fixturePath('claude-stream-json');

interface Expectation {
  outcome: AgentOutcome;
  errorClass?: string;
  /** Start of the result text (outputText) or, for failures, of the message. */
  text: string;
  messageIncludes?: string;
  input: number;
  output: number;
  cost: number;
  results?: number;
}

const hello = 'Hello from the mock Anthropic API. This is a plain text answ';
const ok = (text: string, input: number, output: number, cost: number): Expectation => ({ outcome: 'success', text, input, output, cost });

const EXPECTED: Record<string, Expectation> = {
  'cli-2.1.197/agent': ok('Main agent done. Sub-agent said: [{"type":"text","text":"Sub', 90326, 644, 0.093546),
  'cli-2.1.197/bash-bigout': ok('The command ran. Tool said: <persisted-output>', 58370, 613, 0.061435000000000003),
  'cli-2.1.197/bash-denied-write': ok("The command ran. Tool said: Output redirection to '/home/dev", 57783, 120, 0.058383000000000004),
  'cli-2.1.197/bash-fail': ok('The command failed as expected: Exit code 3', 57664, 39, 0.057859),
  'cli-2.1.197/bash-partial': ok('The command ran. Tool said: 1769210247,4,4-1,create-story', 57705, 86, 0.058135000000000006),
  'cli-2.1.197/bash': ok('The command ran. Tool said: 1769210247,4,4-1,create-story', 57764, 86, 0.058193999999999996),
  'cli-2.1.197/budget': { outcome: 'agent-failure', errorClass: 'error_max_budget_usd', text: '', messageIncludes: 'Reached maximum budget ($0.001)', input: 28806, output: 14, cost: 0.028876 },
  'cli-2.1.197/err400': { outcome: 'permanent', errorClass: 'api-error', text: 'API Error: 400 messages: bad request (mock)', messageIncludes: 'API Error: 400', input: 0, output: 0, cost: 0 },
  'cli-2.1.197/err401': { outcome: 'permanent', errorClass: 'api-error', text: 'Invalid API key', messageIncludes: 'Invalid API key · Fix external API key', input: 0, output: 0, cost: 0 },
  'cli-2.1.197/err429': { outcome: 'transient', errorClass: 'api-error', text: 'API Error: Request rejected (429)', messageIncludes: 'Rate limited', input: 0, output: 0, cost: 0 },
  'cli-2.1.197/err500-once': ok('Recovered after one 500.', 28781, 6, 0.028811),
  'cli-2.1.197/err500': { outcome: 'transient', errorClass: 'api-error', text: 'API Error: 500 Internal server error', messageIncludes: '500 Internal server error', input: 0, output: 0, cost: 0 },
  'cli-2.1.197/err529': { outcome: 'transient', errorClass: 'api-error', text: 'API Error: 529 Overloaded', messageIncludes: '529 Overloaded', input: 0, output: 0, cost: 0 },
  'cli-2.1.197/input-stream': ok(hello, 28788, 23, 0.028903),
  'cli-2.1.197/maxturns-1': { outcome: 'agent-failure', errorClass: 'error_max_turns', text: '', messageIncludes: 'Reached maximum number of turns (1)', input: 28783, output: 14, cost: 0.028853 },
  'cli-2.1.197/maxturns': { outcome: 'agent-failure', errorClass: 'error_max_turns', text: '', messageIncludes: 'Reached maximum number of turns (2)', input: 57641, output: 28, cost: 0.057781 },
  'cli-2.1.197/multi': ok('Both commands ran: first-command-output | second-command-out', 57727, 57, 0.058012),
  'cli-2.1.197/noconn': { outcome: 'transient', errorClass: 'api-error', text: 'API Error: Unable to connect to API (ConnectionRefused)', messageIncludes: 'Unable to connect', input: 0, output: 0, cost: 0 },
  'cli-2.1.197/read': ok('Read it: 1\talpha\n2\tbeta,gamma\n3\t', 57654, 32, 0.057814),
  'cli-2.1.197/resume': ok(hello, 28840, 23, 0.028955),
  'cli-2.1.197/session-id': ok(hello, 28782, 23, 0.028897),
  'cli-2.1.197/sse-error-recover': ok('Recovered via non-streaming fallback.', 28812, 15, 0.028887),
  'cli-2.1.197/sse-error': { outcome: 'transient', errorClass: 'api-error', text: 'API Error: 529 Overloaded (mock, non-streaming fallback)', messageIncludes: '529 Overloaded', input: 30, output: 3, cost: 0.000045 },
  'cli-2.1.197/text-sonnet': ok(hello, 28754, 23, 0.08660699999999999),
  'cli-2.1.197/text': ok(hello, 28804, 23, 0.028919),
  'cli-2.1.197/thinking': ok('After thinking: hello!', 28783, 22, 0.028893),
  'cli-2.1.197/write-denied': ok('Wrote the file. Tool said: Claude requested permissions to w', 57720, 88, 0.05816),
  'cli-2.1.197/write': ok('Wrote the file. Tool said: File created successfully at: /ho', 57706, 89, 0.058150999999999994),
  'cli-2.1.330/agent': { ...ok('Main agent done. Sub-agent said: [{"type":"text","text":"Asy', 54913, 212, 0.0055972999999999995), results: 2 },
  'cli-2.1.330/bash-denied-write': ok('The command ran. Tool said: \n\n[TECH-SPEC-DECISION: SKIP]', 26109, 62, 0.0026419),
  'cli-2.1.330/bash-denied': ok('The command ran. Tool said: \n\n[TECH-SPEC-DECISION: SKIP]', 26019, 67, 0.0026354000000000004),
  'cli-2.1.330/bash-fail': ok('The command failed as expected: Exit code 3', 25978, 39, 0.0026173000000000004),
  'cli-2.1.330/bash-multiline': ok('The command ran. Tool said: 1769210247,4,4-1,create-story', 26160, 126, 0.002679),
  'cli-2.1.330/bash-partial': ok('The command ran. Tool said: \n\n[TECH-SPEC-DECISION: SKIP]', 26020, 67, 0.0026355),
  'cli-2.1.330/bash-root-refused': { outcome: 'permanent', errorClass: 'root-bypass-refused', text: '', messageIncludes: 'IS_SANDBOX=1', input: 0, output: 0, cost: 0, results: 0 },
  'cli-2.1.330/bash': ok('The command ran. Tool said: 1769210247,4,4-1,create-story', 26079, 86, 0.0026509),
  'cli-2.1.330/budget': { outcome: 'agent-failure', errorClass: 'error_max_budget_usd', text: '', messageIncludes: 'Reached maximum budget ($0.001)', input: 12938, output: 14, cost: 0.0013008000000000002 },
  'cli-2.1.330/empty-prompt': { outcome: 'permanent', errorClass: 'cli-error', text: '', messageIncludes: 'Input must be provided either through stdin or as a prompt argument', input: 0, output: 0, cost: 0, results: 0 },
  'cli-2.1.330/err400': { outcome: 'permanent', errorClass: 'api-error', text: 'API Error: 400 messages: bad request (mock)', messageIncludes: 'API Error: 400', input: 0, output: 0, cost: 0 },
  'cli-2.1.330/err401': { outcome: 'permanent', errorClass: 'api-error', text: 'Invalid API key', messageIncludes: 'Invalid API key · Fix external API key', input: 0, output: 0, cost: 0 },
  'cli-2.1.330/err500-once': ok('Recovered after one 500.', 12928, 6, 0.0012958000000000002),
  'cli-2.1.330/err500': { outcome: 'transient', errorClass: 'api-error', text: 'API Error: 500 Internal server error', messageIncludes: '500 Internal server error', input: 0, output: 0, cost: 0 },
  'cli-2.1.330/err529': { outcome: 'transient', errorClass: 'api-error', text: 'API Error: 529 Overloaded', messageIncludes: '529 Overloaded', input: 0, output: 0, cost: 0 },
  'cli-2.1.330/input-stream': ok(hello, 12936, 23, 0.0013051),
  'cli-2.1.330/maxturns-1': { outcome: 'agent-failure', errorClass: 'error_max_turns', text: '', messageIncludes: 'Reached maximum number of turns (1)', input: 12930, output: 14, cost: 0.0013000000000000002 },
  'cli-2.1.330/maxturns': { outcome: 'agent-failure', errorClass: 'error_max_turns', text: '', messageIncludes: 'Reached maximum number of turns (2)', input: 25957, output: 28, cost: 0.0026097000000000004 },
  'cli-2.1.330/multi': ok('Both commands ran: first-command-output | second-command-out', 26042, 57, 0.0026327),
  'cli-2.1.330/noconn': { outcome: 'transient', errorClass: 'api-error', text: 'API Error: Connection refused', messageIncludes: 'ECONNREFUSED', input: 0, output: 0, cost: 0 },
  'cli-2.1.330/read': ok('Read it: 1\talpha\n2\tbeta,gamma\n3\t', 25968, 32, 0.0026128),
  // A resumed session reports the session's cumulative totals (both runs), as the CLI prints them.
  'cli-2.1.330/resume': ok(hello, 25931, 46, 0.0026161000000000005),
  'cli-2.1.330/session-id': ok(hello, 12930, 23, 0.0013045),
  'cli-2.1.330/sse-error': { outcome: 'transient', errorClass: 'api-error', text: 'API Error: 529 Overloaded (mock, non-streaming fallback)', messageIncludes: '529 Overloaded', input: 30, output: 3, cost: 0 },
  'cli-2.1.330/text-arg': ok(hello, 12961, 23, 0.0013076000000000001),
  'cli-2.1.330/text-opus': ok(hello, 12266, 23, 0.049524000000000006),
  'cli-2.1.330/text-sonnet': ok(hello, 12202, 23, 0.024634),
  'cli-2.1.330/text': ok(hello, 12952, 23, 0.0013067),
  'cli-2.1.330/thinking': ok('After thinking: hello!', 12930, 22, 0.001304),
  'cli-2.1.330/write-denied': ok('Wrote the file. Tool said: Claude requested permissions to w', 26036, 88, 0.0026476),
  'cli-2.1.330/write': ok('Wrote the file. Tool said: File created successfully at: /ho', 26021, 89, 0.0026466),
};

/** Replays a transcript through the line reader in odd-sized chunks, like a pipe would deliver it. */
function replay(bytes: Buffer, chunkSize: number): ClaudeRunTranscript {
  const reader = new StreamLineReader();
  const parser = new ClaudeStreamParser();
  const run = new ClaudeRunTranscript();
  const feed = (lines: string[]): void => {
    for (const line of lines) for (const ev of parser.parseLine(line)) run.add(ev);
  };
  for (let i = 0; i < bytes.length; i += chunkSize) feed(reader.push(bytes.subarray(i, i + chunkSize)));
  feed(reader.end());
  return run;
}

describe('real CLI transcripts → outcome, text, usage, cost', () => {
  const files: string[] = [];
  for (const dir of ['cli-2.1.197', 'cli-2.1.330']) {
    for (const f of readdirSync(path.join(FIXTURES, dir)).sort()) if (f.endsWith('.ndjson')) files.push(`${dir}/${f.slice(0, -'.ndjson'.length)}`);
  }

  it('has an expectation for every transcript and a transcript for every expectation', () => {
    assert.deepEqual(files.slice().sort(), Object.keys(EXPECTED).sort());
    assert.equal(files.length, 59);
  });

  for (const name of files) {
    it(name, () => {
      const exp = EXPECTED[name];
      assert.ok(exp, `no expectation for ${name}`);
      const base = path.join(FIXTURES, name);
      const bytes = readFileSync(`${base}.ndjson`);
      const exitCode = Number(readFileSync(`${base}.exit`, 'utf8').trim());
      const stderr = readFileSync(`${base}.stderr`, 'utf8');
      const run = replay(bytes, 7 + (bytes.length % 13));
      assert.deepEqual(run.warnings, [], 'real transcripts have no malformed lines');
      const verdict = classifyOutcome(run, { exitCode, signal: null, stderr });
      assert.equal(verdict.outcome, exp.outcome, `${name}: ${verdict.message ?? ''}`);
      if (exp.errorClass) assert.equal(verdict.errorClass, exp.errorClass);
      if (exp.outcome === 'success') assert.equal(verdict.message, undefined);
      if (exp.messageIncludes) assert.ok(verdict.message?.includes(exp.messageIncludes), `message: ${verdict.message}`);
      assert.ok(run.outputText.startsWith(exp.text), `outputText: ${JSON.stringify(run.outputText.slice(0, 100))}`);
      assert.equal(run.results.length, exp.results ?? 1);
      const usage = run.usage();
      if ((exp.results ?? 1) === 0) {
        assert.equal(usage, undefined);
        return;
      }
      assert.ok(usage);
      assert.equal(usage.inputTokens, exp.input);
      assert.equal(usage.outputTokens, exp.output);
      assert.equal(usage.costUsd, exp.cost);
      assert.equal(usage.cacheCreationInputTokens, 0);
      assert.equal(usage.cacheReadInputTokens, 0);
      assert.ok(usage.sessionId && /^[0-9a-f-]{36}$/.test(usage.sessionId), 'session id from the stream');
      assert.ok((usage.numTurns ?? 0) >= 1);
    });
  }

  it('reads both results of a 2.1.330 sub-agent run and does not double-count the cumulative cost', () => {
    const run = replay(readFileSync(path.join(FIXTURES, 'cli-2.1.330/agent.ndjson')), 4096);
    assert.equal(run.results.length, 2);
    assert.equal(run.results[1].resultText, 'Main agent done. Sub-agent said: \n[TECH-SPEC-DECISION: SKIP]');
    assert.ok(run.outputText.endsWith('Main agent done. Sub-agent said: \n[TECH-SPEC-DECISION: SKIP]'));
    assert.equal(run.usage()?.costUsd, 0.0055972999999999995);
    assert.equal(run.usage()?.numTurns, 3);
    assert.equal(run.model, 'claude-haiku-5-5');
    assert.equal(run.permissionMode, 'bypassPermissions');
  });

  it('a run that printed no result line is a failure even with exit code 0 (SIGINT while waiting for the API)', () => {
    const text = readFileSync(path.join(FIXTURES, 'cli-2.1.197/bash.ndjson'), 'utf8').split('\n').filter((l) => l && !l.includes('"type":"result"')).join('\n');
    const run = replay(Buffer.from(text), 100);
    const verdict = classifyOutcome(run, { exitCode: 0, signal: null, stderr: '' });
    assert.equal(verdict.outcome, 'agent-failure');
    assert.equal(verdict.errorClass, 'no-result');
    assert.match(verdict.message ?? '', /exited with code 0 without a result line/);
  });
});
