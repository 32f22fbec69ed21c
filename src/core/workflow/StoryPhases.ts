// 003 steps 2–4 for the stories of one cycle (or one lane): create-story ∥ discovery, story review,
// tech spec and its review, dev-story, and the code-review loop with its exits.

import { commandLabel, type StepCommand } from '../commands';
import { formatGateFailuresForReview } from '../gates/formatGateFailuresForReview';
import type { PromptVariables } from '../prompts/renderPrompt';
import { invokeWithRecovery } from './AgentSteps';
import type { EngineSettings } from './EngineSettings';
import { findingsPattern, isRepeatedPattern } from './findingsPattern';
import { enterPhase } from './DiagnosisStep';
import { appendProjectContext } from './injectProjectContext';
import { parseCodeReview, parseCriticalIssuesFound, parseTechSpecDecisions } from './markers';
import { runGates } from './QualityGateStep';
import type { RunContext } from './RunContext';
import { laneSpec, laneTag, summarise, type AgentStepRecord, type CycleContext, type StoryRef } from './RunTypes';
import type { GitSnapshot } from './GitPort';
import { setStoryStatus } from './setStoryStatus';
import { devStoryEvidence, storyFileEvidence, techSpecEvidence, techSpecPath } from './StepEvidence';
import { runStep } from './StepJournal';

const REVIEW_MAX: Record<'story-review' | 'tech-spec-review', keyof EngineSettings> = {
  'story-review': 'maxStoryReviews',
  'tech-spec-review': 'maxTechSpecReviews',
};

/** The phases of 003 steps 2–4, in order, for the stories still active in the cycle. */
export async function runStoryPhases(run: RunContext, cc: CycleContext): Promise<void> {
  await createStoryPhase(run, cc);
  await storyReviewPhase(run, cc);
  await techSpecPhase(run, cc);
  await devAndCodeReviewPhase(run, cc);
}

function activeStories(cc: CycleContext, entry?: readonly string[]): StoryRef[] {
  return cc.stories.filter((s) => cc.active.has(s.key) && (entry === undefined || entry.includes(s.status)));
}

async function createStoryPhase(run: RunContext, cc: CycleContext): Promise<void> {
  // A story whose status no phase knows (`wont-do`, `deferred`, …, reached through `--story`) is never guessed
  // into one, and its status is the user's: it leaves the cycle with a warning, the file untouched.
  for (const s of activeStories(cc)) {
    if (!['backlog', 'ready-for-dev', 'in-progress', 'review'].includes(s.status)) {
      cc.active.delete(s.key);
      run.warn(`Story ${s.key} has the status "${s.status}" in ${run.deps.ledger.path}, which no step of the workflow starts from; it is skipped and its status left as it is.`, {
        storyKey: s.key,
      });
    }
  }
  const backlog = activeStories(cc, ['backlog']);
  if (backlog.length === 0) return;
  for (const s of backlog) run.emit({ type: 'story:phase', storyKey: s.key, phase: 'create-story', command: 'create-story', ...laneTag(cc) });
  const base = { cycle: cc.cycle, stories: backlog, attempt: 1, ...laneSpec(cc) };
  const settled = await Promise.allSettled([
    invokeWithRecovery(run, cc.batch, { ...base, key: `${cc.prefix}/create-story`, command: 'create-story', evidence: () => storyFileEvidence(run, cc, backlog) }),
    invokeWithRecovery(run, cc.batch, { ...base, key: `${cc.prefix}/create-story-discovery`, command: 'create-story-discovery' }),
  ]);
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
  const [created, discovered] = settled.map((r) => (r as PromiseFulfilledResult<AgentStepRecord | undefined>).value);
  if (!created || !discovered) {
    const which = !created ? 'create-story' : 'create-story-discovery';
    for (const s of backlog) {
      await setStoryStatus(run, cc, s, 'blocked', `${which} failed ${run.deps.settings.maxConsecutiveFailures} times in a row`);
    }
    return;
  }

  const { result: injection, replayed } = await runStep(run, cc.batch, `${cc.prefix}/inject-context`, () => injectContext(run, cc, backlog));
  if (!replayed) for (const w of injection.warnings) run.warn(w.message, { storyKey: w.storyKey, stepKey: `${cc.prefix}/inject-context` });

  const { result: parse, replayed: parseReplayed } = await runStep(run, cc.batch, `${cc.prefix}/tech-spec-decision`, async () =>
    parseTechSpecDecisions(created.outputText, backlog),
  );
  Object.assign(cc.decisions, parse.decisions);
  if (!parseReplayed) {
    for (const key of parse.defaulted) {
      run.warn(`No tech-spec decision found for ${key} in the create-story output; defaulting to REQUIRED.`, {
        storyKey: key,
        stepKey: `${cc.prefix}/tech-spec-decision`,
      });
    }
  }
}

