// Quality gates: the configured commands run before each code review; their failures go into the
// review's prompt and keep a story from becoming done.

import type { GateResult } from '../gates/GateResult';
import type { RunContext } from './RunContext';
import { Halt, laneTag, type CycleContext, type StoryRef } from './RunTypes';
import { runStep } from './StepJournal';

/** Quality gates before code-review `attempt` (journaled); undefined when none are configured. */
export async function runGates(run: RunContext, cc: CycleContext, s: StoryRef, attempt: number): Promise<GateResult[] | undefined> {
  const configured = run.deps.settings.qualityGates ?? [];
  const port = run.deps.gates;
  if (!port || configured.length === 0) return undefined;
  const key = `${cc.prefix}/gates/${s.key}/a${attempt}`;
  const cwd = cc.lane?.cwd ?? run.deps.layout.root;
  const { result, replayed } = await runStep(run, cc.batch, key, async () => {
    run.emit({ type: 'story:phase', storyKey: s.key, phase: 'quality-gates', attempt, ...laneTag(cc) });
    const results = await port.run(configured, cwd, run.signal);
    // Gates cut short by a stop are not a verdict: not journaled, they run again on resume.
    if (run.signal.aborted) throw new Halt('stopped', run.stopReason ?? 'stopped while quality gates ran');
    return results;
  });
  cc.batch.report.gates(s.key, result);
  if (!replayed) {
    const ok = result.every((g) => g.ok);
    run.emit({
      type: 'gates:result',
      stepKey: key,
      storyKey: s.key,
      attempt,
      ok,
      results: result.map((g) => ({
        name: g.name,
        ok: g.ok,
        exitCode: g.exitCode,
        durationMs: g.durationMs,
        output: g.output,
        ...(g.timedOut ? { timedOut: true } : {}),
        ...(g.error ? { error: g.error } : {}),
      })),
      ...laneTag(cc),
    });
    if (!ok) {
      run.warn(`Quality gates failed for ${s.key} before code-review-${attempt}: ${result.filter((g) => !g.ok).map((g) => `${g.name} (${g.error ?? `exit ${g.exitCode}`})`).join(', ')}; the output goes to the review.`, {
        storyKey: s.key,
        stepKey: key,
      });
    }
  }
  return result;
}
