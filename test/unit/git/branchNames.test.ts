import { strict as assert } from 'node:assert';
import { laneBranchName, sanitizeNameSegment, sprintBranchName } from '../../../src/core/git/branchNames';

describe('sanitizeNameSegment', () => {
  it('keeps ordinary story keys exactly', () => {
    for (const key of ['1-2', '2a-1-session-scanner-and-database-sync', '5-sr-3', 'v1.2_x']) assert.equal(sanitizeNameSegment(key), key);
  });

  it('replaces spaces, quotes and $(...) and adds a hash so distinct keys stay distinct', () => {
    const a = sanitizeNameSegment('1-2 my story');
    const b = sanitizeNameSegment('1-2 my "story"');
    const c = sanitizeNameSegment('1-2-$(rm -rf ~)');
    assert.match(a, /^1-2-my-story-[0-9a-f]{8}$/);
    assert.match(b, /^1-2-my-story-[0-9a-f]{8}$/);
    assert.notEqual(a, b);
    assert.match(c, /^1-2-rm-rf-[0-9a-f]{8}$/);
    for (const s of [a, b, c]) assert.match(s, /^[A-Za-z0-9_][A-Za-z0-9._-]*$/);
  });

  it('rejects what cannot be made safe', () => {
    for (const bad of ['', '../x', '1-1/../../etc', 'a\\b', 'a..b', 'x\u0000y', 'line\nbreak', '$()', '...', 'x'.repeat(201)]) {
      assert.throws(() => sanitizeNameSegment(bad), /Unsafe name .*Fix:/, JSON.stringify(bad));
    }
  });

  it('drops leading dashes/dots and a .lock suffix (git ref rules)', () => {
    assert.match(sanitizeNameSegment('-1-2'), /^1-2-[0-9a-f]{8}$/);
    assert.match(sanitizeNameSegment('1-2.lock'), /^1-2-[0-9a-f]{8}$/);
  });

  it('builds sprint and lane branch names', () => {
    assert.equal(sprintBranchName('run-7'), 'sprint/run-7');
    assert.equal(laneBranchName('run-7', '2a-1-scanner'), 'story/run-7/2a-1-scanner');
    assert.throws(() => laneBranchName('run-7', '../main'), /Unsafe name/);
  });
});