/** Post create-story checks (warnings only, 003 step 5) and the project-context injection. */
async function injectContext(run: RunContext, cc: CycleContext, stories: StoryRef[]): Promise<{ warnings: { storyKey: string; message: string }[] }> {
  const { fs, scripts } = run.deps;
  const { layout, agentLedger: ledger } = cc;
  const warnings: { storyKey: string; message: string }[] = [];
  const snapshot = await ledger.read();
  const script = `${layout.scriptsDir}/project-context-injection.sh`;
  const useScript = scripts !== undefined && (await fs.exists(script));
  const contextExists = await fs.exists(layout.projectContextPath);
  for (const s of stories) {
    const now = snapshot.stories.find((x) => x.key === s.key)?.status;
    if (now === s.status) {
      warnings.push({ storyKey: s.key, message: `create-story did not move ${s.key} from ${s.status} (still "${now}" in ${ledger.path}).` });
    } else if (now !== undefined) {
      run.emit({ type: 'story:status', storyKey: s.key, from: s.status, to: now, reason: 'create-story', ...laneTag(cc) });
    }
    const storyFile = `${layout.implementationArtifacts}/${s.key}.md`;
    if (!(await fs.exists(storyFile))) warnings.push({ storyKey: s.key, message: `create-story did not write ${storyFile}.` });
    const discovery = `${layout.implementationArtifacts}/${s.key}-discovery-story.md`;
    if (!(await fs.exists(discovery))) {
      warnings.push({ storyKey: s.key, message: `create-story-discovery did not write ${discovery}; no project context injected.` });
      continue;
    }
    if (useScript) {
      const r = await scripts.run(script, [discovery], layout.root);
      if (r.exitCode !== 0) {
        warnings.push({ storyKey: s.key, message: `${script} ${discovery} exited ${r.exitCode}: ${summarise(r.stderr || r.stdout, 200)}` });
      }
    } else if (contextExists) {
      await appendProjectContext(fs, discovery, layout.projectContextPath);
    } else {
      warnings.push({ storyKey: s.key, message: `${layout.projectContextPath} does not exist; nothing injected into ${discovery}.` });
    }
  }
  return { warnings };
}

async function storyReviewPhase(run: RunContext, cc: CycleContext): Promise<void> {
  for (const s of activeStories(cc, ['backlog'])) {
    if ((await enterPhase(run, cc, s, 'story-review')) === 'enter') await reviewLoop(run, cc, s, 'story-review');
  }
}

async function techSpecPhase(run: RunContext, cc: CycleContext): Promise<void> {
  const stories = activeStories(cc, ['backlog', 'ready-for-dev']);
  if (stories.length === 0) return;
  // Never pay twice: a ready-for-dev story whose tech spec is already there gets no new one and no new review.
  for (const s of stories) {
    if (s.status !== 'ready-for-dev') continue;
    const file = techSpecPath(cc, s);
    const { result, replayed } = await runStep(run, cc.batch, `${cc.prefix}/tech-spec-exists/${s.key}`, async () => ({ exists: await run.deps.fs.exists(file) }));
    if (!result.exists) continue;
    cc.decisions[s.key] = 'SKIP';
    if (!replayed) run.warn(`Story ${s.key} is ready-for-dev and its tech spec ${file} already exists: no new tech spec, no new review.`, { storyKey: s.key });
  }
  // ready-for-dev: no decision exists (no create-story this cycle) → 003's default, REQUIRED.
  for (const s of stories) cc.decisions[s.key] ??= 'REQUIRED';
  if (!stories.some((s) => cc.decisions[s.key] === 'REQUIRED')) return;
  for (const s of stories) {
    if (!cc.active.has(s.key)) continue;
    run.emit({ type: 'story:phase', storyKey: s.key, phase: 'create-tech-spec', command: 'create-tech-spec', ...laneTag(cc) });
    const rec = await invokeWithRecovery(run, cc.batch, {
      ...laneSpec(cc),
      key: `${cc.prefix}/create-tech-spec/${s.key}`,
      cycle: cc.cycle,
      command: 'create-tech-spec',
      stories: [s],
      attempt: 1,
      promptExtras: techSpecVariables(cc),
      evidence: () => techSpecEvidence(run, cc, s),
    });
    if (!rec) await setStoryStatus(run, cc, s, 'blocked', `create-tech-spec failed ${run.deps.settings.maxConsecutiveFailures} times in a row`);
  }
  for (const s of stories) if (cc.active.has(s.key)) await reviewLoop(run, cc, s, 'tech-spec-review');
}

