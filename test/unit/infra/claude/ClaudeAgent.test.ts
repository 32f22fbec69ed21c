// ClaudeAgent against sim-claude as a real child process: outcomes, costs, progress, timeouts, stopping,
// orphans. Each hang test leaves a `sleep <unique n>` in its own session and checks /proc afterwards.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../../../../src/infra/NodeFileSystem';
import * as path from 'node:path';
import type { AgentActivity } from '../../../../src/core/agent/AgentContract';
import { ClaudeAgent, type ClaudeAgentOptions } from '../../../../src/infra/claude/ClaudeAgent';
import { childRegistryPath, reapOrphans } from '../../../../src/infra/claude/ChildRegistry';
import { aRequest, alive, buildSim, HELPER, makeWorkspace, REPO, sleepers, waitFor, type Workspace } from './simHarness';

let sim: string;
let sleepSeconds = 4000 + Math.floor(Math.random() * 1000);
const nextSleep = (): number => ++sleepSeconds;

function agentFor(ws: Workspace, scenario: object, over: Partial<ClaudeAgentOptions> = {}): ClaudeAgent {
  return new ClaudeAgent({
    command: sim,
    logDir: ws.logDir,
    stateDir: ws.stateDir,
    progressHelperPath: HELPER,
    snapshotIntervalMs: 100,
    timeouts: { stopGraceMs: 1500 },
    ...over,
    env: { IS_SANDBOX: '1', SIM_CLAUDE_SCENARIO: ws.scenario(scenario), SIM_CLAUDE_STATE_DIR: path.join(ws.stateDir, 'sim'), ...over.env },
  });
}

