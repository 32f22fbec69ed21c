// 003 step 0a: project-context.md is generated when missing and refreshed in the background when
// expired (by `project-context-should-refresh.sh` when present, else by age).

import type { RunContext } from './RunContext';
import { invokeWithRecovery } from './AgentSteps';
import { Halt, summarise, type AgentStepSpec, type BatchContext } from './RunTypes';
import { runStep } from './StepJournal';

interface ContextCheckRecord {
  status: 'missing' | 'expired' | 'fresh';
  decidedBy: 'script' | 'age' | 'missing';
  message?: string;
}

export async function projectContextPhase(run: RunContext, ctx: BatchContext): Promise<void> {
  const contextPath = run.deps.layout.projectContextPath;
  const { result: check, replayed } = await runStep(run, ctx, 'init/project-context', () => checkProjectContext(run));
  if (!replayed) {
    run.emit({ type: 'context:status', status: check.status, path: contextPath, ...(check.message ? { message: check.message } : {}) });
  }
  if (check.status === 'fresh') return;
  const spec: AgentStepSpec = { key: '', cycle: 0, command: 'generate-project-context', stories: [], attempt: 1 };
  if (check.status === 'missing') {
    run.emit({ type: 'context:status', status: 'generating', path: contextPath });
    const ok = await invokeWithRecovery(run, ctx, { ...spec, key: 'init/generate-project-context' });
    const exists = await run.deps.fs.exists(contextPath);
    run.emit({
      type: 'context:status',
      status: ok && exists ? 'generated' : 'failed',
      path: contextPath,
      ...(ok && !exists ? { message: `the agent finished but ${contextPath} does not exist` } : {}),
    });
    if (!ok || !exists) run.warn(`Project context could not be generated (${contextPath}); the cycle goes on without it.`);
    return;
  }
  // Expired: refresh in the background while the cycles go on (nothing waits for a context that exists).
  // The outer step holds the background_tasks row; the agent invocations inside it are journaled too,
  // so a resume re-enters it and replays whatever already finished.
  run.emit({ type: 'context:status', status: 'refreshing', path: contextPath });
  const task = runStep(run, ctx, 'init/background-refresh', async () => {
    const { store } = run.deps;
    const id = await store.addBackgroundTask({ batchId: ctx.batch.id, storyKey: null, taskType: 'project-context-refresh', spawnedAt: run.clock.now() });
    let ok = false;
    try {
      ok = (await invokeWithRecovery(run, ctx, { ...spec, key: 'init/refresh-project-context', background: true })) !== undefined;
    } finally {
      await store.finishBackgroundTask(id, ok ? 'completed' : 'failed', run.clock.now());
    }
    return { ok };
  }).then(
    ({ result, replayed }) => {
      if (replayed) return;
      run.emit({ type: 'context:status', status: result.ok ? 'refreshed' : 'failed', path: contextPath });
      if (!result.ok) run.warn(`Background refresh of ${contextPath} failed; the previous copy stays in use.`);
    },
    (err: unknown) => {
      // Paused or stopped with the batch: the refresh step re-runs when the batch resumes.
      if (err instanceof Halt) return;
      const message = err instanceof Error ? err.message : String(err);
      run.emit({ type: 'context:status', status: 'failed', path: contextPath, message });
    },
  );
  ctx.background.push(task);
}

async function checkProjectContext(run: RunContext): Promise<ContextCheckRecord> {
  const { fs, layout, scripts, settings } = run.deps;
  const stat = await fs.stat(layout.projectContextPath);
  if (!stat) return { status: 'missing', decidedBy: 'missing' };
  const script = `${layout.scriptsDir}/project-context-should-refresh.sh`;
  if (scripts && (await fs.exists(script))) {
    const r = await scripts.run(script, [], layout.root);
    if (r.exitCode === 0) return { status: 'expired', decidedBy: 'script', message: `${script} asked for a refresh` };
    if (r.exitCode === 1) return { status: 'fresh', decidedBy: 'script' };
    run.warn(
      `${script} exited ${r.exitCode} (expected 0 = refresh or 1 = fresh): ${summarise(r.stderr || r.stdout, 200)}. ` +
        `Falling back to the ${settings.projectContextMaxAgeHours} h age rule.`,
    );
  }
  const ageHours = (run.clock.now() - stat.mtimeMs) / 3_600_000;
  return ageHours > settings.projectContextMaxAgeHours
    ? { status: 'expired', decidedBy: 'age', message: `${ageHours.toFixed(1)} h old (limit ${settings.projectContextMaxAgeHours} h)` }
    : { status: 'fresh', decidedBy: 'age' };
}
