import { strict as assert } from 'node:assert';
import { snapshotBefore, verifyBatchCommit } from '../../../../src/infra/git/BatchCommitVerifier';
import { makeTempRepo, type TempRepo } from './tempRepo';

describe('verifyBatchCommit (real git)', () => {
  let t: TempRepo;
  beforeEach(async () => {
    t = await makeTempRepo();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const expected = { epicId: '3a', storyIds: ['3a-1', '3a-2'], storyKeys: ['3a-1-login', '3a-2-logout'] };

  it('accepts the cycle commit made by the batch-commit agent', async () => {
    const before = await snapshotBefore(t.repo);
    await t.write('src/login.ts', 'login\n');
    const sha = await t.commitAll('feat(3a): implement stories 3a-1,3a-2');
    const v = await verifyBatchCommit(t.repo, before, expected);
    assert.deepEqual(v, { ok: true, sha, message: 'feat(3a): implement stories 3a-1,3a-2', files: ['src/login.ts'], leftUncommitted: [], includedPreexisting: [] });
  });

  it('accepts the batch-commit workflow spacing and reports files left uncommitted', async () => {
    const before = await snapshotBefore(t.repo);
    await t.write('src/login.ts', 'login\n');
    await t.repo.addPaths(['src/login.ts']);
    await t.repo.commit('feat(3a): implement stories 3a-2, 3a-1\n\nCo-Authored-By: agent');
    await t.write('src/forgotten.ts', 'x\n');
    const v = await verifyBatchCommit(t.repo, before, expected);
    assert.ok(v.ok, JSON.stringify(v));
    assert.deepEqual(v.ok && v.leftUncommitted, ['src/forgotten.ts']);
  });

  it('catches an agent that claims success but committed nothing (no-commit)', async () => {
    const before = await snapshotBefore(t.repo);
    await t.write('src/login.ts', 'work that was never committed\n');
    const v = await verifyBatchCommit(t.repo, before, expected);
    assert.equal(v.ok, false);
    assert.equal(!v.ok && v.reason, 'no-commit');
    assert.match(!v.ok ? v.detail : '', /committed nothing/);
  });

  it('catches an empty commit', async () => {
    const before = await snapshotBefore(t.repo);
    await t.repo.commit('feat(3a): implement stories 3a-1,3a-2', { allowEmpty: true });
    const v = await verifyBatchCommit(t.repo, before, expected);
    assert.equal(!v.ok && v.reason, 'empty-commit');
  });

  it('catches a bad message: wrong shape, wrong epic, missing or extra story', async () => {
    const cases = [
      'implement stories 3a-1,3a-2',
      'feat(3b): implement stories 3a-1,3a-2',
      'feat(3a): implement stories 3a-1',
      'feat(3a): implement stories 3a-1,3a-2,3a-3',
      'feat(3a): implement stories 3a-1,3a-2 and more',
      'Feat(3a): Implement Stories 3a-1,3a-2',
    ];
    for (const message of cases) {
      const before = await snapshotBefore(t.repo);
      await t.write('src/x.ts', `${message}\n`);
      await t.commitAll(message);
      const v = await verifyBatchCommit(t.repo, before, expected);
      assert.equal(!v.ok && v.reason, 'bad-message', message);
    }
  });

  it('accepts full story keys in place of short ids', async () => {
    const before = await snapshotBefore(t.repo);
    await t.write('src/x.ts', 'x\n');
    await t.commitAll('feat(3a): implement stories 3a-1-login,3a-2');
    assert.equal((await verifyBatchCommit(t.repo, before, expected)).ok, true);
  });

  it('reports not-on-branch when the agent committed on another branch', async () => {
    const before = await snapshotBefore(t.repo);
    await t.repo.run(['switch', '-q', '-c', 'elsewhere']);
    await t.write('src/x.ts', 'x\n');
    await t.commitAll('feat(3a): implement stories 3a-1,3a-2');
    const v = await verifyBatchCommit(t.repo, before, expected);
    assert.equal(!v.ok && v.reason, 'not-on-branch');
  });

  it('warns when the commit swept in changes that existed before the cycle', async () => {
    await t.write('notes.txt', 'user draft\n');
    const before = await snapshotBefore(t.repo);
    assert.deepEqual(before.dirty.map((d) => d.path), ['notes.txt']);
    await t.write('src/x.ts', 'x\n');
    await t.commitAll('feat(3a): implement stories 3a-1,3a-2');
    const v = await verifyBatchCommit(t.repo, before, expected);
    assert.ok(v.ok);
    assert.deepEqual(v.ok && v.includedPreexisting, ['notes.txt']);
  });

  it('the snapshot survives a JSON round trip (it is stored in the run journal)', async () => {
    await t.write('notes.txt', 'user draft\n');
    const before = JSON.parse(JSON.stringify(await snapshotBefore(t.repo)));
    await t.write('src/x.ts', 'x\n');
    await t.repo.addPaths(['src/x.ts']);
    await t.repo.commit('feat(3a): implement stories 3a-1,3a-2');
    const v = await verifyBatchCommit(t.repo, before, expected);
    assert.deepEqual(v.ok && v.includedPreexisting, []);
    assert.deepEqual(v.ok && v.leftUncommitted, []);
  });
});
