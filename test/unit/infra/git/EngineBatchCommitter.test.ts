import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { snapshotBefore, verifyBatchCommit } from '../../../../src/infra/git/BatchCommitVerifier';
import { EngineBatchCommitter } from '../../../../src/infra/git/EngineBatchCommitter';
import { makeTempRepo, type TempRepo } from './tempRepo';

const ART = '_bmad-output/implementation-artifacts';

describe('EngineBatchCommitter (real git)', () => {
  let t: TempRepo;
  beforeEach(async () => {
    t = await makeTempRepo();
    await t.write(`${ART}/sprint-status.yaml`, 'development_status:\n  3a-1-login: review\n');
    await t.commitAll('ledger');
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const input = (t: TempRepo) => ({
    storyIds: ['3a-1', '3a-2'],
    storyKeys: ['3a-1-login', '3a-2-logout'],
    artifactsDir: path.join(t.dir, ART),
  });

  it('archives artifacts, deletes discovery files, commits the cycle with the 003 message', async () => {
    const before = await snapshotBefore(t.repo);
    await t.write(`${ART}/3a-1-login.md`, 'story 1\n');
    await t.write(`${ART}/3a-1-login-discovery-story.md`, 'discovery\n');
    await t.write(`${ART}/tech-spec-3a-1-login.md`, 'spec\n');
    await t.write(`${ART}/3a-2-logout.md`, 'story 2\n');
    await t.write(`${ART}/3a-3-other.md`, 'another story, still active\n');
    await t.write('src/login.ts', 'login\n');
    await t.write(`${ART}/sprint-status.yaml`, 'development_status:\n  3a-1-login: done\n');

    const r = await new EngineBatchCommitter().commit(t.repo, before, input(t));
    assert.ok(r.ok, JSON.stringify(r));
    if (!r.ok) return;
    assert.equal(r.message, 'feat(3a): implement stories 3a-1,3a-2');
    assert.deepEqual(r.archived.sort(), ['_bmad-output/archived-artifacts/3a-1-login.md', '_bmad-output/archived-artifacts/3a-2-logout.md', '_bmad-output/archived-artifacts/tech-spec-3a-1-login.md']);
    assert.deepEqual(r.deleted, [`${ART}/3a-1-login-discovery-story.md`]);
    assert.deepEqual(r.files.sort(), [...r.archived, 'src/login.ts'].sort());
    assert.equal(await t.exists(`${ART}/3a-1-login-discovery-story.md`), false);
    assert.equal(await t.read('_bmad-output/archived-artifacts/3a-1-login.md'), 'story 1\n');
    // Other stories' active artifacts and the ledger stay uncommitted (not the cycle's to commit).
    const left = (await t.repo.statusPorcelain()).map((s) => s.path).sort();
    assert.deepEqual(left, [`${ART}/3a-3-other.md`, `${ART}/sprint-status.yaml`]);
    // What the engine made passes the same verification the agent's commit must pass.
    const v = await verifyBatchCommit(t.repo, before, { epicId: '3a', storyIds: ['3a-1', '3a-2'] });
    assert.equal(v.ok, true);
  });

  it('commits engine-owned extra paths when asked, and multiple epics comma-joined', async () => {
    const before = await snapshotBefore(t.repo);
    await t.write('src/a.ts', 'a\n');
    await t.write(`${ART}/sprint-status.yaml`, 'development_status:\n  3a-1-login: done\n');
    const r = await new EngineBatchCommitter().commit(t.repo, before, {
      storyIds: ['3a-4', '3b-1'],
      storyKeys: ['3a-4-x', '3b-1-y'],
      artifactsDir: path.join(t.dir, ART),
      extraPaths: [path.join(t.dir, ART, 'sprint-status.yaml')],
    });
    assert.ok(r.ok);
    assert.equal(r.ok && r.message, 'feat(3a,3b): implement stories 3a-4,3b-1');
    assert.deepEqual(r.ok && r.files.sort(), [`${ART}/sprint-status.yaml`, 'src/a.ts']);
  });

  it('leaves changes that existed before the cycle alone (staged or not)', async () => {
    await t.write('notes.txt', 'user draft\n');
    await t.write('README.md', '# staged by the user\n');
    await t.repo.addPaths(['README.md']);
    const before = await snapshotBefore(t.repo);
    await t.write('src/login.ts', 'login\n');
    const r = await new EngineBatchCommitter().commit(t.repo, before, input(t));
    assert.ok(r.ok);
    assert.deepEqual(r.ok && r.files, ['src/login.ts']);
    const left = (await t.repo.statusPorcelain()).map((s) => `${s.code} ${s.path}`).sort();
    assert.deepEqual(left, ['?? notes.txt', 'M  README.md']);
  });

  it('refuses a dirty tree it did not expect and touches nothing', async () => {
    await t.write('src/app.ts', 'export const a = "user edit";\n');
    const before = await snapshotBefore(t.repo);
    await t.write(`${ART}/3a-1-login.md`, 'story 1\n');
    await t.write('src/app.ts', 'export const a = "user edit, then the agent";\n');
    const head = await t.repo.head();
    const r = await new EngineBatchCommitter().commit(t.repo, before, input(t));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'unexpected-dirty');
    assert.deepEqual(!r.ok && r.paths, ['src/app.ts']);
    assert.equal(await t.repo.head(), head);
    assert.equal(await t.exists(`${ART}/3a-1-login.md`), true, 'no artifact was moved');
  });

  it('refuses on another branch, and when there is nothing to commit', async () => {
    const before = await snapshotBefore(t.repo);
    const r1 = await new EngineBatchCommitter().commit(t.repo, before, input(t));
    assert.equal(!r1.ok && r1.reason, 'nothing-to-commit');
    await t.repo.run(['switch', '-q', '-c', 'other']);
    await t.write('src/x.ts', 'x\n');
    const r2 = await new EngineBatchCommitter().commit(t.repo, before, input(t));
    assert.equal(!r2.ok && r2.reason, 'not-on-branch');
  });

  it('never overwrites an archived file of the same name', async () => {
    await t.write('_bmad-output/archived-artifacts/3a-1-login.md', 'older archive\n');
    await t.commitAll('older archive');
    const before = await snapshotBefore(t.repo);
    await t.write(`${ART}/3a-1-login.md`, 'story 1 again\n');
    const r = await new EngineBatchCommitter().commit(t.repo, before, input(t));
    assert.ok(r.ok);
    assert.equal(await t.read('_bmad-output/archived-artifacts/3a-1-login.md'), 'older archive\n');
    assert.equal(await t.read('_bmad-output/archived-artifacts/3a-1-login.2.md'), 'story 1 again\n');
  });

  it('rejects story keys that look like paths', async () => {
    const before = await snapshotBefore(t.repo);
    await assert.rejects(
      () => new EngineBatchCommitter().commit(t.repo, before, { storyIds: ['1-1'], storyKeys: ['../../etc/passwd'], artifactsDir: path.join(t.dir, ART) }),
      /Unsafe name/,
    );
  });
});
