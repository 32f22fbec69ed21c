// The step journal of each batch a writable store has read, kept on the caller's thread so the
// engine's `getStep` before every step is not a round trip to the database thread. Only a writable
// store keeps it: it holds the state lock, so it is the only writer and the copy cannot go stale.
// Results are kept as their JSON, as the database keeps them, and parsed on each read (same values,
// no shared objects).

import type { StepRecord } from '../../core/store/RunStore';

interface CachedStep {
  startedAt: number;
  endedAt: number | null;
  resultJson: string | null;
}

type StepsUpdate = (steps: Map<string, CachedStep>) => void;

export class StepJournalCache {
  private readonly byBatch = new Map<number, Map<string, CachedStep>>();
  private readonly loading = new Map<number, { updates: StepsUpdate[]; done: Promise<Map<string, CachedStep>> }>();

  /** @param listSteps reads a batch's steps from the database (once per batch). */
  constructor(private readonly listSteps: (batchId: number) => Promise<StepRecord[]>) {}

  async get(batchId: number, stepKey: string): Promise<StepRecord | undefined> {
    const cached = (await this.steps(batchId)).get(stepKey);
    if (!cached) return undefined;
    const step: StepRecord = { batchId, stepKey, startedAt: cached.startedAt, endedAt: cached.endedAt };
    if (cached.resultJson !== null) step.result = JSON.parse(cached.resultJson) as unknown;
    return step;
  }

  started(batchId: number, stepKey: string, at: number): void {
    this.update(batchId, (steps) => {
      const cached = steps.get(stepKey);
      if (cached === undefined) steps.set(stepKey, { startedAt: at, endedAt: null, resultJson: null });
      else if (cached.resultJson === null) cached.startedAt = at;
    });
  }

  finished(batchId: number, stepKey: string, resultJson: string, at: number): void {
    this.update(batchId, (steps) => {
      const cached = steps.get(stepKey);
      if (cached === undefined) steps.set(stepKey, { startedAt: at, endedAt: at, resultJson });
      else Object.assign(cached, { endedAt: at, resultJson });
    });
  }

  private steps(batchId: number): Promise<Map<string, CachedStep>> {
    const known = this.byBatch.get(batchId);
    if (known) return Promise.resolve(known);
    let load = this.loading.get(batchId);
    if (!load) {
      const updates: StepsUpdate[] = [];
      const done = this.listSteps(batchId).then(
        (rows) => {
          const steps = new Map<string, CachedStep>();
          for (const r of rows) steps.set(r.stepKey, { startedAt: r.startedAt, endedAt: r.endedAt, resultJson: r.result === undefined ? null : JSON.stringify(r.result) });
          // Writes made while the rows were on their way are after them in the database too: apply them in order.
          for (const update of updates) update(steps);
          this.byBatch.set(batchId, steps);
          this.loading.delete(batchId);
          return steps;
        },
        (err: unknown) => {
          this.loading.delete(batchId);
          throw err;
        },
      );
      load = { updates, done };
      this.loading.set(batchId, load);
    }
    return load.done;
  }

  /** Applies a step write to the cached journal of its batch (now, or once it has loaded; never loaded: nothing to do). */
  private update(batchId: number, update: StepsUpdate): void {
    const steps = this.byBatch.get(batchId);
    if (steps) update(steps);
    else this.loading.get(batchId)?.updates.push(update);
  }
}
