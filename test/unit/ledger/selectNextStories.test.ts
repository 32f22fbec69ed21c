import { strict as assert } from 'node:assert';
import type { LedgerSnapshot, LedgerStory } from '../../../src/core/ledger/LedgerTypes';
import { selectNextStories } from '../../../src/core/ledger/selectNextStories';
import { parseStoryKey } from '../../../src/core/ledger/storyKeys';

function aStory(key: string, status: string): LedgerStory {
  const parts = parseStoryKey(key);
  assert.ok(parts, `test story key ${key} must parse`);
  return { key, ...parts, status, line: 1 };
}

/** `aLedger('1-1: done', '1-2: backlog')`; order as given (selectNextStories sorts itself). */
function aLedger(...entries: string[]): LedgerSnapshot {
  const stories = entries.map((e) => {
    const [key, status] = e.split(':').map((s) => s.trim());
    return aStory(key, status);
  });
  return { path: '/ws/sprint-status.yaml', stories, epics: [], retrospectives: [], problems: [] };
}

describe('selectNextStories (003 step 1)', () => {
  it('pairs the first two open stories of the same epic', () => {
    const sel = selectNextStories(aLedger('1-1-a: done', '1-2-b: backlog', '1-3-c: backlog', '1-4-d: backlog'));
    assert.deepEqual(sel, { storyKeys: ['1-2-b', '1-3-c'], epicId: '1', statuses: { '1-2-b': 'backlog', '1-3-c': 'backlog' } });
  });

  it('takes a single story when it is the last open one of its epic, even if the next epic has open stories', () => {
    const sel = selectNextStories(aLedger('1-1: done', '1-2: backlog', '2-1: backlog', '2-2: backlog'));
    assert.deepEqual(sel?.storyKeys, ['1-2']);
    assert.equal(sel?.epicId, '1');
  });

  it('skips done and blocked stories, for the first and for the partner', () => {
    const sel = selectNextStories(aLedger('1-1: blocked', '1-2: done', '1-3: review', '1-4: blocked', '1-5: done', '1-6: ready-for-dev'));
    // 003: "next non-done, non-blocked story with SAME epic prefix" — not necessarily the adjacent one.
    assert.deepEqual(sel?.storyKeys, ['1-3', '1-6']);
    assert.deepEqual(sel?.statuses, { '1-3': 'review', '1-6': 'ready-for-dev' });
  });

  it('pairs stories whose statuses differ (each enters at its own phase later)', () => {
    const sel = selectNextStories(aLedger('2a-1-x: in-progress', '2a-2-y: backlog'));
    assert.deepEqual(sel?.statuses, { '2a-1-x': 'in-progress', '2a-2-y': 'backlog' });
  });

  it('sorts numerically before choosing: 1-2 before 1-10, 2 before 2a before 2b', () => {
    assert.deepEqual(selectNextStories(aLedger('1-10: backlog', '1-9: done', '1-2: backlog'))?.storyKeys, ['1-2', '1-10']);
    assert.deepEqual(selectNextStories(aLedger('2b-1: backlog', '2a-1: backlog', '2a-2: backlog'))?.storyKeys, ['2a-1', '2a-2']);
  });

  it('pairs long keys by epic prefix: 5-sr stories pair with each other, not with 5-x', () => {
    const sel = selectNextStories(aLedger('5-sr-1-a: review', '5-sr-2-b: review', '5a-1-c: backlog'));
    assert.deepEqual(sel, { storyKeys: ['5-sr-1-a', '5-sr-2-b'], epicId: '5-sr', statuses: { '5-sr-1-a': 'review', '5-sr-2-b': 'review' } });
    assert.deepEqual(selectNextStories(aLedger('5-sr-1-a: done', '5-sr-2-b: blocked', '5a-1-c: backlog'))?.storyKeys, ['5a-1-c']);
  });

  it('returns undefined when every story is done or blocked (sprint complete)', () => {
    assert.equal(selectNextStories(aLedger('1-1: done', '1-2: blocked', '2-1: done')), undefined);
    assert.equal(selectNextStories(aLedger()), undefined);
  });

  it('skips stories with an unknown status and says which', () => {
    const sel = selectNextStories(aLedger('1-1: wont-do', '1-2: backlog', '1-3: Done', '1-4: backlog', '1-5: wip'));
    assert.deepEqual(sel?.storyKeys, ['1-2', '1-4']);
    assert.deepEqual(sel?.skipped, [
      { key: '1-1', status: 'wont-do' },
      { key: '1-3', status: 'Done' },
    ]);
    assert.equal(selectNextStories(aLedger('1-1: deferred', '1-2: done')), undefined, 'unknown statuses are never selected');
    assert.equal('skipped' in (selectNextStories(aLedger('1-1: backlog')) ?? {}), false);
  });

  it('reads the legacy statuses as BMAD does: drafted is ready-for-dev, contexted is in-progress', () => {
    const sel = selectNextStories(aLedger('1-1: done', '1-2: drafted', '1-3: backlog'));
    assert.deepEqual(sel?.storyKeys, ['1-2', '1-3'], 'a drafted story is picked before the later backlog one');
    assert.deepEqual(sel?.statuses, { '1-2': 'ready-for-dev', '1-3': 'backlog' });
    assert.equal(sel?.skipped, undefined);
    assert.deepEqual(selectNextStories(aLedger('2-1: contexted'))?.statuses, { '2-1': 'in-progress' });
  });

  describe('startWith (Resume story)', () => {
    it('starts with the given story whatever its status and pairs it with the next open one of its epic', () => {
      const ledger = aLedger('1-1: backlog', '1-2: blocked', '1-3: done', '1-4: backlog', '2-1: backlog');
      assert.deepEqual(selectNextStories(ledger, { startWith: '1-2' }), {
        storyKeys: ['1-2', '1-4'],
        epicId: '1',
        statuses: { '1-2': 'blocked', '1-4': 'backlog' },
      });
    });

    it('is single when no open story of its epic follows', () => {
      assert.deepEqual(selectNextStories(aLedger('1-1: backlog', '1-2: review', '2-1: backlog'), { startWith: '1-2' })?.storyKeys, ['1-2']);
    });

    it('throws for a story that is not in the ledger', () => {
      assert.throws(() => selectNextStories(aLedger('1-1: backlog'), { startWith: '9-9' }), /Story "9-9" is not in \/ws\/sprint-status\.yaml/);
    });
  });
});
