// Every agent step loads the BMAD workflow installed for it, with real BMAD installs from npm (6.12.0 with
// and without --shims, 6.0.4), the v6-alpha layout (a fixture), and the real Claude CLI 2.1.197 against a
// loopback mock of the Messages API. One cycle of the built CLI (dist/cli.js) per install; the mock's
// request log shows what the CLI made of each step's prompt: a conversation that loaded a workflow begins
// with `<command-name>/<workflow></command-name>`.
//
// `npm run test:bmad` (part of `npm test`, after the build). The first run installs the packages into
// ~/.cache/sprint-runner-test (network); later runs are offline.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixturePath } from '../support/fixtures';
import { firstUserText, MessagesApiMock, type LoggedRequest } from './support/MessagesApiMock';
import { cachedNpmPackage, run, withoutNpmScriptEnv, type CachedPackage } from './support/RealToolCache';
import { ClaudeAgent } from '../../src/infra/claude/ClaudeAgent';

const repo = path.resolve(__dirname, '..', '..');
const cli = path.join(repo, 'dist', 'cli.js');
const worker = path.join(__dirname, 'support', 'stepWorker.cjs');
const CLAUDE_VERSION = '2.1.197';
const ARTIFACTS = path.join('_bmad-output', 'implementation-artifacts');
const STORY = '1-1-hello-world';

const LEDGER = `# generated for the real-BMAD suite
project: bmad-suite
tracking_system: file-system
story_location: _bmad-output/implementation-artifacts

development_status:
  epic-1: backlog
  ${STORY}: backlog
  epic-1-retrospective: optional
`;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** One JSON line per child the worker ran in. */
  trace: { cwd: string; env: Record<string, string> }[];
}

let claude: CachedPackage;
const bmad = new Map<string, CachedPackage>();
const cleanup: string[] = [];

async function bmadPackage(version: string): Promise<CachedPackage> {
  let p = bmad.get(version);
  if (!p) {
    p = await cachedNpmPackage('bmad-method', version);
    bmad.set(version, p);
  }
  return p;
}

/** An empty git repository with BMAD installed by its own installer, a one-story ledger and a project context. */
async function bmadProject(version: string | 'v6-alpha', shims = false): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `sr-bmad-${version}${shims ? '-shims' : ''}-`));
  cleanup.push(dir);
  await run('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  if (version === 'v6-alpha') {
    cpSync(fixturePath('bmad-v6-alpha'), dir, { recursive: true });
  } else {
    const pkg = await bmadPackage(version);
    await run(pkg.bin('bmad'), ['install', '--directory', dir, '--modules', 'bmm', '--tools', 'claude-code', '--yes', ...(shims ? ['--shims'] : [])], {
      cwd: dir,
      env: { ...withoutNpmScriptEnv(), CI: '1' },
      timeoutMs: 120_000,
    });
  }
  mkdirSync(path.join(dir, ARTIFACTS), { recursive: true });
  writeFileSync(path.join(dir, ARTIFACTS, 'sprint-status.yaml'), LEDGER);
  const planning = path.join(dir, '_bmad-output', 'planning-artifacts');
  mkdirSync(planning, { recursive: true });
  writeFileSync(path.join(planning, 'project-context.md'), '# Project Context\n\n- Tests: npm test\n');
  writeFileSync(path.join(dir, '.gitignore'), '.sprint-runner/\n');
  await run('git', ['add', '-A'], { cwd: dir });
  await run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-q', '-m', 'BMAD installed'], { cwd: dir });
  return dir;
}

/** What every real CLI child gets: a throw-away HOME, the mock as the API, the worker's trace file. */
function claudeEnv(mock: MessagesApiMock, home: string, traceFile: string): Record<string, string> {
  return {
    HOME: home,
    ANTHROPIC_BASE_URL: mock.url,
    ANTHROPIC_API_KEY: 'sk-ant-test-dummy',
    CLAUDE_CODE_MAX_RETRIES: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    SPRINT_RUNNER_TEST_TRACE: traceFile,
    ...(process.getuid?.() === 0 ? { IS_SANDBOX: '1' } : {}),
  };
}

function runCli(workspace: string, mock: MessagesApiMock, extraEnv: Record<string, string> = {}): Promise<CliRun> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'sr-bmad-home-'));
  cleanup.push(home);
  const traceFile = path.join(home, 'trace.ndjson');
  const env: NodeJS.ProcessEnv = { ...withoutNpmScriptEnv(), ...claudeEnv(mock, home, traceFile), ...extraEnv };
  delete env.CLAUDECODE;
  delete env.CLAUDE_CODE_ENTRYPOINT;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'run', '--cycles', '1', '--workspace', workspace, '--claude', claude.bin('claude')], { cwd: workspace, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => {
      const trace = existsSync(traceFile)
        ? readFileSync(traceFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as CliRun['trace'][number])
        : [];
      resolve({ code, stdout, stderr, trace });
    });
  });
}

