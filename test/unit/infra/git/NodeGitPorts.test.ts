// The engine's git ports over real temporary repositories: NodeGitPort.detect decides whether commits are
// checked at all; NodeLanePort maps a workspace that is a subfolder of the repository into each lane and
// keeps the agents' copies of engine-owned files out of the sprint branch without deleting anything.

import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitRepository } from '../../../../src/infra/git/GitRepository';
import { NodeGitPort } from '../../../../src/infra/git/NodeGitPort';
import { NodeLanePort } from '../../../../src/infra/git/NodeLanePort';
import { configureTestRepo, makeTempRepo, type TempRepo } from './tempRepo';

describe('NodeGitPort and NodeLanePort', function () {
  this.timeout(30_000);
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  async function tempDir(prefix: string): Promise<string> {
    const dir = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), prefix)));
    cleanups.push(() => fsp.rm(dir, { recursive: true, force: true }));
    return dir;
  }
  async function repo(): Promise<TempRepo> {
    const t = await makeTempRepo();
    cleanups.push(t.cleanup);
    return t;
  }

  it('detect: a folder outside git and a repository without a commit give no port (nothing to verify against)', async () => {
    assert.equal(await NodeGitPort.detect(await tempDir('sr-nogit-')), undefined);
    const empty = await tempDir('sr-empty-');
    const r = new GitRepository(empty);
    await r.run(['init', '-q']);
    await configureTestRepo(r);
    assert.equal(await NodeGitPort.detect(empty), undefined);
    const t = await repo();
    assert.ok(await NodeGitPort.detect(path.join(t.dir, 'src')), 'a subfolder of a repository with a commit');
  });

  it('snapshot + verify through the port: an empty-handed agent is no-commit, a proper commit is ok', async () => {
    const t = await repo();
    const port = new NodeGitPort(() => 42);
    const before = await port.snapshot(t.dir);
    assert.equal(before.takenAt, 42);
    const expected = { epicId: '1', storyIds: ['1-1'], storyKeys: ['1-1-a'] };
    assert.deepEqual(await port.verifyBatchCommit(t.dir, before, expected).then((r) => (r.ok ? 'ok' : r.reason)), 'no-commit');
    await t.write('src/a.ts', 'a\n');
    const sha = await t.commitAll('feat(1): implement stories 1-1');
    const r = await port.verifyBatchCommit(t.dir, before, expected);
    assert.equal(r.ok && r.sha, sha);
  });

  it('lanes of a workspace in a subfolder: the lane is that subfolder of the worktree; ledger edits are committed in the lane and undone before the merge', async () => {
    const t = await repo();
    await t.write('app/_bmad-output/implementation-artifacts/sprint-status.yaml', 'development_status:\n  1-1-a: backlog\n');
    await t.commitAll('workspace in app/');
    const workspace = path.join(t.dir, 'app');
    const ledger = path.join(workspace, '_bmad-output/implementation-artifacts/sprint-status.yaml');
    const lanes = await NodeLanePort.open({ workspaceRoot: workspace, sprintId: 'sub', stateDir: await tempDir('sr-lanestate-'), engineOwnedFiles: [ledger] });
    const lane = await lanes.prepare('1-1-a');
    assert.equal(path.basename(lane.cwd), 'app');
    assert.equal(lane.branch, 'story/sub/1-1-a');
    const laneLedger = path.join(lane.cwd, '_bmad-output/implementation-artifacts/sprint-status.yaml');
    await fsp.writeFile(laneLedger, 'development_status:\n  1-1-a: review\n');
    await fsp.writeFile(path.join(lane.cwd, 'feature.ts'), 'x\n');
    const laneRepo = new GitRepository(lane.cwd);
    await laneRepo.addPaths(['feature.ts']);
    await laneRepo.commit('feat(1): implement stories 1-1', { only: ['feature.ts'] });
    const merged = await lanes.merge('1-1-a');
    assert.equal(merged.status, 'merged');
    const show = async (ref: string, p: string) => (await t.repo.run(['show', `${ref}:${p}`])).stdout;
    assert.equal(await show(lanes.sprintBranch, 'app/feature.ts'), 'x\n');
    assert.equal(await show(lanes.sprintBranch, 'app/_bmad-output/implementation-artifacts/sprint-status.yaml'), 'development_status:\n  1-1-a: backlog\n');
    const log = (await t.repo.run(['log', '--format=%s', lanes.sprintBranch])).stdout.split('\n');
    assert.ok(log.includes("chore(1-1-a): agents' copy of engine-owned files"), 'the lane copy is kept in history');
  });
});
