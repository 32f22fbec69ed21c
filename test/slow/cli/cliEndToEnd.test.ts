// The built CLI (dist/cli.js) against a copy of the sample workspace, with the built simulator
// (dist/sim-claude.js) as the agent: real processes, real files, real git, real sql.js.
// `npm test` builds before running unit tests; run `npm run build` first when running this alone.

import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(repo, 'dist', 'cli.js');
const sim = path.join(repo, 'dist', 'sim-claude.js');
const ledgerRel = path.join('_bmad-output', 'implementation-artifacts', 'sprint-status.yaml');

function freshWorkspace(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sr-cli-'));
  cpSync(path.join(repo, 'sample-workspace'), dir, { recursive: true });
  const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-q', '-m', 'init');
  return dir;
}

interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Done>; lines: string[] } {
  const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, SIM_CLAUDE_STATE_DIR: path.join(cwd, '.sim'), ...env } });
  let stdout = '';
  let stderr = '';
  const lines: string[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d;
    partial += d;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const done = new Promise<Done>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, lines };
}

function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Done> {
  return start(args, cwd, env).done;
}

function ledgerStatuses(ws: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of readFileSync(path.join(ws, ledgerRel), 'utf8').matchAll(/^\s+(\d[\w-]*):\s*([\w-]+)/gm)) out[m[1]] = m[2];
  return out;
}

function events(stdout: string): { type: string; [k: string]: unknown }[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { type: string });
}

