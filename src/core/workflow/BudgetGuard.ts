// Budgets: after each command, crossing a story or batch budget emits budget:reached and pauses the batch.

import type { RunContext } from './RunContext';
import type { BatchContext } from './RunTypes';

export async function checkBudgets(run: RunContext, ctx: BatchContext, storyKeys: string[]): Promise<void> {
  const { settings, store } = run.deps;
  const budgets = settings.budgets;
  if (!budgets) return;
  if (budgets.perBatchUsd !== undefined) {
    const spent = (await store.costs({ batchId: ctx.batch.id })).costUsd;
    if (spent >= budgets.perBatchUsd && run.pauseReason === undefined) {
      run.emit({ type: 'budget:reached', scope: 'batch', limitUsd: budgets.perBatchUsd, spentUsd: spent });
      run.requestPause(`batch budget reached: $${spent.toFixed(2)} of $${budgets.perBatchUsd.toFixed(2)}`);
    }
  }
  if (budgets.perStoryUsd !== undefined) {
    for (const storyKey of storyKeys) {
      const spent = (await store.costs({ storyKey })).costUsd;
      if (spent >= budgets.perStoryUsd && run.pauseReason === undefined) {
        run.emit({ type: 'budget:reached', scope: 'story', storyKey, limitUsd: budgets.perStoryUsd, spentUsd: spent });
        run.requestPause(`story budget reached for ${storyKey}: $${spent.toFixed(2)} of $${budgets.perStoryUsd.toFixed(2)}`);
      }
    }
  }
}
