// Agent steps (003 step 5): one journaled invocation per attempt, re-run at once after a failure,
// transient failures retried with backoff inside the step, markers and hooks checked, command rows
// and events recorded.

import type { Agent, AgentActivity, AgentResult } from '../agent/AgentContract';
import { agentEnvironment } from '../agent/agentEnvironment';
import { commandLabel } from '../commands';
import { renderPrompt, type PromptVariables } from '../prompts/renderPrompt';
import { appendDeferredItems } from './appendDeferredItems';
import { checkBudgets } from './BudgetGuard';
import { waitForJournaledLimit, waitForLimit } from './LimitWait';
import { modelForStep } from './modelForStep';
import { asksAQuestion, reminderPrompt } from './StepEvidence';
import type { RunContext } from './RunContext';
import { Halt, joinEpics, laneField, summarise, type AgentStepRecord, type AgentStepSpec, type BatchContext, type StepInfo } from './RunTypes';
import { runStep } from './StepJournal';

function toAgentResult(r: AgentStepRecord): AgentResult {
  const { kind: _kind, command: _command, storyKeys: _keys, attempt: _attempt, model: _model, sessionId: _session, ...result } = r;
  return result;
}

/**
 * 003 step 5: a failed invocation is re-run at once (`<key>`, `<key>/r2`, `<key>/r3`); the
 * maxConsecutiveFailures-th failure in a row returns undefined and the caller blocks the stories.
 */
export async function invokeWithRecovery(run: RunContext, ctx: BatchContext, spec: AgentStepSpec): Promise<AgentStepRecord | undefined> {
  const max = Math.max(1, run.deps.settings.maxConsecutiveFailures);
  for (let round = 1; round <= max; round++) {
    const key = round === 1 ? spec.key : `${spec.key}/r${round}`;
    const result = await continueUntilEvidence(run, ctx, { ...spec, key });
    if (result.outcome === 'success') {
      for (const d of result.deferredItems) if (!ctx.deferredItems.includes(d)) ctx.deferredItems.push(d);
      ctx.report.deferred(result.storyKeys, result.deferredItems);
      return result;
    }
    if (!result.replayed) {
      const storyKey = spec.stories.length === 1 ? spec.stories[0].key : undefined;
      const label = commandLabel(spec.command, spec.attempt);
      run.emit({
        type: 'error',
        message: `${label} failed (${round}/${max} in a row): ${result.message ?? result.errorClass ?? 'agent failure'}${round < max ? '; re-running it' : ''}`,
        stepKey: key,
        ...(storyKey ? { storyKey } : {}),
      });
    }
  }
  return undefined;
}

/** An invocation without its evidence, whose session can be continued (003 rule 4). */
function shortOfEvidence(r: AgentStepRecord): boolean {
  return r.outcome === 'agent-failure' && (r.errorClass === 'missing-evidence' || r.errorClass === 'missing-marker') && r.sessionId !== undefined;
}

/**
 * One journaled invocation (`<key>`), then — while it ended without its evidence — the same Claude session
 * continued with the reminder phrase (`<key>/remind1`, `<key>/remind2`): each is its own journal step, so a
 * resumed batch replays the session id and continues the same conversation.
 */
async function continueUntilEvidence(run: RunContext, ctx: BatchContext, spec: AgentStepSpec): Promise<AgentStepRecord & { replayed: boolean }> {
  const reminders = Math.max(0, run.deps.settings.maxReminders ?? 0);
  let current = await journaledInvocation(run, ctx, spec);
  for (let n = 1; n <= reminders && shortOfEvidence(current); n++) {
    const key = `${spec.key}/remind${n}`;
    const sessionId = current.sessionId!;
    const label = commandLabel(spec.command, spec.attempt);
    const said = current.message ?? 'its evidence is missing';
    const missing = said.startsWith(`${label}: `) ? said.slice(label.length + 2) : said;
    if (!current.replayed) {
      run.warn(
        `${label} ended without finishing (${missing}); continuing its session ${sessionId} with the autonomous-mode reminder (${n}/${reminders}).`,
        { stepKey: key, ...(spec.stories.length === 1 ? { storyKey: spec.stories[0].key } : {}) },
      );
    }
    current = await journaledInvocation(run, ctx, { ...spec, key, resumeSessionId: sessionId, reminderOf: missing });
  }
  return current;
}

