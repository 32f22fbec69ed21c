import { strict as assert } from 'node:assert';
import { checkBatchCommitSubject, epicIdsOfStories, formatBatchCommitMessage, parseBatchCommitSubject } from '../../../src/core/git/batchCommitMessage';

describe('batch commit message (003 step 4c)', () => {
  it('formats as 003 does', () => {
    assert.equal(formatBatchCommitMessage({ epicId: '3a', storyIds: ['3a-1', '3a-2'] }), 'feat(3a): implement stories 3a-1,3a-2');
    assert.equal(formatBatchCommitMessage({ epicId: ['3a', '3b'], storyIds: ['3a-4', '3b-1'] }), 'feat(3a,3b): implement stories 3a-4,3b-1');
    assert.equal(formatBatchCommitMessage({ epicId: '3a, 3b', storyIds: ['3a-4'] }), 'feat(3a,3b): implement stories 3a-4');
  });

  it('derives epics from story ids and long keys', () => {
    assert.deepEqual(epicIdsOfStories(['3a-1', '3a-2', '3b-1']), ['3a', '3b']);
    assert.deepEqual(epicIdsOfStories(['5-sr-3-python-orchestrator']), ['5-sr']);
  });

  it('parses leniently about spaces after commas, strictly about the shape', () => {
    assert.deepEqual(parseBatchCommitSubject('feat(3a, 3b): implement stories 3a-4, 3b-1  \n\nbody'), { epicIds: ['3a', '3b'], storyIds: ['3a-4', '3b-1'] });
    for (const bad of ['feat(3a) implement stories 3a-1', 'fix(3a): implement stories 3a-1', 'feat(3a): implement story 3a-1', 'feat(): implement stories 3a-1', 'feat(3a): implement stories 3a-1,', 'feat(3a): implement stories 3a-1 extra', 'x feat(3a): implement stories 3a-1']) {
      assert.equal(parseBatchCommitSubject(bad), undefined, bad);
    }
  });

  it('checks the named epics and stories, order free', () => {
    const exp = { epicId: '3a', storyIds: ['3a-1', '3a-2'] };
    assert.deepEqual(checkBatchCommitSubject('feat(3a): implement stories 3a-2,3a-1', exp), { ok: true });
    const r = checkBatchCommitSubject('feat(3a): implement stories 3a-1,3a-1', exp);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.detail : '', /does not name story 3a-2/);
  });
});
