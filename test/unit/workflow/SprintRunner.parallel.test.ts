// Parallel stories in git worktrees (opt-in, maxParallel > 1), on real temporary repositories: lanes run
// at the same time, merge back one at a time, a conflict parks the story with its branch intact, and a
// kill -9 of the engine's process in the middle of the parallel work loses no story's commits.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { AgentRequest } from '../../../src/core/agent/AgentContract';
import { GitRepository } from '../../../src/infra/git/GitRepository';
import { NodeGitPort } from '../../../src/infra/git/NodeGitPort';
import { NodeLanePort } from '../../../src/infra/git/NodeLanePort';
import { aRunner, aStore, eventsOf, type RunnerSpec } from '../../support/workflowBuilders';
import { aGitWorkspace, commitAllIn, writeIn, type GitWorkspace } from './gitWorkspace';

const workspaces: GitWorkspace[] = [];
const stores: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

const SPRINT_ID = 'sprint-t';

async function setup(stories: Record<string, string>, spec: Omit<RunnerSpec, 'store'>, files: Record<string, string> = {}) {
  const ws = await aGitWorkspace({ stories }, files);
  workspaces.push(ws);
  const store = await aStore();
  stores.push(store);
  const lanes = await NodeLanePort.open({
    workspaceRoot: ws.root,
    sprintId: SPRINT_ID,
    stateDir: ws.stateDir,
    engineOwnedFiles: [ws.layout.ledgerPath, path.join(ws.root, 'docs/sprint-runner.csv')],
  });
  const t = aRunner(ws, {
    ...spec,
    settings: { maxParallel: 2, commitMode: 'engine', ...spec.settings },
    store,
    deps: { git: new NodeGitPort(), lanes },
  });
  return { ws, lanes, ...t };
}

/** Resolves when `n` dev-stories are running at the same time (or after 5 s: then they were not). */
function concurrency(n: number) {
  let running = 0;
  let max = 0;
  const waiters: (() => void)[] = [];
  return {
    get max() {
      return max;
    },
    async enter(): Promise<void> {
      running++;
      max = Math.max(max, running);
      if (running >= n) waiters.splice(0).forEach((w) => w());
      else await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 5000);
      });
    },
    leave(): void {
      running--;
    },
  };
}