async function journaledInvocation(run: RunContext, ctx: BatchContext, spec: AgentStepSpec): Promise<AgentStepRecord & { replayed: boolean }> {
  // Started but never finished: the process died during the step. Its work may be on disk already.
  const prior = spec.evidence ? await run.deps.store.getStep(ctx.batch.id, spec.key) : undefined;
  const interrupted = prior !== undefined && prior.result === undefined;
  const { result, replayed } = await runStep(run, ctx, spec.key, async () => (interrupted ? await verifiedOnDisk(run, spec) : undefined) ?? invokeAgent(run, ctx, spec));
  ctx.agentResults.push(toAgentResult(result));
  if (replayed) {
    emitCommandEnd(run, spec, result.storyKeys, result, 0, { replayed: true });
  }
  return { ...result, replayed };
}

/**
 * Never pay twice: an interrupted step whose evidence is complete is recorded as done (verified, not run
 * again). Its output is gone, so markers parsed from it take their defaults (a tech-spec decision: REQUIRED).
 */
async function verifiedOnDisk(run: RunContext, spec: AgentStepSpec): Promise<AgentStepRecord | undefined> {
  if (!spec.evidence || (await spec.evidence()) !== undefined) return undefined;
  const label = commandLabel(spec.command, spec.attempt);
  run.warn(`${label} was interrupted, but its work is on disk and checks out: verified, not run again.`, {
    stepKey: spec.key,
    ...(spec.stories.length === 1 ? { storyKey: spec.stories[0].key } : {}),
  });
  return {
    kind: 'agent',
    command: spec.command,
    storyKeys: spec.stories.map((s) => s.key),
    attempt: spec.attempt,
    outcome: 'success',
    outputText: '',
    message: 'verified on disk after an interrupted run',
    deferredItems: [],
  };
}

async function renderFor(run: RunContext, spec: AgentStepSpec): Promise<string> {
  const layout = spec.layout ?? run.deps.layout;
  const prompt = await run.deps.prompts.load(spec.command);
  const keys = spec.stories.map((s) => s.key).join(',');
  const ids = spec.stories.map((s) => s.shortId).join(',');
  const vars: PromptVariables = {
    story_key: keys,
    story_keys: keys,
    story_id: ids,
    story_ids: ids,
    epic_id: joinEpics(spec.stories),
    implementation_artifacts: layout.implementationArtifacts,
    planning_artifacts: layout.planningArtifacts,
    project_context_file: layout.projectContextPath,
    ledger_file: run.deps.layout.ledgerPath,
    review_attempt: String(spec.attempt),
    command: commandLabel(spec.command, spec.attempt),
    tech_spec_needed: 'false',
    tech_spec_decisions: '',
    completed_story_ids: ids,
    quality_gates: '',
    human_review: '',
    found_status: '',
    diagnosed_phase: '',
    expected_statuses: '',
    ...spec.promptExtras,
  };
  return renderPrompt(prompt.text, vars, prompt.path);
}

function agentEnv(run: RunContext, ctx: BatchContext, spec: AgentStepSpec): Record<string, string> {
  const step = { command: spec.command, attempt: spec.attempt, storyKeys: spec.stories.map((s) => s.key), epicId: joinEpics(spec.stories), runId: ctx.runId };
  return {
    ...run.deps.env,
    ...agentEnvironment(step, { storyIds: spec.stories.map((s) => s.shortId), artifactsDir: (spec.layout ?? run.deps.layout).implementationArtifacts }),
  };
}

