import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { GitRepository } from '../../../../src/infra/git/GitRepository';
import { WorktreeLanes } from '../../../../src/infra/git/WorktreeLanes';
import { makeTempRepo, type TempRepo } from './tempRepo';

async function work(cwd: string, files: Record<string, string>, message: string): Promise<string> {
  const repo = new GitRepository(cwd);
  for (const [rel, text] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(cwd, rel)), { recursive: true });
    await fsp.writeFile(path.join(cwd, rel), text);
  }
  await repo.addPaths(Object.keys(files));
  return repo.commit(message);
}

const exists = (p: string) => fsp.stat(p).then(() => true, () => false);

describe('WorktreeLanes (real git worktrees)', function () {
  this.timeout(60_000);
  let t: TempRepo;
  let stateDir: string;
  beforeEach(async () => {
    t = await makeTempRepo();
    await t.write('src/shared.ts', 'line 1\nline 2\nline 3\n');
    await t.commitAll('shared file');
    stateDir = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'sr-state-')));
  });
  afterEach(async () => {
    await t.cleanup();
    await fsp.rm(stateDir, { recursive: true, force: true });
  });

  it('runs two stories of different epics in worktrees and merges both into the sprint branch', async () => {
    const lanes = new WorktreeLanes({ repo: t.repo, runId: 'r1', stateDir });
    const [a, b] = await Promise.all([lanes.prepareLane('1-1-alpha'), lanes.prepareLane('2-1-beta')]);
    assert.equal(a.branch, 'story/r1/1-1-alpha');
    assert.equal(b.branch, 'story/r1/2-1-beta');
    assert.notEqual(a.cwd, b.cwd);
    assert.equal(await t.repo.currentBranch(), 'main', "the user's checkout is not switched");

    await Promise.all([work(a.cwd, { 'src/alpha.ts': 'alpha\n' }, 'alpha'), work(b.cwd, { 'src/beta.ts': 'beta\n' }, 'beta')]);
    const [ra, rb] = await Promise.all([lanes.finishLane('1-1-alpha'), lanes.finishLane('2-1-beta')]);
    assert.equal(ra.status, 'merged');
    assert.equal(rb.status, 'merged');
    assert.equal(ra.status === 'merged' && ra.fastForward, true);
    assert.equal(rb.status === 'merged' && rb.fastForward, false, 'the second one needs a merge commit');

    const sprint = new GitRepository(lanes.sprintCwd);
    assert.equal(await fsp.readFile(path.join(lanes.sprintCwd, 'src/alpha.ts'), 'utf8'), 'alpha\n');
    assert.equal(await fsp.readFile(path.join(lanes.sprintCwd, 'src/beta.ts'), 'utf8'), 'beta\n');
    assert.equal(await sprint.currentBranch(), 'sprint/r1');
    assert.equal(await exists(a.cwd), false, 'merged clean worktree removed');
    assert.equal(await t.repo.branchExists('story/r1/1-1-alpha'), false, 'merged branch deleted with -d');
    assert.deepEqual((await lanes.lanes()).map((l) => l.state), ['merged', 'merged']);

    const main = await lanes.mergeSprintIntoBase();
    assert.equal(main.ok, true);
    assert.equal(await t.read('src/beta.ts'), 'beta\n');
  });

  it('two stories editing the same lines: one merged, one conflict with its files, branch and worktree intact', async () => {
    const lanes = new WorktreeLanes({ repo: t.repo, runId: 'r2', stateDir });
    const a = await lanes.prepareLane('1-1-alpha');
    const b = await lanes.prepareLane('2-1-beta');
    await work(a.cwd, { 'src/shared.ts': 'line 1\nALPHA\nline 3\n' }, 'alpha edits line 2');
    const betaSha = await work(b.cwd, { 'src/shared.ts': 'line 1\nBETA\nline 3\n' }, 'beta edits line 2');

    const ra = await lanes.finishLane('1-1-alpha');
    const rb = await lanes.finishLane('2-1-beta');
    assert.equal(ra.status, 'merged');
    assert.equal(rb.status, 'conflict');
    assert.deepEqual(rb.status === 'conflict' && rb.files, ['src/shared.ts']);

    const sprint = new GitRepository(lanes.sprintCwd);
    assert.equal(await sprint.mergeInProgress(), false, 'the merge was aborted');
    assert.equal(await sprint.isDirty(), false);
    assert.equal(await fsp.readFile(path.join(lanes.sprintCwd, 'src/shared.ts'), 'utf8'), 'line 1\nALPHA\nline 3\n');
    assert.equal(await t.repo.resolve('story/r2/2-1-beta'), betaSha, 'story branch kept with its commit');
    assert.equal(await fsp.readFile(path.join(b.cwd, 'src/shared.ts'), 'utf8'), 'line 1\nBETA\nline 3\n', 'worktree kept');
    const rec = (await lanes.lanes()).find((l) => l.storyKey === '2-1-beta');
    assert.equal(rec?.state, 'conflict');
    assert.deepEqual(rec?.conflictFiles, ['src/shared.ts']);
  });

  it('never merges or removes a worktree with uncommitted changes', async () => {
    const lanes = new WorktreeLanes({ repo: t.repo, runId: 'r3', stateDir });
    const a = await lanes.prepareLane('1-1-alpha');
    await work(a.cwd, { 'src/alpha.ts': 'alpha\n' }, 'alpha');
    await fsp.writeFile(path.join(a.cwd, 'notes.txt'), 'unsaved\n');
    const r = await lanes.finishLane('1-1-alpha');
    assert.deepEqual(r, { status: 'uncommitted', storyKey: '1-1-alpha', branch: 'story/r3/1-1-alpha', cwd: a.cwd, files: ['notes.txt'] });
    assert.equal(await exists(path.join(a.cwd, 'notes.txt')), true);
    assert.equal(await fsp.stat(path.join(lanes.sprintCwd, 'src/alpha.ts')).then(() => true, () => false), false);
  });

  it('keeps lanes off the engine-owned ledger so they do not conflict on it', async () => {
    await t.write('_bmad-output/implementation-artifacts/sprint-status.yaml', 'development_status:\n  1-1-alpha: ready-for-dev\n  2-1-beta: ready-for-dev\n');
    await t.commitAll('ledger');
    const ledger = '_bmad-output/implementation-artifacts/sprint-status.yaml';
    const lanes = new WorktreeLanes({ repo: t.repo, runId: 'r4', stateDir, engineOwnedPaths: [ledger] });
    const a = await lanes.prepareLane('1-1-alpha');
    const b = await lanes.prepareLane('2-1-beta');
    await work(a.cwd, { 'src/alpha.ts': 'a\n', [ledger]: 'development_status:\n  1-1-alpha: done\n  2-1-beta: ready-for-dev\n' }, 'alpha');
    await work(b.cwd, { 'src/beta.ts': 'b\n', [ledger]: 'development_status:\n  1-1-alpha: ready-for-dev\n  2-1-beta: done\n' }, 'beta');
    assert.equal((await lanes.finishLane('1-1-alpha')).status, 'merged');
    assert.equal((await lanes.finishLane('2-1-beta')).status, 'merged');
    assert.equal(await fsp.readFile(path.join(lanes.sprintCwd, ledger), 'utf8'), 'development_status:\n  1-1-alpha: ready-for-dev\n  2-1-beta: ready-for-dev\n');
  });

  it('rejects unsafe story keys before touching git', async () => {
    const lanes = new WorktreeLanes({ repo: t.repo, runId: 'r5', stateDir });
    await assert.rejects(() => lanes.prepareLane('../../outside'), /Unsafe name/);
    const weird = await lanes.prepareLane('1-1 "quoted" $(id)');
    assert.match(weird.branch, /^story\/r5\/1-1-quoted-id-[0-9a-f]{8}$/);
    assert.equal(path.dirname(weird.cwd), path.join(stateDir, 'worktrees', 'r5'));
  });

  it('kill -9 during parallel work: recover() finds both lanes and nothing is lost', async () => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'fixtures', 'laneCrashChild.ts'), t.dir, stateDir], { stdio: ['ignore', 'pipe', 'pipe'], cwd: process.cwd() });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const shas = await new Promise<Record<string, string>>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        const m = /READY (\{.*\})\n/.exec(stdout);
        if (m) resolve(JSON.parse(m[1]) as Record<string, string>);
      });
      child.on('exit', (code) => reject(new Error(`child exited ${code} before READY: ${stderr}`)));
    });
    await new Promise((r) => setTimeout(r, 150));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    const lanes = new WorktreeLanes({ repo: t.repo, runId: 'crash-run', stateDir });
    const recovered = await lanes.recover();
    assert.deepEqual(recovered.map((l) => [l.storyKey, l.state, l.worktreePresent, l.branchPresent, l.commitsAhead]).sort(), [
      ['1-1-alpha', 'active', true, true, 1],
      ['2-1-beta', 'active', true, true, 1],
    ]);
    for (const [key, sha] of Object.entries(shas)) assert.equal(await t.repo.resolve(`story/crash-run/${key}`), sha);
    const beta = recovered.find((l) => l.storyKey === '2-1-beta')!;
    assert.deepEqual(beta.uncommittedFiles, ['wip.txt'], 'work in progress is still on disk');

    // Resume: the engine commits the in-progress work, then both stories merge.
    const betaRepo = new GitRepository(beta.cwd);
    await betaRepo.addPaths(['wip.txt']);
    await betaRepo.commit('wip');
    assert.equal((await lanes.finishLane('1-1-alpha')).status, 'merged');
    assert.equal((await lanes.finishLane('2-1-beta')).status, 'merged');
    assert.equal(await fsp.readFile(path.join(lanes.sprintCwd, '1-1-alpha.ts'), 'utf8'), 'export const story = "1-1-alpha";\n');
    assert.equal(await fsp.readFile(path.join(lanes.sprintCwd, '2-1-beta.ts'), 'utf8'), 'export const story = "2-1-beta";\n');
  });
});