/** The step a conversation is for: the runner prompt's title `# <step>[-n] — …`. */
function stepOf(r: LoggedRequest): string | undefined {
  return /^# ([a-z-]+?)(?:-\d+)? — /m.exec(firstUserText(r.body))?.[1];
}

/** The workflow a conversation began with, from the CLI's expansion of the prompt's first line. */
function commandNameOf(r: LoggedRequest): string | undefined {
  return /<command-name>([^<]+)<\/command-name>/.exec(firstUserText(r.body))?.[1];
}

function conversationsByStep(mock: MessagesApiMock): Map<string, LoggedRequest[]> {
  const out = new Map<string, LoggedRequest[]>();
  for (const r of mock.conversations()) {
    const step = stepOf(r) ?? '?';
    out.set(step, [...(out.get(step) ?? []), r]);
  }
  return out;
}

function explain(result: CliRun, mock: MessagesApiMock): string {
  const convs = mock.conversations().map((r) => `${stepOf(r)} → ${commandNameOf(r) ?? '(no command)'}`);
  return `exit ${result.code}\nstdout:\n${result.stdout.slice(-3000)}\nstderr:\n${result.stderr.slice(-3000)}\nconversations: ${convs.join('; ')}`;
}

/** One cycle ran to the batch commit, every create-story/dev-story/code-review began with `expected`. */
function assertCycle(result: CliRun, mock: MessagesApiMock, expected: Record<'create-story' | 'dev-story' | 'code-review', string | undefined>): void {
  assert.equal(result.code, 0, explain(result, mock));
  const byStep = conversationsByStep(mock);
  for (const [step, name] of Object.entries(expected)) {
    const convs = byStep.get(step) ?? [];
    assert.ok(convs.length >= 1, `a ${step} conversation reached the API\n${explain(result, mock)}`);
    for (const c of convs) {
      assert.equal(commandNameOf(c), name, `${step} began with ${name ?? 'no command (runner prompt)'}\n${explain(result, mock)}`);
      // The runner's contract reaches the model: as the workflow's arguments (story key first) or as the prompt.
      const text = firstUserText(c.body);
      const contract = name ? (/<command-args>([\s\S]*?)<\/command-args>/.exec(text)?.[1] ?? '') : text;
      if (name) assert.ok(contract.startsWith(STORY), `${step}: the arguments start with the story key\n${contract.slice(0, 200)}`);
      assert.match(contract, /^DEFERRED: <what, and why it was deferred>$/m, `${step}: the contract is in the ${name ? 'arguments' : 'prompt'}`);
      assert.match(contract, /SPRINT_RUNNER_LOG/, step);
    }
  }
  const ledger = readFileSync(path.join(result.trace[0]?.env.SPRINT_RUNNER_LEDGER ?? '', ''), 'utf8');
  assert.match(ledger, new RegExp(`^  ${STORY}: done$`, 'm'), 'the story is done in the ledger');
  // Children keep 003's step names whatever workflow a step is mapped to, and are told where things are.
  const commands = result.trace.map((t) => t.env.SPRINT_RUNNER_COMMAND);
  for (const step of ['create-story', 'dev-story', 'code-review', 'batch-commit']) assert.ok(commands.includes(step), `a child ran with SPRINT_RUNNER_COMMAND=${step}`);
  for (const t of result.trace) {
    assert.ok(t.env.SPRINT_RUNNER_LEDGER?.endsWith(path.join(ARTIFACTS, 'sprint-status.yaml')), JSON.stringify(t.env));
    assert.ok(t.env.SPRINT_RUNNER_STORY_DIR?.endsWith(ARTIFACTS), JSON.stringify(t.env));
    assert.ok(t.env.SPRINT_RUNNER_CONTEXT_FILE?.endsWith('project-context.md'), JSON.stringify(t.env));
  }
}