/** One agent step: transient retries with backoff inside it, markers and hooks checked, command rows stored. */
async function invokeAgent(run: RunContext, ctx: BatchContext, spec: AgentStepSpec): Promise<AgentStepRecord> {
  const { store, settings } = run.deps;
  let prompt: string;
  try {
    prompt = spec.resumeSessionId ? reminderPrompt(spec.reminderOf ?? 'its evidence is missing') : await renderFor(run, spec);
  } catch (err) {
    throw new Halt('failed', err instanceof Error ? err.message : String(err));
  }
  const agent: Agent = run.deps.agents.get(spec.command);
  const model = modelForStep(settings, spec.command, spec.attempt);
  const storyKeys = spec.stories.map((s) => s.key);
  const epicId = joinEpics(spec.stories);
  const label = commandLabel(spec.command, spec.attempt);
  const stepInfo: StepInfo = { stepKey: spec.key, command: spec.command, storyKeys, attempt: spec.attempt, cycle: spec.cycle };

  await waitForJournaledLimit(run, ctx, spec);
  for (let retry = 0; ; retry++) {
    const startedAt = run.clock.now();
    run.emit({ type: 'command:start', stepKey: spec.key, cycle: spec.cycle, command: spec.command, attempt: spec.attempt, storyKeys, epicId, ...(model ? { model } : {}), ...laneField(spec.lane) });
    const commandId = await store.startCommand({ batchId: ctx.batch.id, stepKey: spec.key, cycle: spec.cycle, command: spec.command, attempt: spec.attempt, storyKeys, epicId, model, startedAt });
    let result: AgentResult;
    try {
      result = await agent.execute({
        runId: ctx.runId,
        batchId: ctx.batch.id,
        cycle: spec.cycle,
        stepKey: spec.key,
        command: spec.command,
        storyKeys,
        epicId,
        attempt: spec.attempt,
        ...(model ? { model } : {}),
        prompt,
        ...(spec.resumeSessionId ? { resumeSessionId: spec.resumeSessionId } : {}),
        ...(settings.systemPrompt ? { systemPrompt: settings.systemPrompt } : {}),
        cwd: spec.lane?.cwd ?? run.deps.layout.root,
        env: agentEnv(run, ctx, spec),
        signal: run.signal,
        onActivity: (a) => forwardActivity(run, spec, storyKeys, a),
      });
    } catch (err) {
      // An agent that throws broke its contract; treat it as a failed invocation, not a crash of the batch.
      result = { outcome: 'agent-failure', outputText: '', message: err instanceof Error ? err.message : String(err), errorClass: 'agent-threw', deferredItems: [] };
    }
    if (run.signal.aborted && result.outcome !== 'success') result = { ...result, outcome: 'cancelled' };

    if (result.outcome === 'success') {
      const missing = spec.requireMarkers?.(result.outputText);
      if (missing) result = { ...result, outcome: 'agent-failure', errorClass: 'missing-marker', message: `${label}: ${missing}${asked(result)}` };
    }
    if (result.outcome === 'success' && spec.evidence) {
      // Exit 0 is a claim; the evidence on disk and in the ledger decides whether it was done.
      const missing = await spec.evidence();
      if (missing) result = { ...result, outcome: 'agent-failure', errorClass: 'missing-evidence', message: `${label}: ${missing}${asked(result)}` };
    }
    if (result.outcome === 'success') {
      for (const hook of run.deps.hooks ?? []) {
        const verdict = await hook.validate(stepInfo, result);
        if (!verdict.ok) {
          result = { ...result, outcome: 'agent-failure', errorClass: 'hook', message: `${label} rejected by a hook: ${verdict.reason}` };
          break;
        }
      }
    }
    const durationMs = run.clock.now() - startedAt;
    await store.finishCommand(commandId, {
      endedAt: run.clock.now(),
      outcome: result.outcome,
      ...(result.usage ? { usage: result.usage } : {}),
      outputSummary: summarise(result.outcome === 'success' ? result.outputText : result.message ?? result.outputText),
      ...(result.logFile ? { logPath: result.logFile } : {}),
    });
    emitCommandEnd(run, spec, storyKeys, result, durationMs, result.message ? { message: result.message } : {});
    await checkBudgets(run, ctx, storyKeys);

    if (result.outcome === 'transient' && result.resetsAt !== undefined && result.resetsAt > run.clock.now() + 1000 && !spec.background) {
      // A usage limit with its reset time: waited out, then the step runs again (not a retry of a flaky call).
      await waitForLimit(run, ctx, spec, { resetsAt: result.resetsAt, ...(result.limitType ? { limitType: result.limitType } : {}) });
      retry = -1;
      continue;
    }
    if (result.outcome === 'transient') {
      const { maxRetries, baseDelayMs, maxDelayMs } = settings.transientRetry;
      if (retry >= maxRetries) {
        const why = `${label}: transient failures persisted after ${maxRetries} retries (${result.message ?? result.errorClass ?? 'transient'}); resume when the service is back`;
        if (spec.background) return record(spec, model, { ...result, outcome: 'agent-failure', message: why });
        throw new Halt('paused', why);
      }
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
      run.warn(`${label}: transient failure (${result.message ?? result.errorClass ?? 'transient'}); retry ${retry + 1}/${maxRetries} in ${Math.round(delay / 1000)} s`, {
        stepKey: spec.key,
      });
      await run.sleep(delay, run.signal);
      if (run.stopReason !== undefined) throw new Halt('stopped', run.stopReason);
      continue;
    }
    if (result.outcome === 'cancelled') throw new Halt('stopped', run.stopReason ?? `${label} was cancelled`);
    if (result.outcome === 'permanent') {
      const why = result.message ?? `${label} failed permanently (${result.errorClass ?? 'unknown cause'})`;
      run.emit({ type: 'error', message: why, stepKey: spec.key, permanent: true });
      if (spec.background) return record(spec, model, { ...result, outcome: 'agent-failure' });
      throw new Halt('failed', why);
    }

    const warnings = result.outcome === 'success' && spec.afterSuccess ? await spec.afterSuccess() : [];
    for (const w of warnings) run.warn(w, { stepKey: spec.key, ...(storyKeys.length === 1 ? { storyKey: storyKeys[0] } : {}) });
    if (result.outcome === 'success' && result.deferredItems.length > 0) {
      await appendDeferredItems(run.deps.fs, `${run.deps.layout.implementationArtifacts}/deferred-items.md`, result.deferredItems, {
        storyIds: spec.stories.map((s) => s.shortId),
        commandLabel: label,
        batchId: ctx.batch.id,
      });
    }
    return record(spec, model, result);
  }
}

