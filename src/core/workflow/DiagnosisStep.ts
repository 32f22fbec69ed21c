// 003 step 5, "story stuck in unexpected status": when a phase starts, the story's status is read from
// the ledger the agents work in (a journaled read, so a replay decides the same). A status the phase does
// not expect is diagnosed by the installed sprint-status workflow (or the runner's own prompt), and the run
// follows its recommendation — `[DIAGNOSIS: CONTINUE-AS <status>]` — or blocks the story with its reason.

import type { StoryStatus } from '../ledger/LedgerTypes';
import { invokeWithRecovery } from './AgentSteps';
import { parseDiagnosis } from './markers';
import type { RunContext } from './RunContext';
import { laneSpec, laneTag, type CycleContext, type StoryRef } from './RunTypes';
import { setStoryStatus } from './setStoryStatus';
import { runStep } from './StepJournal';

export type CheckedPhase = 'story-review' | 'dev-story' | 'code-review';

/** What each phase expects to find when it starts (statuses as BMAD reads them). */
export const PHASE_EXPECTS: Record<CheckedPhase, readonly string[]> = {
  'story-review': ['ready-for-dev'],
  'dev-story': ['ready-for-dev', 'in-progress'],
  'code-review': ['review'],
};

/** What a diagnosis may recommend: a status a phase starts from (never `done`: only a code review says so). */
const CONTINUABLE: readonly StoryStatus[] = ['backlog', 'ready-for-dev', 'in-progress', 'review'];

/**
 * - `enter`: the story goes on with the phase;
 * - `skip`: dev-story only — the story is already implemented (`review`), the code review comes next;
 * - `left`: the story left the cycle (blocked, or it continues from its new status in the next cycle).
 */
export type PhaseEntry = 'enter' | 'skip' | 'left';

export async function enterPhase(run: RunContext, cc: CycleContext, s: StoryRef, phase: CheckedPhase): Promise<PhaseEntry> {
  const expected = PHASE_EXPECTS[phase];
  const base = `${cc.prefix}/${phase}/${s.key}`;
  const { result: found } = await runStep(run, cc.batch, `${base}/status`, async () => ({
    status: (await cc.agentLedger.read()).stories.find((x) => x.key === s.key)?.status ?? 'missing',
  }));
  if (expected.includes(found.status)) return 'enter';

  const expectedText = expected.map((x) => `"${x}"`).join(' or ');
  run.emit({ type: 'story:phase', storyKey: s.key, phase: 'sprint-status-diagnosis', command: 'sprint-status-diagnosis', ...laneTag(cc) });
  const rec = await invokeWithRecovery(run, cc.batch, {
    ...laneSpec(cc),
    key: `${base}/diagnose`,
    cycle: cc.cycle,
    command: 'sprint-status-diagnosis',
    stories: [s],
    attempt: 1,
    promptExtras: { found_status: found.status, diagnosed_phase: phase, expected_statuses: expectedText },
    requireMarkers: (out) => (parseDiagnosis(out) ? undefined : 'the output has no [DIAGNOSIS: CONTINUE-AS <status>] or [DIAGNOSIS: BLOCK <reason>] marker'),
  });
  const where = `${phase} found it "${found.status}" in ${cc.agentLedger.path} (expected ${expectedText})`;
  if (!rec) {
    await setStoryStatus(run, cc, s, 'blocked', `${where}, and its diagnosis failed ${run.deps.settings.maxConsecutiveFailures} times in a row`, `/${phase}`);
    return 'left';
  }
  const diagnosis = parseDiagnosis(rec.outputText)!;
  if (diagnosis.kind === 'block') {
    await setStoryStatus(run, cc, s, 'blocked', `${where}; the diagnosis says: ${diagnosis.reason}`, `/${phase}`);
    return 'left';
  }
  const status = diagnosis.status as StoryStatus;
  if (!CONTINUABLE.includes(status)) {
    await setStoryStatus(run, cc, s, 'blocked', `${where}; the diagnosis recommends "${diagnosis.status}", which no phase starts from (use ${CONTINUABLE.join(', ')})`, `/${phase}`);
    return 'left';
  }
  if (status !== found.status) {
    // Following the recommendation: the ledger says what the next agent will read (its own workflow reads it too).
    const { replayed } = await runStep(run, cc.batch, `${base}/continue-as`, async () => {
      await cc.agentLedger.setStatus(s.key, status);
      return { status };
    });
    if (!replayed) run.emit({ type: 'story:status', storyKey: s.key, from: found.status, to: status, reason: 'sprint-status-diagnosis', ...laneTag(cc) });
  }
  const then = expected.includes(status) ? 'the phase goes on' : phase === 'dev-story' && status === 'review' ? 'the code review comes next' : 'it continues from there in the next cycle';
  run.warn(`Story ${s.key}: ${where}; the diagnosis says continue as "${status}": ${then}.`, { storyKey: s.key, stepKey: `${base}/diagnose` });
  if (expected.includes(status)) return 'enter';
  if (phase === 'dev-story' && status === 'review') return 'skip';
  cc.active.delete(s.key);
  return 'left';
}
