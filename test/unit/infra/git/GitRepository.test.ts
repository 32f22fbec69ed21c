import { strict as assert } from 'node:assert';
import { GitRepository, assertSafeGitArgs } from '../../../../src/infra/git/GitRepository';
import { GitError } from '../../../../src/infra/git/GitError';
import { makeTempRepo, type TempRepo } from './tempRepo';

describe('GitRepository (real git)', () => {
  let t: TempRepo;
  beforeEach(async () => {
    t = await makeTempRepo();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('reads head, branch, status and commits', async () => {
    const first = await t.repo.head();
    assert.match(first, /^[0-9a-f]{40}$/);
    assert.equal(await t.repo.currentBranch(), 'main');
    assert.equal(await t.repo.isDirty(), false);

    await t.write('src/app.ts', 'export const a = 2;\n');
    await t.write('docs/new file.md', 'x\n');
    const status = await t.repo.statusPorcelain();
    assert.deepEqual(status.map((s) => [s.code, s.path]).sort(), [[' M', 'src/app.ts'], ['??', 'docs/new file.md']].sort());

    await t.repo.addPaths(['src/app.ts', 'docs/new file.md']);
    const sha = await t.repo.commit('feat(1): implement stories 1-1\n\nbody line');
    assert.deepEqual(await t.repo.commitsSince(first), [sha]);
    const info = await t.repo.showCommit(sha);
    assert.equal(info.subject, 'feat(1): implement stories 1-1');
    assert.equal(info.message, 'feat(1): implement stories 1-1\n\nbody line');
    assert.deepEqual(info.files.sort(), ['docs/new file.md', 'src/app.ts']);
    assert.deepEqual(info.parents, [first]);
  });

  it('treats a file named like pathspec magic as a plain file', async () => {
    await t.write(':(top)weird', 'x\n');
    await t.repo.addPaths([':(top)weird']);
    const sha = await t.repo.commit('add weird');
    assert.deepEqual((await t.repo.showCommit(sha)).files, [':(top)weird']);
  });

  it('reports a failing command with git\'s stderr', async () => {
    await assert.rejects(
      () => t.repo.showCommit('0123456789012345678901234567890123456789'),
      (err: unknown) => err instanceof GitError && /failed in /.test(err.message) && err.stderr.length > 0,
    );
  });

  it('refuses history-rewriting and pushing argument lists', () => {
    for (const args of [['push'], ['reset', '--hard'], ['rebase', 'main'], ['branch', '-D', 'x'], ['worktree', 'remove', '--force', '/tmp/x'], ['checkout', '-f']]) {
      assert.throws(() => assertSafeGitArgs(args), /Refusing/, args.join(' '));
    }
    assert.doesNotThrow(() => assertSafeGitArgs(['add', '-A', '--', '-f']));
  });

  it('merges: fast-forward, and a conflict with its files listed then aborted', async () => {
    const base = await t.repo.head();
    await t.repo.createBranch('topic', base);
    await t.repo.run(['switch', '-q', 'topic']);
    await t.write('src/b.ts', 'b\n');
    const topicSha = await t.commitAll('topic work');
    await t.repo.run(['switch', '-q', 'main']);
    const ff = await t.repo.merge('topic');
    assert.deepEqual(ff, { ok: true, sha: topicSha, fastForward: true });

    await t.repo.createBranch('left', topicSha);
    await t.write('src/app.ts', 'export const a = "main";\n');
    await t.commitAll('main edit');
    await t.repo.run(['switch', '-q', 'left']);
    await t.write('src/app.ts', 'export const a = "left";\n');
    await t.commitAll('left edit');
    await t.repo.run(['switch', '-q', 'main']);
    const conflict = await t.repo.merge('left');
    assert.equal(conflict.ok, false);
    assert.ok(!conflict.ok && conflict.conflict);
    assert.deepEqual(!conflict.ok && conflict.conflict ? conflict.files : [], ['src/app.ts']);
    await t.repo.abortMerge();
    assert.equal(await t.repo.mergeInProgress(), false);
    assert.equal(await t.repo.isDirty(), false);
  });

  it('rejects relative folders and invalid branch names', async () => {
    assert.throws(() => new GitRepository('relative/dir'), /absolute/);
    await assert.rejects(() => t.repo.createBranch('bad..name', 'HEAD'), /not a valid branch name/);
    await assert.rejects(() => t.repo.createBranch('-x', 'HEAD'), /not a valid branch name/);
  });
});