describe(`real BMAD installs with the real Claude CLI ${CLAUDE_VERSION}`, function () {
  this.timeout(15 * 60_000);
  let mock: MessagesApiMock;

  before(async function () {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first (npm test builds before this stage).`);
    const started = Date.now();
    claude = await cachedNpmPackage('@anthropic-ai/claude-code', CLAUDE_VERSION);
    await Promise.all(['6.12.0', '6.0.4'].map((v) => bmadPackage(v)));
    const cold = claude.installedNow || [...bmad.values()].some((p) => p.installedNow);
    console.log(`      packages ${cold ? 'installed from npm' : 'from the cache'} in ${((Date.now() - started) / 1000).toFixed(1)} s (${path.dirname(claude.prefix)})`);
  });

  beforeEach(async () => {
    mock = new MessagesApiMock(`node ${JSON.stringify(worker)}`);
    await mock.start();
  });
  afterEach(async () => {
    await mock.stop();
  });
  after(() => {
    for (const d of cleanup) rmSync(d, { recursive: true, force: true });
  });

  it('v6-alpha layout: steps load /bmad:bmm:workflows:<name>', async () => {
    const ws = await bmadProject('v6-alpha');
    const result = await runCli(ws, mock);
    assertCycle(result, mock, {
      'create-story': '/bmad:bmm:workflows:create-story',
      'dev-story': '/bmad:bmm:workflows:dev-story',
      'code-review': '/bmad:bmm:workflows:code-review',
    });
  });

  it('BMAD 6.0.4: steps load the flat /bmad-bmm-<name> commands', async () => {
    const ws = await bmadProject('6.0.4');
    const result = await runCli(ws, mock);
    assertCycle(result, mock, {
      'create-story': '/bmad-bmm-create-story',
      'dev-story': '/bmad-bmm-dev-story',
      'code-review': '/bmad-bmm-code-review',
    });
  });

  it('BMAD 6.12.0 with --shims: steps load the /bmad-<name> skills', async () => {
    const ws = await bmadProject('6.12.0', true);
    const result = await runCli(ws, mock);
    assertCycle(result, mock, {
      'create-story': '/bmad-create-story',
      'dev-story': '/bmad-dev-story',
      'code-review': '/bmad-code-review',
    });
  });

  it('BMAD 6.12.0 without shims: refused with exit 2 naming the missing workflows and the fix, nothing sent to the API', async () => {
    const ws = await bmadProject('6.12.0');
    const result = await runCli(ws, mock);
    assert.equal(result.code, 2, explain(result, mock));
    assert.match(result.stderr, /create-story, dev-story/);
    assert.match(result.stderr, /npx bmad-method install --shims/);
    assert.match(result.stderr, /SPRINT_RUNNER_BMAD_MISSING_WORKFLOWS=runner-prompt/);
    assert.equal(mock.requests.length, 0, 'no request reached the Messages API');
    assert.equal(result.trace.length, 0, 'no agent ran');
  });

  it('BMAD 6.12.0 without shims, runner prompts chosen: create-story and dev-story on the runner prompts, code-review on /bmad-code-review', async () => {
    const ws = await bmadProject('6.12.0');
    const result = await runCli(ws, mock, { SPRINT_RUNNER_BMAD_MISSING_WORKFLOWS: 'runner-prompt' });
    assertCycle(result, mock, { 'create-story': undefined, 'dev-story': undefined, 'code-review': '/bmad-code-review' });
    assert.match(result.stderr, /create-story, dev-story run on Sprint Runner's own prompts/);
  });

  it('a first line naming a skill the real CLI does not list: the child ends at system/init, a permanent configuration error, the step never runs', async () => {
    const ws = await bmadProject('6.12.0');
    const home = mkdtempSync(path.join(os.tmpdir(), 'sr-bmad-home-'));
    cleanup.push(home);
    const traceFile = path.join(home, 'trace.ndjson');
    const agent = new ClaudeAgent({
      command: claude.bin('claude'),
      logDir: path.join(home, 'logs'),
      stateDir: path.join(home, 'state'),
      env: claudeEnv(mock, home, traceFile),
      timeouts: { stopGraceMs: 2000 },
    });
    try {
      const res = await agent.execute({
        runId: 'r',
        batchId: 1,
        cycle: 1,
        stepKey: 'c1/create-story/1-1',
        command: 'create-story',
        storyKeys: [STORY],
        epicId: '1',
        attempt: 1,
        prompt: `/bmad-create-story ${STORY}\n\n# create-story — create story files for 1-1 (epic 1)\n`,
        cwd: ws,
        env: { SPRINT_RUNNER_ARTIFACTS: path.join(ws, ARTIFACTS) },
        signal: new AbortController().signal,
      });
      assert.equal(res.outcome, 'permanent', res.message);
      assert.equal(res.errorClass, 'missing-workflow');
      assert.match(res.message ?? '', /does not know that command or skill/);
      assert.ok(!existsSync(traceFile), 'the step worker never ran');
      assert.equal(mock.requests.filter((r) => r.answer === 'final').length, 0, 'no conversation got past its first turn');
    } finally {
      await agent.dispose();
    }
  });
});