function asked(r: AgentResult): string {
  return asksAQuestion(r.outputText) ? ' (the agent asked a question instead of finishing)' : '';
}

function record(spec: AgentStepSpec, model: string | undefined, r: AgentResult): AgentStepRecord {
  const sessionId = r.usage?.sessionId ?? spec.resumeSessionId;
  return {
    kind: 'agent',
    command: spec.command,
    storyKeys: spec.stories.map((s) => s.key),
    attempt: spec.attempt,
    ...(model ? { model } : {}),
    ...(sessionId ? { sessionId } : {}),
    outcome: r.outcome,
    outputText: r.outputText,
    ...(r.message !== undefined ? { message: r.message } : {}),
    ...(r.errorClass !== undefined ? { errorClass: r.errorClass } : {}),
    ...(r.usage ? { usage: r.usage } : {}),
    deferredItems: r.deferredItems,
    ...(r.logFile ? { logFile: r.logFile } : {}),
    ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
    ...(r.signal !== undefined ? { signal: r.signal } : {}),
  };
}

/** The end of one invocation as the views see it: live (with its duration) or replayed from the journal. */
function emitCommandEnd(
  run: RunContext,
  spec: AgentStepSpec,
  storyKeys: string[],
  result: Pick<AgentStepRecord, 'outcome' | 'usage'>,
  durationMs: number,
  extra: { replayed?: true; message?: string },
): void {
  run.emit({
    type: 'command:end',
    stepKey: spec.key,
    cycle: spec.cycle,
    command: spec.command,
    attempt: spec.attempt,
    storyKeys,
    outcome: result.outcome,
    durationMs,
    ...(result.usage ? { usage: result.usage } : {}),
    ...extra,
    ...laneField(spec.lane),
  });
}

function forwardActivity(run: RunContext, spec: AgentStepSpec, storyKeys: string[], a: AgentActivity): void {
  switch (a.kind) {
    case 'progress':
      run.emit({ type: 'command:progress', stepKey: spec.key, command: spec.command, storyKeys, row: a.row, ...laneField(spec.lane) });
      return;
    case 'output':
      run.emit({ type: 'command:output', stepKey: spec.key, command: spec.command, attempt: spec.attempt, storyKeys, line: a.line, ...laneField(spec.lane) });
      return;
    case 'warning':
      run.warn(a.message, { stepKey: spec.key });
      return;
    case 'retry':
      run.emit({
        type: 'command:output',
        stepKey: spec.key,
        command: spec.command,
        attempt: spec.attempt,
        storyKeys,
        line: `API retry ${a.attempt}${a.maxRetries ? `/${a.maxRetries}` : ''}${a.error ? `: ${a.error}` : ''}`,
      });
      return;
    case 'session':
      return;
  }
}
