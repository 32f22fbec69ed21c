// The engine's only ledger writes: a story becomes done or blocked.

import type { RunContext } from './RunContext';
import { laneTag, type CycleContext, type SetStatusRecord, type StoryRef } from './RunTypes';
import { runStep } from './StepJournal';

/** The engine's only ledger writes: done and blocked (journaled, so a replay never writes twice). */
export async function setStoryStatus(run: RunContext, cc: CycleContext, s: StoryRef, status: 'done' | 'blocked', reason: string, keySuffix = ''): Promise<void> {
  if (status === 'done' && cc.deferDone) {
    // Parallel mode: the story is done in its lane; the ledger says so once the lane merged.
    cc.active.delete(s.key);
    cc.done.add(s.key);
    cc.doneReason.set(s.key, reason);
    return;
  }
  const key = `${cc.prefix}/set-status/${s.key}${keySuffix}`;
  const { result, replayed } = await runStep(run, cc.batch, key, async (): Promise<SetStatusRecord> => {
    const written = await run.deps.ledger.setStatus(s.key, status);
    const at = run.clock.now();
    // A re-run after a crash between the ledger write and the journal finds the status already set:
    // the status before it is the one the first run recorded (its block row), not the one it wrote.
    const earlierBlock = written.previous === status && status === 'blocked' ? await run.deps.store.openBlock(s.key) : undefined;
    const previous = earlierBlock?.previousStatus ?? written.previous;
    if (status === 'blocked' && !earlierBlock) await run.deps.store.recordBlock({ storyKey: s.key, previousStatus: previous, reason, blockedAt: at });
    await run.deps.store.upsertStory(cc.batch.batch.id, s.key, s.epicId, { status, endedAt: at });
    run.emit({ type: 'story:status', storyKey: s.key, from: previous, to: status, reason, ...laneTag(cc) });
    if (status === 'blocked') run.emit({ type: 'error', message: `Story ${s.key} blocked: ${reason}`, storyKey: s.key, stepKey: key, ...laneTag(cc) });
    return { storyKey: s.key, status, previous, reason };
  });
  if (replayed) await run.deps.store.upsertStory(cc.batch.batch.id, s.key, s.epicId, { status: result.status });
  cc.batch.report.status(s.key, result.status, result.reason);
  cc.active.delete(s.key);
  if (result.status === 'done') {
    cc.blocked.delete(s.key);
    cc.done.add(s.key);
    if (!cc.batch.storiesDone.includes(s.key)) cc.batch.storiesDone.push(s.key);
  } else {
    cc.done.delete(s.key);
    cc.blocked.add(s.key);
    cc.batch.storiesDone = cc.batch.storiesDone.filter((k) => k !== s.key);
    if (!cc.batch.storiesBlocked.includes(s.key)) cc.batch.storiesBlocked.push(s.key);
  }
}
