import { strict as assert } from 'node:assert';
import type { SprintEvent } from '../../../src/core/SprintEvents';
import { LaneSlots } from '../../../src/shared/LaneSlots';

const started = (storyKey: string): SprintEvent => ({ type: 'lane:state', at: 1, storyKey, state: 'started', branch: `story/r/${storyKey}`, lane: storyKey });
const ended = (storyKey: string, state: 'merged' | 'conflict'): SprintEvent => ({ type: 'lane:state', at: 2, storyKey, state, branch: `story/r/${storyKey}`, lane: storyKey });

describe('LaneSlots', () => {
  it('numbers lanes from 1 as they start and reuses the lowest freed number', () => {
    const l = new LaneSlots();
    assert.deepEqual(l.apply(started('1-1-a')), ['1-1-a']);
    l.apply(started('2-1-b'));
    assert.equal(l.laneOf('1-1-a'), 1);
    assert.equal(l.laneOf('2-1-b'), 2);
    assert.equal(l.running, 2);
    assert.deepEqual(l.apply(ended('1-1-a', 'merged')), ['1-1-a']);
    assert.equal(l.laneOf('1-1-a'), undefined);
    l.apply(started('3-1-c'));
    assert.equal(l.laneOf('3-1-c'), 1);
    l.apply(ended('2-1-b', 'conflict'));
    assert.equal(l.running, 1);
  });

  it('a resumed lane (start replayed, not re-emitted) gets a number from its first tagged event', () => {
    const l = new LaneSlots();
    l.apply({ type: 'story:phase', at: 1, storyKey: '2-1-b', phase: 'dev', lane: '2-1-b' });
    assert.equal(l.laneOf('2-1-b'), 1);
    assert.deepEqual(l.apply({ type: 'warning', at: 2, message: 'x' }), []);
    assert.deepEqual(l.apply({ type: 'batch:end', at: 3, batchId: 1, status: 'completed', cyclesCompleted: 1, storiesDone: [], storiesBlocked: [], sprintComplete: false }), ['2-1-b']);
    assert.equal(l.running, 0);
  });
});