describe('sprint-runner CLI end to end (sim-claude)', function () {
  this.timeout(180_000);
  const workspaces: string[] = [];
  const ws = () => {
    const w = freshWorkspace();
    workspaces.push(w);
    return w;
  };
  before(function () {
    if (!existsSync(cli) || !existsSync(sim)) throw new Error('dist/cli.js or dist/sim-claude.js missing: run `npm run build` first');
  });
  after(() => workspaces.forEach((w) => rmSync(w, { recursive: true, force: true })));

  it('runs two cycles, commits each, and status --json shows per-story tokens and cost', async () => {
    const w = ws();
    const r = await runCli(['run', '--cycles', '2', '--claude', sim], w);
    assert.equal(r.code, 0, r.stderr);
    const st = ledgerStatuses(w);
    assert.deepEqual(
      [st['1-1-add-and-list-tasks'], st['1-2-complete-a-task'], st['1-3-delete-a-task'], st['2-1-save-tasks-to-a-json-file']],
      ['done', 'done', 'done', 'backlog'],
    );
    const log = spawnSync('git', ['log', '--format=%s'], { cwd: w, encoding: 'utf8' }).stdout.trim().split('\n');
    assert.deepEqual(log.slice(0, 2), ['feat(1): implement stories 1-3', 'feat(1): implement stories 1-1,1-2']);

    const s = await runCli(['status', '--json'], w);
    assert.equal(s.code, 0, s.stderr);
    const report = JSON.parse(s.stdout) as { stories: { key: string; status: string; costUsd: number; inputTokens: number; outputTokens: number; cacheReadInputTokens: number }[]; totals: { costUsd: number }; latestBatch: { status: string; cyclesCompleted: number } };
    assert.equal(report.latestBatch.status, 'completed');
    assert.equal(report.latestBatch.cyclesCompleted, 2);
    const done = report.stories.filter((x) => x.status === 'done');
    assert.equal(done.length, 3);
    for (const story of done) {
      assert.ok(story.costUsd > 0 && story.inputTokens > 0 && story.outputTokens > 0 && story.cacheReadInputTokens > 0, `${story.key} has no usage`);
    }
    const backlog = report.stories.find((x) => x.key === '2-1-save-tasks-to-a-json-file')!;
    assert.equal(backlog.costUsd, 0);
    // The total also holds commands of no story (generate-project-context), so it is at least the stories' sum.
    const sum = report.stories.reduce((a, x) => a + x.costUsd, 0);
    assert.ok(sum > 0 && sum <= report.totals.costUsd + 1e-9, `story costs ${sum} exceed the total ${report.totals.costUsd}`);
  });

  it('after SIGKILL in the middle of a step, resume finishes with the same ledger and re-runs no finished step', async () => {
    // Reference: an uninterrupted run of the whole sprint.
    const ref = ws();
    const full = await runCli(['run', '--cycles', '2', '--json', '--claude', sim], ref);
    assert.equal(full.code, 0, full.stderr);

    const w = ws();
    const first = start(['run', '--cycles', '2', '--json', '--claude', sim], w);
    // Kill during the first dev-story: several steps are finished by then, one is running.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (first.lines.some((l) => l.includes('"type":"command:start"') && l.includes('"command":"dev-story"'))) {
          clearInterval(timer);
          first.child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      first.done.then(() => reject(new Error('run ended before it could be killed')));
    });
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');
    const finishedBefore = events(killed.stdout)
      .filter((e) => e.type === 'command:end' && e.outcome === 'success')
      .map((e) => e.stepKey as string);
    assert.ok(finishedBefore.length >= 3, `only ${finishedBefore.length} steps finished before the kill`);

    const resumed = await runCli(['resume', '--json', '--claude', sim], w);
    assert.equal(resumed.code, 0, resumed.stderr);
    const rerun = events(resumed.stdout).filter((e) => e.type === 'command:start' && finishedBefore.includes(e.stepKey as string));
    assert.deepEqual(rerun.map((e) => e.stepKey), [], 'finished steps ran again');
    assert.deepEqual(ledgerStatuses(w), ledgerStatuses(ref));
    assert.equal(Object.values(ledgerStatuses(w)).filter((s) => s === 'done').length, 3);
  });

  it('stops gracefully on SIGINT (exit 3) and resume completes the batch', async () => {
    const w = ws();
    const run = start(['run', '--cycles', '1', '--json', '--claude', sim], w);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (run.lines.some((l) => l.includes('"command":"story-review"'))) {
          clearInterval(timer);
          run.child.kill('SIGINT');
          resolve();
        }
      }, 20);
    });
    const stopped = await run.done;
    assert.equal(stopped.code, 3, stopped.stderr);
    assert.match(stopped.stderr, /stopping/);
    const resumed = await runCli(['resume', '--claude', sim], w);
    assert.equal(resumed.code, 0, resumed.stderr);
    const st = ledgerStatuses(w);
    assert.equal(st['1-1-add-and-list-tasks'], 'done');
    assert.equal(st['1-2-complete-a-task'], 'done');
  });

  it('exits 2 with a clear message for bad input and configuration', async () => {
    const w = ws();
    const bad = await runCli(['run', '--cycles', 'zero'], w);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--cycles must be a positive whole number/);

    const nothing = await runCli(['resume', '--claude', sim], w);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /Nothing to resume/);

    const empty = mkdtempSync(path.join(os.tmpdir(), 'sr-empty-'));
    workspaces.push(empty);
    const missing = await runCli(['run', '--claude', sim], empty);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /sprint-status\.yaml/);
    assert.match(missing.stderr, /--init/);

    const stop = await runCli(['stop'], w);
    assert.equal(stop.code, 0);
    assert.match(stop.stderr, /No run is active/);
  });

  it('refuses a second runner on the same state folder while the first runs', async () => {
    const w = ws();
    const first = start(['run', '--cycles', '1', '--json', '--claude', sim], w);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (first.lines.some((l) => l.includes('"type":"command:start"'))) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    const second = await runCli(['run', '--cycles', '1', '--claude', sim], w);
    assert.equal(second.code, 2);
    assert.match(second.stderr, new RegExp(`pid ${first.child.pid}`));
    const stop = await runCli(['stop'], w);
    assert.equal(stop.code, 0);
    const firstDone = await first.done;
    assert.equal(firstDone.code, 3, 'the first run stops when asked by sprint-runner stop');
  });
});
