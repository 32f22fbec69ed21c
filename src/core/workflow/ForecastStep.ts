// The cost forecast at a batch's start (journaled: a resumed batch keeps the forecast it started with),
// said before anything is spent — with a warning when it already exceeds the batch budget — and, at the
// batch's end, the forecast beside the actual cost per story, kept in the run database.

import { forecastBatch, type CostForecast } from '../forecast/CostForecast';
import { formatUsd } from '../formatAmounts';
import type { RunContext } from './RunContext';
import type { BatchContext } from './RunTypes';
import { runStep } from './StepJournal';

export const FORECAST_STEP = 'forecast';
export const FORECAST_VS_ACTUAL_STEP = 'forecast-vs-actual';

export interface ForecastVsActual {
  forecastUsd: number;
  actualUsd: number;
  basis: CostForecast['basis'];
  stories: { key: string; forecastUsd: number; actualUsd: number }[];
}

/** Builds the forecast from the ledger and every command of this state folder's history. */
export async function computeForecast(run: Pick<RunContext, 'deps'>, cycles: number | 'all', startWith?: string): Promise<CostForecast> {
  const { ledger, store, fs, layout, settings } = run.deps;
  const snapshot = await ledger.read();
  const history = await store.listCommands({});
  const withSpec = new Set<string>();
  for (const s of snapshot.stories) {
    if (s.status === 'ready-for-dev' && (await fs.exists(`${layout.implementationArtifacts}/tech-spec-${s.key}.md`))) withSpec.add(s.key);
  }
  const budget = settings.budgets?.perBatchUsd;
  return forecastBatch({ snapshot, cycles, history, hasTechSpec: (k) => withSpec.has(k), ...(startWith ? { startWith } : {}), ...(budget !== undefined ? { budgetUsd: budget } : {}) });
}

export async function forecastAtStart(run: RunContext, ctx: BatchContext): Promise<CostForecast | undefined> {
  const options = ctx.batch.options;
  const cycles = options.batchMode === 'all' || options.maxCycles === null ? 'all' : options.maxCycles;
  const { result, replayed } = await runStep(run, ctx, FORECAST_STEP, async (): Promise<{ forecast?: CostForecast; problem?: string }> => {
    try {
      return { forecast: await computeForecast(run, cycles, options.startWith) };
    } catch (err) {
      return { problem: err instanceof Error ? err.message : String(err) };
    }
  });
  if (replayed) return result.forecast;
  if (!result.forecast) {
    run.warn(`No cost forecast for this batch: ${result.problem ?? 'unknown cause'}`);
    return undefined;
  }
  const f = result.forecast;
  run.emit({
    type: 'batch:forecast',
    batchId: ctx.batch.id,
    nextBatchUsd: f.nextBatchUsd,
    basis: f.basis,
    historyCommands: f.historyCommands,
    stories: f.stories.map((s) => ({ key: s.key, usd: s.usd })),
    ...(f.budgetUsd !== undefined ? { budgetUsd: f.budgetUsd } : {}),
  });
  if (f.exceedsBudget) {
    run.warn(
      `The forecast for this batch, ${formatUsd(f.nextBatchUsd)}, already exceeds the batch budget of ${formatUsd(f.budgetUsd!)}: ` +
        'the batch will pause when the budget is reached. Run fewer cycles or raise the budget to avoid paying for half-finished stories.',
    );
  }
  return f;
}

/** Forecast beside the actual cost, per story, in the run database (the batch's `forecast-vs-actual` step). */
export async function recordForecastVsActual(run: RunContext, ctx: BatchContext, forecast: CostForecast | undefined): Promise<void> {
  if (!forecast) return;
  const costs = await run.deps.store.costsByStory(ctx.batch.id);
  const stories = forecast.stories.map((s) => ({ key: s.key, forecastUsd: s.usd, actualUsd: round(costs.get(s.key)?.costUsd ?? 0) }));
  const record: ForecastVsActual = {
    forecastUsd: forecast.nextBatchUsd,
    actualUsd: round((await run.deps.store.costs({ batchId: ctx.batch.id })).costUsd),
    basis: forecast.basis,
    stories,
  };
  await run.deps.store.saveStepResult(ctx.batch.id, FORECAST_VS_ACTUAL_STEP, record, run.clock.now());
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