function techSpecVariables(cc: CycleContext): Partial<PromptVariables> {
  const entries = cc.stories.filter((s) => cc.decisions[s.key] !== undefined);
  return {
    tech_spec_needed: String(entries.some((s) => cc.decisions[s.key] === 'REQUIRED')),
    tech_spec_decisions: entries.map((s) => `- ${s.shortId}: ${cc.decisions[s.key]}`).join('\n'),
  };
}

/** 003 steps 2b/3b: max 3, stop at `[CRITICAL-ISSUES-FOUND: NO]`, after the last one go on with a warning. */
async function reviewLoop(run: RunContext, cc: CycleContext, s: StoryRef, command: 'story-review' | 'tech-spec-review'): Promise<void> {
  const max = run.deps.settings[REVIEW_MAX[command] as 'maxStoryReviews'];
  for (let attempt = 1; attempt <= max; attempt++) {
    run.emit({ type: 'story:phase', storyKey: s.key, phase: command, command, attempt, ...laneTag(cc) });
    const rec = await invokeWithRecovery(run, cc.batch, {
      ...laneSpec(cc),
      key: `${cc.prefix}/${command}/${s.key}/a${attempt}`,
      cycle: cc.cycle,
      command,
      stories: [s],
      attempt,
      promptExtras: techSpecVariables(cc),
      requireMarkers: (out) =>
        parseCriticalIssuesFound(out) === undefined ? 'the output has no [CRITICAL-ISSUES-FOUND: YES|NO] marker' : undefined,
    });
    if (!rec) {
      await setStoryStatus(run, cc, s, 'blocked', `${commandLabel(command, attempt)} failed ${run.deps.settings.maxConsecutiveFailures} times in a row`);
      return;
    }
    if (parseCriticalIssuesFound(rec.outputText) === false) return;
    if (attempt === max) {
      run.warn(`${command} of ${s.key}: critical issues remain after ${max} reviews; continuing to the next phase (003 has no block here).`, {
        storyKey: s.key,
      });
    }
  }
}

async function devAndCodeReviewPhase(run: RunContext, cc: CycleContext): Promise<void> {
  for (const s of activeStories(cc)) {
    if (!cc.active.has(s.key)) continue;
    const entry = s.status === 'review' ? 'skip' : await enterPhase(run, cc, s, 'dev-story');
    if (entry === 'left') continue;
    if (entry === 'enter') {
      run.emit({ type: 'story:phase', storyKey: s.key, phase: 'dev-story', command: 'dev-story', ...laneTag(cc) });
      const cwd = cc.lane?.cwd ?? run.deps.layout.root;
      const before = await treeBefore(run, cc, `${cc.prefix}/dev-story/${s.key}/tree-before`, cwd);
      const rec = await invokeWithRecovery(run, cc.batch, {
        ...laneSpec(cc),
        key: `${cc.prefix}/dev-story/${s.key}`,
        cycle: cc.cycle,
        command: 'dev-story',
        stories: [s],
        attempt: 1,
        promptExtras: techSpecVariables(cc),
        evidence: () => devStoryEvidence(run, cc, s, before, cwd),
        afterSuccess: () => statusMovedCheck(run, cc, s, 'dev-story', ['review']),
      });
      if (!rec) {
        await setStoryStatus(run, cc, s, 'blocked', `dev-story failed ${run.deps.settings.maxConsecutiveFailures} times in a row`);
        continue;
      }
    }
    if (!cc.active.has(s.key) || (await enterPhase(run, cc, s, 'code-review')) !== 'enter') continue;
    await codeReviewLoop(run, cc, s);
  }
}

