import { strict as assert } from 'node:assert';
import { planParallelLanes } from '../../../src/core/git/planParallelLanes';
import type { LedgerStory } from '../../../src/core/ledger/LedgerTypes';

function aStory(key: string, status: string, line = 1): LedgerStory {
  const [epic, n] = key.split('-');
  return { key, shortId: `${epic}-${n}`, epicId: epic, status, line };
}

const ledger = {
  stories: [aStory('1-1', 'done'), aStory('1-2', 'review'), aStory('1-3', 'backlog'), aStory('2-1', 'blocked'), aStory('2-2', 'ready-for-dev'), aStory('3-1', 'backlog'), aStory('4-1', 'in-progress'), aStory('5-1', 'weird')],
};

describe('planParallelLanes', () => {
  it('picks the first open story of each epic, up to maxParallel', () => {
    const plan = planParallelLanes({ ledger, maxParallel: 3 });
    assert.deepEqual(plan.start.map((s) => s.key), ['1-2', '2-2', '3-1']);
    assert.deepEqual(plan.waiting, [
      { storyKey: '1-3', reason: 'waits for 1-2 (same epic 1)' },
      { storyKey: '4-1', reason: 'all 3 lanes are busy' },
      { storyKey: '5-1', reason: 'unknown status "weird"' },
    ]);
  });

  it('counts running lanes and never picks a running story or a later story of its epic', () => {
    const plan = planParallelLanes({ ledger, maxParallel: 3, running: ['1-2'] });
    assert.deepEqual(plan.start.map((s) => s.key), ['2-2', '3-1']);
  });

  it('lets declared-independent stories share an epic', () => {
    const plan = planParallelLanes({ ledger, maxParallel: 5, independent: ['1-3'] });
    assert.deepEqual(plan.start.map((s) => s.key), ['1-2', '1-3', '2-2', '3-1', '4-1']);
  });

  it('honours exclusions and validates maxParallel', () => {
    assert.deepEqual(planParallelLanes({ ledger, maxParallel: 2, exclude: ['1-2'] }).start.map((s) => s.key), ['2-2', '3-1']);
    assert.throws(() => planParallelLanes({ ledger, maxParallel: 6 }), /1 to 5/);
    assert.throws(() => planParallelLanes({ ledger, maxParallel: 0 }), /1 to 5/);
  });
});
