// The durable step: every agent invocation and every read of the world a decision depends on runs
// under a deterministic key. A key with a recorded result is replayed, never executed again.

import type { RunContext } from './RunContext';
import type { BatchContext } from './RunTypes';

/** Replays a recorded result, or runs `fn` (after checking for a pause or stop) and records its result. */
export async function runStep<T>(run: RunContext, ctx: BatchContext, key: string, fn: () => Promise<T>): Promise<{ result: T; replayed: boolean }> {
  const { store } = run.deps;
  const recorded = await store.getStep(ctx.batch.id, key);
  if (recorded && recorded.result !== undefined) {
    ctx.stepsStarted++;
    ctx.stepsCompleted++;
    return { result: recorded.result as T, replayed: true };
  }
  run.checkHalt();
  await store.markStepStarted(ctx.batch.id, key, run.clock.now());
  ctx.stepsStarted++;
  const result = await fn();
  await store.saveStepResult(ctx.batch.id, key, result, run.clock.now());
  ctx.stepsCompleted++;
  return { result, replayed: false };
}