describe('SprintRunner parallel mode (worktree lanes)', function () {
  this.timeout(60_000);

  it('two stories of different epics run at the same time, each in its own worktree, and both merge into the sprint branch', async () => {
    const c = concurrency(2);
    const t = await setup({ '1-1-a': 'in-progress', '2-1-b': 'in-progress' }, {
      work: async (req: AgentRequest) => {
        if (req.command !== 'dev-story') return;
        await c.enter();
        await writeIn(req, `src/${req.storyKeys[0]}.ts`, `export const x = ${JSON.stringify(req.storyKeys[0])};\n`);
        c.leave();
      },
    });
    const r = await t.runner.run({ cycles: 1 });
    assert.equal(r.status, 'completed', r.reason);
    assert.equal(c.max, 2, 'both dev-stories were in flight together');
    const devs = t.agent.invocations.filter((i) => i.command === 'dev-story');
    assert.equal(new Set(devs.map((d) => d.env.SPRINT_RUNNER_ARTIFACTS)).size, 2);
    for (const d of devs) assert.ok(!d.env.SPRINT_RUNNER_ARTIFACTS.startsWith(t.ws.root + '/'), 'agents run in their lane, not the workspace');
    assert.deepEqual(await t.ws.statuses(), { '1-1-a': 'done', '2-1-b': 'done' });
    const sprint = t.lanes.sprintBranch;
    assert.equal(sprint, `sprint/${SPRINT_ID}`);
    assert.equal(await t.ws.git('show', `${sprint}:src/1-1-a.ts`), 'export const x = "1-1-a";');
    assert.equal(await t.ws.git('show', `${sprint}:src/2-1-b.ts`), 'export const x = "2-1-b";');
    const ledgerRel = path.relative(t.ws.root, t.ws.layout.ledgerPath);
    assert.equal(await t.ws.git('show', `${sprint}:${ledgerRel}`), await t.ws.git('show', `main:${ledgerRel}`), 'lanes never changed the ledger on the sprint branch');
    const log = (await t.ws.git('log', '--format=%s', sprint)).split('\n');
    assert.ok(log.includes('feat(1): implement stories 1-1') && log.includes('feat(2): implement stories 2-1'), log.join('\n'));
    assert.deepEqual(eventsOf(t.events, 'lane:state').filter((e) => e.state === 'merged').map((e) => e.storyKey), ['1-1-a', '2-1-b']);
    assert.ok(eventsOf(t.events, 'command:start').every((e) => e.lane === e.storyKeys[0]), 'command events carry their lane');
    assert.ok(eventsOf(t.events, 'story:phase').every((e) => e.lane === e.storyKey), 'phase events carry their lane');
    assert.ok(eventsOf(t.events, 'story:status').every((e) => e.lane === e.storyKey), 'status events carry their lane');
    assert.equal(await t.ws.git('rev-parse', '--abbrev-ref', 'HEAD'), 'main', "the user's checkout was never switched");
    assert.equal(await t.ws.git('show', 'main:src/1-1-a.ts').catch(() => 'absent'), 'absent');
    const worktrees = await t.ws.git('worktree', 'list', '--porcelain');
    assert.doesNotMatch(worktrees, /story\/sprint-t\//, 'merged lanes are cleaned up');
  });

  it('two stories editing the same lines: the first merges, the second is blocked with the conflicting file listed and its branch intact', async () => {
    const t = await setup(
      { '1-1-a': 'in-progress', '1-2-b': 'in-progress' },
      {
        settings: { independentStories: ['1-2-b'], sprintReport: true },
        work: async (req: AgentRequest) => {
          if (req.command === 'dev-story') await writeIn(req, 'src/shared.ts', `export const owner = ${JSON.stringify(req.storyKeys[0])};\n`);
        },
      },
      { 'src/shared.ts': 'export const owner = "nobody";\n' },
    );
    const r = await t.runner.run({ cycles: 1 });
    assert.equal(r.status, 'completed', r.reason);
    assert.deepEqual(await t.ws.statuses(), { '1-1-a': 'done', '1-2-b': 'blocked' });
    assert.equal(await t.ws.git('show', `${t.lanes.sprintBranch}:src/shared.ts`), 'export const owner = "1-1-a";');
    const conflict = eventsOf(t.events, 'lane:state').find((e) => e.state === 'conflict');
    assert.equal(conflict?.storyKey, '1-2-b');
    assert.deepEqual(conflict?.files, ['src/shared.ts']);
    const blocked = eventsOf(t.events, 'story:status').find((e) => e.to === 'blocked');
    assert.match(blocked?.reason ?? '', /^merge conflict: src\/shared\.ts \(branch story\/sprint-t\/1-2-b and worktree .* kept/);
    const branch = 'story/sprint-t/1-2-b';
    assert.equal(await t.ws.git('show', `${branch}:src/shared.ts`), 'export const owner = "1-2-b";', 'the blocked story keeps its work on its branch');
    assert.deepEqual((await t.ws.git('log', '-2', '--format=%s', branch)).split('\n'), ['chore(1-2-b): leave engine-owned files to the engine', 'feat(1): implement stories 1-2']);
    assert.equal(await new GitRepository(conflict!.cwd!).isDirty(), false);
    assert.equal((await t.store.openBlock('1-2-b'))?.reason, blocked?.reason);
    const report = await fsp.readFile(path.join(t.ws.layout.implementationArtifacts, `sprint-report-test-run-1-${r.batchId}.md`), 'utf8');
    assert.match(report, /- Stories: 1 done, 1 blocked/);
    assert.match(report, /- \*\*1-2-b\*\*: merge conflict: src\/shared\.ts \(branch story\/sprint-t\/1-2-b and worktree /);
    assert.match(report, /- Lane: `story\/sprint-t\/1-1-a`, merged into sprint\/sprint-t/);
    assert.match(report, /- Lane: `story\/sprint-t\/1-2-b`, conflict: src\/shared\.ts/);
  });

  it('agent mode in lanes: each batch-commit agent commits in its lane and is verified there; the progress log and ledger copies do not reach the sprint branch', async () => {
    const t = await setup({ '1-1-a': 'in-progress', '2-1-b': 'in-progress' }, {
      settings: { commitMode: 'agent' },
      work: async (req: AgentRequest) => {
        if (req.command === 'dev-story') {
          await writeIn(req, `src/${req.storyKeys[0]}.ts`, 'done\n');
          await fsp.mkdir(path.join(req.cwd, 'docs'), { recursive: true });
          await fsp.appendFile(path.join(req.cwd, 'docs/sprint-runner.csv'), `${req.storyKeys[0]},dev-story,end\n`);
        }
        if (req.command === 'batch-commit') await commitAllIn(req);
      },
    });
    const r = await t.runner.run({ cycles: 1 });
    assert.equal(r.status, 'completed', r.reason);
    const verified = eventsOf(t.events, 'commit:verified');
    assert.deepEqual(verified.map((v) => [v.lane, v.mode, v.message]).sort(), [
      ['1-1-a', 'agent', 'feat(1): implement stories 1-1'],
      ['2-1-b', 'agent', 'feat(2): implement stories 2-1'],
    ]);
    assert.deepEqual(await t.ws.statuses(), { '1-1-a': 'done', '2-1-b': 'done' });
    const sprint = t.lanes.sprintBranch;
    assert.equal(await t.ws.git('show', `${sprint}:src/2-1-b.ts`), 'done');
    assert.equal(await t.ws.git('show', `${sprint}:docs/sprint-runner.csv`).catch(() => 'absent'), 'absent');
  });

  it('mergeSprintIntoBase: a complete sprint merges into the user\'s branch, which may have the engine\'s ledger changes but nothing else', async () => {
    const t = await setup({ '1-1-a': 'in-progress', '2-1-b': 'in-progress' }, {
      settings: { mergeSprintIntoBase: true },
      work: async (req: AgentRequest) => (req.command === 'dev-story' ? writeIn(req, `src/${req.storyKeys[0]}.ts`, 'done\n') : undefined),
    });
    const r = await t.runner.run({ cycles: 1 });
    assert.equal(r.status, 'completed', r.reason);
    assert.equal(r.sprintComplete, true);
    assert.equal(await t.ws.git('rev-parse', 'HEAD'), await t.ws.git('rev-parse', t.lanes.sprintBranch), 'main now is the sprint branch (fast-forward)');
    assert.equal(await fsp.readFile(path.join(t.ws.root, 'src/1-1-a.ts'), 'utf8'), 'done\n');
    assert.equal(await fsp.readFile(path.join(t.ws.root, 'src/2-1-b.ts'), 'utf8'), 'done\n');
    assert.deepEqual(await t.ws.statuses(), { '1-1-a': 'done', '2-1-b': 'done' }, "the engine's ledger writes are kept");
    assert.deepEqual(eventsOf(t.events, 'warning'), []);
  });

  it('a permanent failure in one lane ends the batch; the other lane finishes its running step and starts no new one', async () => {
    let bStarted: () => void = () => undefined;
    const bRunning = new Promise<void>((resolve) => (bStarted = resolve));
    const t = await setup({ '1-1-a': 'in-progress', '2-1-b': 'in-progress' }, {
      // 1-1 fails while 2-1's dev-story is in flight.
      script: { 'dev-story 1-1': { outcome: 'permanent', message: 'Invalid API key', before: () => bRunning } },
      work: async (req: AgentRequest) => {
        if (req.command === 'dev-story') {
          bStarted();
          await new Promise((r) => setTimeout(r, 300));
          await writeIn(req, 'src/b.ts', 'b\n');
        }
      },
    });
    const r = await t.runner.run({ cycles: 1 });
    assert.equal(r.status, 'failed');
    assert.equal(r.reason, 'Invalid API key');
    assert.deepEqual(t.agent.sequence.sort(), ['dev-story 1-1', 'dev-story 2-1']);
    assert.deepEqual(await t.ws.statuses(), { '1-1-a': 'in-progress', '2-1-b': 'in-progress' });
    assert.deepEqual(eventsOf(t.events, 'lane:state').map((e) => e.state), ['started', 'started']);
  });

  it('a kill -9 of the engine during parallel work resumes without losing either story\'s commits', async () => {
    const ws = await aGitWorkspace({ stories: { '1-1-a': 'in-progress', '2-1-b': 'in-progress' } });
    workspaces.push(ws);
    const marker = path.join(ws.stateDir, 'killme');
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'parallelEngineChild.ts'), ws.root, ws.stateDir, SPRINT_ID, marker], {
      cwd: path.resolve(__dirname, '../../..'),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (!(await fsp.stat(marker).then(() => true, () => false))) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        assert.fail(`the child never reached the kill point: ${stderr}`);
      }
      if (child.exitCode !== null) assert.fail(`the child exited early (${child.exitCode}): ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const firstCommit = (await fsp.readFile(marker, 'utf8')).trim();
    child.kill('SIGKILL');
    await exited;
    // 1-1's lane committed before the kill; 2-1 was in the middle of its dev-story.
    assert.equal(await ws.git('log', '-1', '--format=%H', 'story/sprint-t/1-1-a'), firstCommit);

    const store = await aStore(ws.stateDir);
    stores.push(store);
    const lanes = await NodeLanePort.open({ workspaceRoot: ws.root, sprintId: SPRINT_ID, stateDir: ws.stateDir, engineOwnedFiles: [ws.layout.ledgerPath] });
    const t = aRunner(ws, {
      store,
      settings: { maxParallel: 2, commitMode: 'engine' },
      deps: { git: new NodeGitPort(), lanes },
      work: async (req) => (req.command === 'dev-story' ? writeIn(req, `src/${req.storyKeys[0]}.ts`, `export const x = ${JSON.stringify(req.storyKeys[0])};\n`) : undefined),
    });
    const r = await t.runner.resume();
    assert.equal(r.status, 'completed', r.reason);
    assert.deepEqual(t.agent.sequence, ['dev-story 2-1', 'code-review 2-1'], 'only the interrupted story\'s steps ran again');
    assert.deepEqual(await ws.statuses(), { '1-1-a': 'done', '2-1-b': 'done' });
    const sprint = 'sprint/sprint-t';
    assert.equal((await ws.repo.run(['merge-base', '--is-ancestor', firstCommit, sprint], { okExitCodes: [1] })).exitCode, 0, "1-1's commit from before the kill is in the sprint branch");
    assert.equal(await ws.git('show', `${sprint}:src/1-1-a.ts`), 'export const x = "1-1-a";');
    assert.equal(await ws.git('show', `${sprint}:src/2-1-b.ts`), 'export const x = "2-1-b";');
  });
});