/** The working tree before a step, journaled (a resumed batch compares with the same one); null without git. */
async function treeBefore(run: RunContext, cc: CycleContext, key: string, cwd: string): Promise<GitSnapshot | null> {
  const git = run.deps.git;
  if (!git) return null;
  const { result } = await runStep(run, cc.batch, key, async (): Promise<{ snapshot: GitSnapshot | null }> => {
    try {
      return { snapshot: await git.snapshot(cwd) };
    } catch {
      return { snapshot: null };
    }
  });
  return result.snapshot;
}

async function statusMovedCheck(run: RunContext, cc: CycleContext, s: StoryRef, command: StepCommand, expected: string[]): Promise<string[]> {
  const now = (await cc.agentLedger.read()).stories.find((x) => x.key === s.key)?.status;
  if (now !== undefined && now !== s.status) run.emit({ type: 'story:status', storyKey: s.key, from: s.status, to: now, reason: command, ...laneTag(cc) });
  return now !== undefined && expected.includes(now)
    ? []
    : [`${command} left ${s.key} at "${now ?? 'missing'}" in ${cc.agentLedger.path} (expected ${expected.join(' or ')}).`];
}

/**
 * 003 step 4, checks in 003's order after each review. With quality gates the gates run
 * after dev-story and after every review round (its fixes); their failures go into the next review's
 * prompt, and a review that would mark the story done does not while a gate fails (the loop goes on;
 * the hard limit still blocks). `humanReview` (a rejected batch commit's reason, already worded for the
 * prompt) goes into every review of the loop, like a gate failure, until the loop exits.
 */
export async function codeReviewLoop(run: RunContext, cc: CycleContext, s: StoryRef, humanReview = ''): Promise<void> {
  const { maxCodeReviews, maxConsecutiveFailures } = run.deps.settings;
  const patterns: string[][] = [];
  let gates = await runGates(run, cc, s, 1);
  for (let attempt = 1; attempt <= maxCodeReviews; attempt++) {
    run.emit({ type: 'story:phase', storyKey: s.key, phase: 'code-review', command: 'code-review', attempt, ...laneTag(cc) });
    const rec = await invokeWithRecovery(run, cc.batch, {
      ...laneSpec(cc),
      key: `${cc.prefix}/code-review/${s.key}/a${attempt}`,
      cycle: cc.cycle,
      command: 'code-review',
      stories: [s],
      attempt,
      ...(gates || humanReview ? { promptExtras: { quality_gates: gates ? formatGateFailuresForReview(gates) : '', human_review: humanReview } } : {}),
      requireMarkers: (out) =>
        parseCodeReview(out).hasMarkers ? undefined : 'the output has none of ZERO ISSUES, "HIGHEST SEVERITY:" or "Issues: n CRITICAL, …"',
    });
    if (!rec) {
      await setStoryStatus(run, cc, s, 'blocked', `code-review-${attempt} failed ${maxConsecutiveFailures} times in a row`);
      return;
    }
    const report = parseCodeReview(rec.outputText);
    patterns.push(findingsPattern(report.findings));
    if (attempt >= 3 && isRepeatedPattern(patterns.slice(-3))) {
      await setStoryStatus(run, cc, s, 'blocked', `the same findings came back in 3 consecutive code reviews: ${patterns[patterns.length - 1].join('; ')}`);
      return;
    }
    // The review may have changed code: the gates judge the tree it left (needed for a done exit, and
    // for the next review's prompt; not after the last review when it cannot end done anyway).
    const wouldBeDone = report.zeroIssues || (attempt >= 3 && !report.hasCritical);
    if (wouldBeDone || attempt < maxCodeReviews) gates = await runGates(run, cc, s, attempt + 1);
    const gatesFail = gates !== undefined && gates.some((g) => !g.ok);
    const failing = gatesFail ? ` while quality gates fail (${gates!.filter((g) => !g.ok).map((g) => g.name).join(', ')})` : '';
    if (report.zeroIssues) {
      if (!gatesFail) {
        await setStoryStatus(run, cc, s, 'done', `code-review-${attempt}: ZERO ISSUES`);
        return;
      }
    } else if (attempt >= 3 && !report.hasCritical && !gatesFail) {
      await setStoryStatus(run, cc, s, 'done', `code-review-${attempt}: no CRITICAL issues after ${attempt} reviews (non-critical may remain)`);
      return;
    }
    if (attempt >= maxCodeReviews) {
      await setStoryStatus(run, cc, s, 'blocked', `hard limit: ${maxCodeReviews} code reviews without an exit${failing}`);
      return;
    }
  }
}
