// Usage limits are waited out, not failed: when the CLI says when the limit resets, the engine journals the
// reset time, waits until then (a countdown event about once a minute; stop cancels, pause pauses) and runs
// the step again by itself. A resumed batch finds the journaled reset and waits for the same one. A limit
// further away than maxLimitWaitHours (a weekly one) pauses the batch and says when instead of waiting days.

import { commandLabel } from '../commands';
import type { RunContext } from './RunContext';
import { Halt, laneField, type AgentStepSpec, type BatchContext } from './RunTypes';

const COUNTDOWN_MS = 60_000;

interface LimitRecord {
  resetsAt: number;
  limitType?: string;
}

function limitKey(spec: AgentStepSpec): string {
  return `${spec.key}/limit`;
}

/** Journals the reset, then waits for it. */
export async function waitForLimit(run: RunContext, ctx: BatchContext, spec: AgentStepSpec, limit: LimitRecord): Promise<void> {
  await run.deps.store.saveStepResult(ctx.batch.id, limitKey(spec), limit, run.clock.now());
  await waitUntilReset(run, spec, limit);
}

/** A limit an earlier process journaled for this step and that has not reset yet: wait for it before running the step. */
export async function waitForJournaledLimit(run: RunContext, ctx: BatchContext, spec: AgentStepSpec): Promise<void> {
  const recorded = (await run.deps.store.getStep(ctx.batch.id, limitKey(spec)))?.result as LimitRecord | undefined;
  if (recorded && typeof recorded.resetsAt === 'number' && recorded.resetsAt > run.clock.now()) await waitUntilReset(run, spec, recorded);
}

async function waitUntilReset(run: RunContext, spec: AgentStepSpec, limit: LimitRecord): Promise<void> {
  const label = commandLabel(spec.command, spec.attempt);
  const maxHours = run.deps.settings.maxLimitWaitHours ?? 12;
  const storyKeys = spec.stories.map((s) => s.key);
  const when = new Date(limit.resetsAt).toISOString();
  let remaining = limit.resetsAt - run.clock.now();
  if (remaining > maxHours * 3_600_000) {
    throw new Halt(
      'paused',
      `${label}: the ${limit.limitType ?? 'usage'} limit resets at ${when}, more than ${maxHours} h from now; the batch is paused instead of waiting. ` +
        'Resume it after the reset (or raise maxLimitWaitHours to wait).',
    );
  }
  const event = (state: 'waiting' | 'over') =>
    run.emit({ type: 'limit:wait', stepKey: spec.key, storyKeys, resetsAt: limit.resetsAt, ...(limit.limitType ? { limitType: limit.limitType } : {}), state, ...laneField(spec.lane) });
  event('waiting');
  while (remaining > 0) {
    const chunk = Math.min(COUNTDOWN_MS, remaining);
    await run.sleep(chunk, run.signal);
    if (run.stopReason !== undefined) throw new Halt('stopped', run.stopReason);
    if (run.pauseReason !== undefined) throw new Halt('paused', `${run.pauseReason} (while waiting for the usage limit to reset at ${when}; resume waits for the rest)`);
    // The wall clock may have jumped (a suspended machine): never wait longer than it says.
    remaining = Math.min(remaining - chunk, limit.resetsAt - run.clock.now());
    if (remaining > 0) event('waiting');
  }
  event('over');
}