describe('ClaudeAgent with sim-claude (real processes)', function () {
  this.timeout(30_000);
  before(async () => {
    sim = await buildSim();
  });

  it('success: result text, usage and cost from the result line, progress rows, rendered output, NDJSON log, files and ledger', async () => {
    const ws = makeWorkspace({ '1-1-hello-world': 'ready-for-dev' });
    const activities: AgentActivity[] = [];
    const agent = agentFor(ws, { delayMs: 5, rules: [{ command: 'dev-story', deferred: ['Add caching later'] }] });
    const res = await agent.execute(aRequest(ws, { activities, systemPrompt: 'APPENDED SYSTEM PROMPT '.repeat(10_000) }));
    assert.equal(res.outcome, 'success', res.message);
    assert.match(res.outputText, /Implemented 1-1; status set to review\./);
    assert.deepEqual(res.deferredItems, ['Add caching later']);
    assert.equal(res.exitCode, 0);
    assert.ok(res.usage && res.usage.inputTokens > 0 && res.usage.outputTokens > 0 && res.usage.cacheReadInputTokens > 0);
    assert.ok(res.usage.costUsd > 0 && res.usage.costUsd < 1);
    assert.equal(res.usage.model, 'claude-sonnet-4-5-20250929');
    assert.match(res.usage.sessionId ?? '', /^[0-9a-f-]{36}$/);
    const progress = activities.filter((a) => a.kind === 'progress');
    assert.deepEqual(
      progress.map((a) => a.kind === 'progress' && `${a.row.storyId} ${a.row.command} ${a.row.taskId} ${a.row.status}`),
      ['1-1 dev-story setup start', '1-1 dev-story setup end', '1-1 dev-story tests start', '1-1 dev-story tests end'],
    );
    const output = activities.filter((a) => a.kind === 'output').map((a) => (a.kind === 'output' ? a.line : ''));
    assert.ok(output.some((l) => l.startsWith('[1-1 dev-story#1] ▸ Bash: sh "$SPRINT_RUNNER_LOG"')));
    assert.match(output[output.length - 1], /^\[1-1 dev-story#1\] ✓ done in \d+s · [\d.]+k in \/ [\d.]+k? out · \$0\.\d+$/);
    assert.ok(activities.some((a) => a.kind === 'session'));
    // Raw NDJSON kept for audit, every line JSON, last one the result.
    assert.ok(res.logFile && res.logFile.startsWith(ws.logDir) && res.logFile.endsWith('.ndjson'));
    assert.match(path.basename(res.logFile), /^c1_dev-story_1-1-hello-world_a1-\d{4}-\d\d-\d\dT/);
    const lines = readFileSync(res.logFile, 'utf8').trim().split('\n');
    assert.equal(JSON.parse(lines[lines.length - 1]).type, 'result');
    // What the agent did to the workspace: code change, ledger moved ready-for-dev → review (comment kept), CSV appended.
    assert.ok(existsSync(path.join(ws.root, 'src', 'story-1-1.js')));
    assert.match(readFileSync(ws.ledger, 'utf8'), /^ {2}1-1-hello-world: review {3}# keep this comment$/m);
    assert.equal(readFileSync(path.join(ws.root, 'docs', 'sprint-runner.csv'), 'utf8').trim().split('\n').length, 4);
    // The appended system prompt went through a file (200 KB would not fit in one argv entry) and is cleaned up.
    assert.ok(!existsSync(path.join(ws.stateDir, 'system-prompts')) || readdirSync(path.join(ws.stateDir, 'system-prompts')).length === 0);
    assert.deepEqual(JSON.parse(readFileSync(childRegistryPath(ws.stateDir), 'utf8')).children, []);
  });

  const failures: [string, object, string, string, RegExp][] = [
    ['overloaded (529, retries exhausted)', { fail: 'overloaded' }, 'transient', 'api-error', /API Error: 529 Overloaded/],
    ['rate limited (429)', { fail: 'rate-limit' }, 'transient', 'api-error', /429/],
    ['API unreachable', { fail: 'no-connection' }, 'transient', 'api-error', /Unable to connect/],
    ['invalid API key (401)', { fail: 'auth' }, 'permanent', 'api-error', /Invalid API key/],
    ['invalid request (400)', { fail: 'invalid-request' }, 'permanent', 'api-error', /400/],
    ['max turns', { fail: 'max-turns' }, 'agent-failure', 'error_max_turns', /Reached maximum number of turns \(2\)/],
    ['budget', { fail: 'budget' }, 'agent-failure', 'error_max_budget_usd', /Reached maximum budget/],
    ['no result line, exit 0', { fail: 'no-result' }, 'agent-failure', 'no-result', /exited with code 0 without a result line/],
    ['killed by a signal', { fail: 'signal' }, 'transient', 'signal', /SIGKILL/],
    ['CLI error on stderr', { fail: 'stderr-error' }, 'permanent', 'cli-error', /sim-claude was told to fail/],
  ];
  for (const [name, rule, outcome, errorClass, message] of failures) {
    it(`${name} → ${outcome}`, async () => {
      const ws = makeWorkspace();
      const res = await agentFor(ws, { delayMs: 5, rules: [{ command: '*', ...rule }] }).execute(aRequest(ws));
      assert.equal(res.outcome, outcome, res.message);
      assert.equal(res.errorClass, errorClass);
      assert.match(res.message ?? '', message);
    });
  }

  it('a prompt whose first line names a command the CLI does not list is stopped at system/init: permanent, never a paid retry', async () => {
    const ws = makeWorkspace({ '1-1-hello-world': 'ready-for-dev' });
    const res = await agentFor(ws, { delayMs: 300 }).execute(aRequest(ws, { prompt: '/bmad-dev-story 1-1-hello-world\n\n# dev-story — implement' }));
    assert.equal(res.outcome, 'permanent', res.message);
    assert.equal(res.errorClass, 'missing-workflow');
    assert.match(res.message ?? '', /starts with \/bmad-dev-story, but the Claude CLI in .* does not know that command or skill/);
    assert.match(res.message ?? '', /npx bmad-method install/);
    // Stopped before doing the step: the ledger did not move.
    assert.match(readFileSync(ws.ledger, 'utf8'), /1-1-hello-world: ready-for-dev/);
  });

  it('the same prompt runs when the workspace has that skill (sim-claude lists .claude/skills like the real CLI)', async () => {
    const ws = makeWorkspace({ '1-1-hello-world': 'ready-for-dev' });
    mkdirSync(path.join(ws.root, '.claude', 'skills', 'bmad-dev-story'), { recursive: true });
    await writeFileAtomic(path.join(ws.root, '.claude', 'skills', 'bmad-dev-story', 'SKILL.md'), '---\nname: bmad-dev-story\n---\n');
    const res = await agentFor(ws, { delayMs: 5 }).execute(aRequest(ws, { prompt: '/bmad-dev-story 1-1-hello-world\n\n# dev-story — implement' }));
    assert.equal(res.outcome, 'success', res.message);
  });

  it('sim-claude keeps BMAD\'s bookkeeping: create-story starts a backlog epic; batch-commit archives the story files and commits them', async () => {
    const ws = makeWorkspace({ 'epic-2': 'backlog', '2-1-first-of-two': 'backlog' });
    const agent = agentFor(ws, { delayMs: 1 });
    const created = await agent.execute(aRequest(ws, { command: 'create-story', storyKeys: ['2-1-first-of-two'], epicId: '2', stepKey: 'c1/create-story' }));
    assert.equal(created.outcome, 'success', created.message);
    const ledger = readFileSync(ws.ledger, 'utf8');
    assert.match(ledger, /^ {2}epic-2: in-progress {3}# keep this comment$/m);
    assert.match(ledger, /^ {2}2-1-first-of-two: ready-for-dev {3}# keep this comment$/m);
    assert.match(ledger, /^ {2}epic-1: in-progress # epic$/m, 'another epic is untouched');

    await writeFileAtomic(path.join(ws.artifacts, 'tech-spec-2-1-first-of-two.md'), '# spec\n');
    await writeFileAtomic(path.join(ws.artifacts, '2-1-first-of-two-discovery-story.md'), '# discovery\n');
    const committed = await agent.execute(aRequest(ws, { command: 'batch-commit', storyKeys: ['2-1-first-of-two'], epicId: '2', stepKey: 'c1/batch-commit' }));
    assert.equal(committed.outcome, 'success', committed.message);
    const archive = path.join(path.dirname(ws.artifacts), 'archived-artifacts');
    assert.deepEqual(readdirSync(archive).sort(), ['2-1-first-of-two.md', 'tech-spec-2-1-first-of-two.md']);
    assert.deepEqual(readdirSync(ws.artifacts).filter((f) => f.startsWith('2-1') || f.startsWith('tech-spec')), [], 'nothing of the story left beside the ledger');
    const { execFileSync } = await import('node:child_process');
    const show = execFileSync('git', ['show', '--name-only', '--format=%s', 'HEAD'], { cwd: ws.root, encoding: 'utf8' });
    assert.match(show, /^feat\(2\): implement stories 2-1$/m);
    assert.match(show, /^_bmad-output\/archived-artifacts\/2-1-first-of-two\.md$/m);
  });

  it('malformed lines become warnings and the run still succeeds', async () => {
    const ws = makeWorkspace({ '1-1-hello-world': 'ready-for-dev' });
    const activities: AgentActivity[] = [];
    const res = await agentFor(ws, { delayMs: 5, rules: [{ fail: 'malformed' }] }).execute(aRequest(ws, { activities }));
    assert.equal(res.outcome, 'success');
    const warnings = activities.filter((a) => a.kind === 'warning').map((a) => (a.kind === 'warning' ? a.message : ''));
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /not JSON: Warning: sim-claude printed a line/);
  });

  it('a 5 MB tool-result line arrives whole; its progress line is extracted', async () => {
    const ws = makeWorkspace({ '1-1-hello-world': 'ready-for-dev' });
    const activities: AgentActivity[] = [];
    const res = await agentFor(ws, { delayMs: 5, rules: [{ fail: 'big-line' }] }).execute(aRequest(ws, { activities }));
    assert.equal(res.outcome, 'success', res.message);
    assert.ok(activities.some((a) => a.kind === 'progress' && a.row.message === 'Big output follows'));
    assert.ok(statSync(res.logFile as string).size > 5 * 1024 * 1024);
    assert.ok(!activities.some((a) => a.kind === 'warning'));
  });

  it('claude not installed → permanent with the install hint', async () => {
    const ws = makeWorkspace();
    const agent = new ClaudeAgent({ command: path.join(ws.root, 'no-such-claude'), logDir: ws.logDir, stateDir: ws.stateDir });
    const res = await agent.execute(aRequest(ws));
    assert.equal(res.outcome, 'permanent');
    assert.equal(res.errorClass, 'spawn-failed');
    assert.match(res.message ?? '', /no-such-claude not found: install it with `npm install -g @anthropic-ai\/claude-code`, or set sprintRunner\.claude\.command \/ --claude/);
    assert.equal(res.logFile, undefined);
  });

  it('an unknown extra argument is rejected by the CLI → permanent, in its own words', async () => {
    const ws = makeWorkspace();
    const res = await agentFor(ws, { delayMs: 5 }, { extraArgs: ['--prompt-system-append', 'x'] }).execute(aRequest(ws));
    assert.equal(res.outcome, 'permanent');
    assert.equal(res.errorClass, 'unknown-option');
    assert.match(res.message ?? '', /^error: unknown option '--prompt-system-append'/);
  });

  it('bypassPermissions as root without IS_SANDBOX → permanent, saying to set IS_SANDBOX=1', async function () {
    if (process.getuid?.() !== 0) this.skip();
    const ws = makeWorkspace();
    const res = await agentFor(ws, { delayMs: 5 }, { env: { IS_SANDBOX: '' } }).execute(aRequest(ws));
    assert.equal(res.outcome, 'permanent');
    assert.equal(res.errorClass, 'root-bypass-refused');
    assert.match(res.message ?? '', /cannot be used with root\/sudo privileges[\s\S]*IS_SANDBOX=1/);
  });

  it('sim-claude rejects stream-json without --verbose exactly like the real CLI', async () => {
    const { execa } = await import('execa');
    const r = await execa(sim, ['-p', '--output-format', 'stream-json'], { input: 'hi', reject: false });
    assert.equal(r.exitCode, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'Error: When using --print, --output-format=stream-json requires --verbose');
    const empty = await execa(sim, ['-p', '--output-format', 'stream-json', '--verbose'], { input: '', reject: false });
    assert.equal(empty.exitCode, 1);
    assert.equal(empty.stderr, 'Error: Input must be provided either through stdin or as a prompt argument when using --print');
  });

  it('idle timeout: a silent child is stopped and its background job in another session is gone', async () => {
    const ws = makeWorkspace();
    const n = nextSleep();
    const res = await agentFor(ws, { delayMs: 5, rules: [{ fail: 'hang', sleepSeconds: n }] }, { timeouts: { idleMs: 1500, stopGraceMs: 1500 } }).execute(aRequest(ws));
    assert.equal(res.outcome, 'agent-failure');
    assert.equal(res.errorClass, 'idle-timeout');
    assert.match(res.message ?? '', /printed nothing for longer than the idle timeout/);
    assert.deepEqual(sleepers(n), []);
  });

  it('wall-clock timeout: a chatty child that never finishes is stopped', async () => {
    const ws = makeWorkspace();
    const started = Date.now();
    const res = await agentFor(ws, { delayMs: 5, rules: [{ fail: 'chatty' }] }, { timeouts: { wallMs: 1000, idleMs: 500 } }).execute(aRequest(ws));
    assert.equal(res.errorClass, 'timeout');
    assert.equal(res.outcome, 'agent-failure');
    assert.ok(Date.now() - started < 8000);
  });

  it('stop (abort) while a tool sleeps in its own session: SIGINT, result, nothing left in /proc', async () => {
    const ws = makeWorkspace();
    const n = nextSleep();
    const ac = new AbortController();
    const activities: AgentActivity[] = [];
    const run = agentFor(ws, { delayMs: 5, rules: [{ fail: 'hang', sleepSeconds: n }] }).execute(aRequest(ws, { signal: ac.signal, activities }));
    await waitFor(() => sleepers(n).length === 1, 10_000, 'the background sleep');
    const [pid] = sleepers(n);
    ac.abort();
    const res = await run;
    assert.equal(res.outcome, 'cancelled');
    assert.equal(alive(pid), false);
    assert.deepEqual(sleepers(n), []);
    assert.equal(res.exitCode, 1, 'the child handled SIGINT itself');
  });

  it('stop escalates to SIGKILL when the child ignores SIGINT, and still leaves nothing', async () => {
    const ws = makeWorkspace();
    const n = nextSleep();
    const ac = new AbortController();
    const agent = agentFor(ws, { delayMs: 5, rules: [{ fail: 'hang', sleepSeconds: n, ignoreSigint: true }] }, { timeouts: { stopGraceMs: 400 } });
    const run = agent.execute(aRequest(ws, { signal: ac.signal }));
    await waitFor(() => sleepers(n).length === 1, 10_000, 'the background sleep');
    const disposing = agent.dispose();
    const res = await run;
    await disposing;
    assert.equal(res.outcome, 'cancelled');
    assert.equal(res.signal, 'SIGKILL');
    assert.deepEqual(sleepers(n), []);
  });

  it('orphans of an orchestrator that was SIGKILLed are reaped at the next start (pid + start time checked)', async () => {
    const ws = makeWorkspace();
    const n = nextSleep();
    const scenario = ws.scenario({ delayMs: 5, rules: [{ fail: 'hang', sleepSeconds: n }] });
    const orchestrator = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'orchestratorFixture.ts'), sim, ws.root, ws.stateDir, scenario], {
      cwd: REPO,
      stdio: 'ignore',
    });
    const registry = childRegistryPath(ws.stateDir);
    await waitFor(() => sleepers(n).length === 1, 15_000, 'the background sleep');
    const [sleeper] = sleepers(n);
    await waitFor(
      () => existsSync(registry) && JSON.parse(readFileSync(registry, 'utf8')).children[0]?.members.some((m: { pid: number }) => m.pid === sleeper),
      10_000,
      'the sleep recorded in children.json',
    );
    const entry = JSON.parse(readFileSync(registry, 'utf8')).children[0];
    orchestrator.kill('SIGKILL');
    await new Promise((r) => orchestrator.once('exit', r));
    assert.equal(alive(entry.pid), true, 'the CLI outlives its orchestrator');
    assert.equal(alive(sleeper), true);
    const report = await reapOrphans(ws.stateDir);
    assert.equal(report.orphanEntries, 1);
    assert.ok(report.killed.includes(entry.pid) && report.killed.includes(sleeper));
    await waitFor(() => !alive(entry.pid) && !alive(sleeper), 3000, 'the orphans to die');
    assert.deepEqual(JSON.parse(readFileSync(registry, 'utf8')).children, []);
  });

  it('reapOrphans never kills a live process whose pid was recorded with another start time', async () => {
    const ws = makeWorkspace();
    const n = nextSleep();
    const victim = spawn('sleep', [String(n)], { detached: true, stdio: 'ignore' });
    victim.unref();
    try {
    await waitFor(() => sleepers(n).length === 1, 5000, 'the sleep');
    mkdirSync(ws.stateDir, { recursive: true });
    await writeFileAtomic(
      childRegistryPath(ws.stateDir),
      JSON.stringify({ version: 1, children: [{ ownerPid: 999999, ownerStartTime: 1, pid: victim.pid, startTime: 12345, command: 'claude', recordedAt: '', members: [] }] }),
    );
    const report = await reapOrphans(ws.stateDir);
    assert.equal(report.ignoredEntries, 1, 'an entry without boot id, user and step token is not ours');
    assert.deepEqual(report.killed, []);
    assert.equal(alive(victim.pid as number), true);
    } finally {
      victim.kill('SIGKILL');
    }
  });
});
