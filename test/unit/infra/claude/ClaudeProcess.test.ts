// Nothing a step started outlives it, however the step ends: real processes through ClaudeAgent with a
// claude-compatible child (leftoverClaude.mjs) whose tools leave background jobs behind in their own
// sessions, double-forked and re-parented to PID 1 before the orchestrator could see them. Each test marks
// its processes with its own environment variable and checks /proc for it (and for the step token).
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ClaudeAgent, type ClaudeAgentOptions } from '../../../../src/infra/claude/ClaudeAgent';
import { childRegistryPath, reapOrphans } from '../../../../src/infra/claude/ChildRegistry';
import { aRequest, alive, killWithEnv, makeWorkspace, processesWithEnv, REPO, sleepers, waitFor, type Workspace } from './simHarness';

const FIXTURE = path.join(__dirname, 'leftoverClaude.mjs');
const TOKEN_VARIABLE = 'SPRINT_RUNNER_STEP_TOKEN';
let seconds = 5000 + Math.floor(Math.random() * 1000) * 3;
const nextSeconds = (): number[] => [++seconds, ++seconds, ++seconds];

describe('ClaudeProcess: nothing a step started outlives it (real processes)', function () {
  this.timeout(20_000);
  const markers: string[] = [];
  afterEach(() => {
    for (const m of markers.splice(0)) killWithEnv(m);
  });

  /** A unique `SR_TEST_MARKER=<uuid>` inherited by everything the test starts. */
  function marker(): string {
    const m = `SR_TEST_MARKER=${randomUUID()}`;
    markers.push(m);
    return m;
  }

  function agentFor(ws: Workspace, mode: string, mark: string, secs: number[], over: Partial<ClaudeAgentOptions> = {}): ClaudeAgent {
    const [k, v] = mark.split('=');
    return new ClaudeAgent({
      command: FIXTURE,
      logDir: ws.logDir,
      stateDir: ws.stateDir,
      // No periodic snapshot during these short steps: only the start and output-triggered ones.
      snapshotIntervalMs: 60_000,
      timeouts: { stopGraceMs: 1000 },
      ...over,
      env: { LEFTOVER_CLAUDE_MODE: mode, LEFTOVER_CLAUDE_SECONDS: secs.join(','), [k]: v },
    });
  }

  const tails = (mark: string): number[] => processesWithEnv(mark).filter((p) => p.cmdline === 'tail -f /dev/null').map((p) => p.pid);

  it('normal exit 0: a setsid job and a nohup double-fork (re-parented to PID 1 before any output) and a job with a scrubbed environment are all ended', async () => {
    const ws = makeWorkspace();
    const mark = marker();
    const secs = nextSeconds();
    const res = await agentFor(ws, 'exit-normally', mark, secs).execute(aRequest(ws));
    assert.equal(res.outcome, 'success', res.message);
    assert.equal(res.exitCode, 0);
    const token = /token=([0-9a-f-]{36})/.exec(res.outputText)?.[1];
    assert.ok(token, `the child saw a step token: ${res.outputText}`);
    // The three jobs existed when the child exited; the first two had already lost their parent.
    const jobs = (/jobs=(\S*)/.exec(res.outputText)?.[1] ?? '').split(',').filter(Boolean).map((j) => j.split(':').map(Number));
    assert.equal(jobs.length, 3, res.outputText);
    assert.deepEqual(
      jobs.slice(0, 2).map(([, ppid]) => ppid),
      [1, 1],
      'the double-forked jobs were re-parented to PID 1 before the child printed anything',
    );
    // Gone by the time execute() resolved: no waiting.
    for (const [pid] of jobs) assert.equal(alive(pid), false, `job ${pid} still running`);
    for (const s of secs) assert.deepEqual(sleepers(s), [], `sleep ${s}`);
    assert.deepEqual(processesWithEnv(`${TOKEN_VARIABLE}=${token}`), []);
    assert.deepEqual(processesWithEnv(mark), []);
    assert.deepEqual(JSON.parse(readFileSync(childRegistryPath(ws.stateDir), 'utf8')).children, []);
  });

  it('stop while a tool runs `tail -f` in its own session (and a double-forked one): SIGINT, the CLI exits leaving them, both ended', async () => {
    const ws = makeWorkspace();
    const mark = marker();
    const ac = new AbortController();
    const run = agentFor(ws, 'hang', mark, nextSeconds()).execute(aRequest(ws, { signal: ac.signal }));
    await waitFor(() => tails(mark).length === 2, 10_000, 'the two tails');
    const before = tails(mark);
    ac.abort();
    const res = await run;
    assert.equal(res.outcome, 'cancelled');
    assert.equal(res.exitCode, 1, 'the child handled SIGINT and exited by itself');
    for (const pid of before) assert.equal(alive(pid), false, `tail ${pid} still running`);
    assert.deepEqual(processesWithEnv(mark), []);
  });

  it('wall-clock timeout while tools run `tail -f` in their own sessions: nothing left', async () => {
    const ws = makeWorkspace();
    const mark = marker();
    const res = await agentFor(ws, 'hang', mark, nextSeconds(), { timeouts: { wallMs: 1500, stopGraceMs: 500 } }).execute(aRequest(ws));
    assert.equal(res.outcome, 'agent-failure');
    assert.equal(res.errorClass, 'timeout');
    assert.deepEqual(processesWithEnv(mark), []);
  });

  it('dispose (orchestrator exit) resolves only once the CLI and its tools are gone', async () => {
    const ws = makeWorkspace();
    const mark = marker();
    const agent = agentFor(ws, 'hang', mark, nextSeconds());
    const run = agent.execute(aRequest(ws));
    await waitFor(() => tails(mark).length === 2, 10_000, 'the two tails');
    await agent.dispose();
    assert.deepEqual(processesWithEnv(mark), [], 'nothing left when dispose() resolves');
    assert.equal((await run).outcome, 'cancelled');
  });

  it('orchestrator SIGKILLed mid-step: the next start reaps the CLI and its tools, found by the step token', async () => {
    const ws = makeWorkspace();
    const mark = marker();
    const [k, v] = mark.split('=');
    const orchestrator = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'orchestratorFixture.ts'), FIXTURE, ws.root, ws.stateDir, ws.scenario({}), '60000'],
      { cwd: REPO, stdio: 'ignore', env: { ...process.env, LEFTOVER_CLAUDE_MODE: 'hang', [k]: v } },
    );
    const registry = childRegistryPath(ws.stateDir);
    const entry = (): { pid: number; token?: string } | undefined => (existsSync(registry) ? JSON.parse(readFileSync(registry, 'utf8')).children[0] : undefined);
    await waitFor(() => tails(mark).length === 2 && (entry()?.pid ?? 0) > 0, 15_000, 'the tails and the registry entry');
    const recorded = entry() as { pid: number; token: string };
    assert.match(recorded.token, /^[0-9a-f-]{36}$/, 'the step token is in children.json');
    orchestrator.kill('SIGKILL');
    await new Promise((r) => orchestrator.once('exit', r));
    const survivors = processesWithEnv(`${TOKEN_VARIABLE}=${recorded.token}`).map((p) => p.pid);
    assert.ok(survivors.includes(recorded.pid) && survivors.length >= 3, `the CLI and both tails outlive their orchestrator: ${survivors.join(' ')}`);
    const report = await reapOrphans(ws.stateDir);
    assert.equal(report.orphanEntries, 1);
    for (const pid of survivors) assert.ok(report.killed.includes(pid), `${pid} reaped (killed: ${report.killed.join(' ')})`);
    await waitFor(() => processesWithEnv(mark).length === 0, 3000, 'the orphans to die');
    assert.deepEqual(JSON.parse(readFileSync(registry, 'utf8')).children, []);
  });
});
