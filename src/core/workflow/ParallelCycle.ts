// Parallel mode (opt-in, `maxParallel` > 1): independent stories run every phase at the same time,
// each in its own git worktree ("lane"), and merge into the sprint branch one at a time.

import { MAX_PARALLEL_LIMIT, planParallelLanes } from '../git/planParallelLanes';
import type { LedgerSnapshot } from '../ledger/LedgerTypes';
import { SprintLedger } from '../ledger/SprintLedger';
import type { WorkspaceLayout } from '../workspace/WorkspaceLayout';
import { batchCommitPhase, gitSnapshot } from './BatchCommit';
import type { LaneMerge } from './LanePort';
import type { RunContext } from './RunContext';
import { Halt, joinEpics, type BatchContext, type CycleContext, type StoryRef } from './RunTypes';
import { setStoryStatus } from './setStoryStatus';
import { runStep } from './StepJournal';
import { runStoryPhases } from './StoryPhases';

/** The workspace's paths as the lane's worktree has them (paths outside the workspace stay as they are). */
function rebaseLayout(layout: WorkspaceLayout, laneRoot: string): WorkspaceLayout {
  const root = layout.root.replace(/[\\/]+$/, '');
  const move = (p: string): string => (p === root ? laneRoot : p.startsWith(`${root}/`) ? `${laneRoot}${p.slice(root.length)}` : p);
  return {
    ...layout,
    root: laneRoot,
    ledgerPath: move(layout.ledgerPath),
    implementationArtifacts: move(layout.implementationArtifacts),
    scriptsDir: move(layout.scriptsDir),
  };
}

/** Checks the settings and reconciles the lanes with git after a crash (deletes nothing). */
export async function prepareParallel(run: RunContext): Promise<void> {
  const max = run.deps.settings.maxParallel ?? 1;
  if (!Number.isInteger(max) || max < 2 || max > MAX_PARALLEL_LIMIT) {
    throw new Halt('failed', `maxParallel must be a whole number from 1 to ${MAX_PARALLEL_LIMIT}, got ${max}. Fix: set it to 1 (one story pair at a time, 003) or 2..${MAX_PARALLEL_LIMIT}.`);
  }
  const lanes = run.deps.lanes;
  if (!lanes) {
    throw new Halt('failed', `maxParallel ${max} runs stories in git worktrees, but ${run.deps.layout.root} is not in a git repository with a commit. Fix: run "git init" and commit once, or set maxParallel to 1.`);
  }
  let recovered;
  try {
    recovered = await lanes.recover();
  } catch (err) {
    throw new Halt('failed', `Could not prepare the parallel lanes: ${err instanceof Error ? err.message : String(err)}`);
  }
  for (const l of recovered) {
    if (l.uncommittedFiles.length > 0 && l.state !== 'merged') {
      run.warn(`Lane of ${l.storyKey} (${l.cwd}) has uncommitted files from an interrupted step: ${l.uncommittedFiles.join(', ')}; the step runs again there.`, { storyKey: l.storyKey });
    }
  }
}

/**
 * One parallel cycle: up to maxParallel independent stories (planParallelLanes), each running every
 * phase of 003 for itself in its own worktree at the same time; when all of them have finished, the
 * done ones merge into the sprint branch one at a time, in plan order.
 */
export async function runParallelCycle(run: RunContext, ctx: BatchContext, cycle: number): Promise<boolean> {
  const startWith = cycle === 1 ? ctx.batch.options.startWith : undefined;
  const { result: plan, replayed } = await runStep(run, ctx, `c${cycle}/lane-plan`, () => planLanes(run, startWith));
  if (plan.stories.length === 0) return false;
  const keys = plan.stories.map((s) => s.key);
  for (const s of plan.stories) ctx.report.story(s);
  run.emit({ type: 'cycle:start', batchId: ctx.batch.id, cycle, maxCycles: ctx.batch.options.maxCycles, storyKeys: keys, epicId: joinEpics(plan.stories) });
  if (!replayed) {
    for (const s of plan.stories) await run.deps.store.upsertStory(ctx.batch.id, s.key, s.epicId, { status: s.status, startedAt: run.clock.now() });
  }
  const settled = await Promise.allSettled(
    plan.stories.map((s) =>
      runLane(run, ctx, cycle, s).catch((err: unknown) => {
        // One lane ending the batch (pause, permanent failure): the other lanes finish the step they
        // are in and start no new one, as a pause does; the first reason is the batch's.
        run.haltOtherLanes(err instanceof Error ? err.message : String(err));
        throw err;
      }),
    ),
  );
  const rejected = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
  const severity = (e: unknown): number => (e instanceof Halt ? { paused: 0, stopped: 1, failed: 2 }[e.status] : 3);
  if (rejected.length > 0) throw rejected.reduce((a, b) => (severity(b) > severity(a) ? b : a));
  const lanes = settled.map((r) => (r as PromiseFulfilledResult<CycleContext>).value);
  for (const lc of lanes) {
    for (const s of lc.stories) if (lc.done.has(s.key)) await mergeLane(run, lc, s);
  }
  ctx.cyclesCompleted = cycle;
  await run.deps.store.updateBatch(ctx.batch.id, { cyclesCompleted: cycle });
  run.emit({
    type: 'cycle:end',
    batchId: ctx.batch.id,
    cycle,
    storyKeys: keys,
    done: lanes.flatMap((lc) => [...lc.done]),
    blocked: lanes.flatMap((lc) => [...lc.blocked]),
  });
  return true;
}

export async function mergeSprintIntoBase(run: RunContext, ctx: BatchContext): Promise<void> {
  const lanes = run.deps.lanes!;
  const r = await lanes.mergeSprintIntoBase().catch((err: unknown) => ({ ok: false, detail: err instanceof Error ? err.message : String(err) }));
  if (r.ok) ctx.report.note(`${lanes.sprintBranch} merged into the base branch: ${r.detail}`);
  else {
    ctx.report.note(`${lanes.sprintBranch} was not merged into the base branch: ${r.detail}`);
    run.warn(`The sprint is complete but ${lanes.sprintBranch} was not merged into the base branch: ${r.detail}`);
  }
}

async function planLanes(run: RunContext, startWith: string | undefined): Promise<{ stories: StoryRef[] }> {
  const snapshot = await run.deps.ledger.read();
  const ref = (st: LedgerSnapshot['stories'][number]): StoryRef => ({ key: st.key, shortId: st.shortId, epicId: st.epicId, status: st.status });
  const first = startWith !== undefined ? snapshot.stories.find((x) => x.key === startWith && x.status !== 'done' && x.status !== 'blocked') : undefined;
  const plan = planParallelLanes({
    ledger: snapshot,
    maxParallel: run.deps.settings.maxParallel ?? 1,
    running: first ? [first.key] : [],
    independent: run.deps.settings.independentStories ?? [],
  });
  return { stories: [...(first ? [ref(first)] : []), ...plan.start.map(ref)] };
}

/** Every phase of one story in its lane. `done` waits for the merge (deferDone). */
async function runLane(run: RunContext, ctx: BatchContext, cycle: number, s: StoryRef): Promise<CycleContext> {
  const lanes = run.deps.lanes!;
  const prefix = `c${cycle}/${s.key}`;
  const { result: lane, replayed } = await runStep(run, ctx, `${prefix}/lane`, () => lanes.prepare(s.key));
  const layout = rebaseLayout(run.deps.layout, lane.cwd);
  const lc: CycleContext = {
    batch: ctx,
    cycle,
    prefix,
    layout,
    agentLedger: new SprintLedger(layout.ledgerPath, run.deps.fs),
    lane,
    deferDone: true,
    before: null,
    doneReason: new Map(),
    epicId: s.epicId,
    stories: [s],
    active: new Set([s.key]),
    done: new Set(),
    blocked: new Set(),
    decisions: {},
  };
  if (!replayed) run.emit({ type: 'lane:state', storyKey: s.key, state: 'started', branch: lane.branch, cwd: lane.cwd, lane: s.key });
  ctx.report.lane(s.key, lane.branch, 'started');
  if (!(await run.deps.fs.exists(layout.ledgerPath))) {
    await setStoryStatus(run, lc, s, 'blocked', `parallel mode needs ${run.deps.ledger.path} committed to git: the lane ${lane.cwd} has no copy of it`);
    return lc;
  }
  lc.before = await gitSnapshot(run, lc, lane.cwd);
  await runStoryPhases(run, lc);
  await batchCommitPhase(run, lc);
  return lc;
}

/** Merges a done lane into the sprint branch; a conflict parks the story as blocked, its branch kept. */
async function mergeLane(run: RunContext, lc: CycleContext, s: StoryRef): Promise<void> {
  const lanes = run.deps.lanes!;
  const lane = lc.lane!;
  const key = `${lc.prefix}/merge`;
  const { result: r, replayed } = await runStep(run, lc.batch, key, async (): Promise<LaneMerge> => {
    try {
      return await lanes.merge(s.key);
    } catch (err) {
      return { status: 'failed', branch: lane.branch, cwd: lane.cwd, detail: err instanceof Error ? err.message : String(err) };
    }
  });
  const tag = { lane: s.key };
  lc.deferDone = false;
  if (r.status === 'merged') {
    lc.batch.report.lane(s.key, r.branch, `merged into ${lanes.sprintBranch}${r.fastForward ? ' (fast-forward)' : ''}`);
    if (r.sha) lc.batch.report.mergeCommit(s.key, r.sha, `${r.fastForward ? 'fast-forward of' : 'merge of'} ${r.branch} into ${lanes.sprintBranch}`);
    if (!replayed) run.emit({ type: 'lane:state', storyKey: s.key, state: 'merged', branch: r.branch, ...(r.note ? { detail: r.note } : {}), ...tag });
    await setStoryStatus(run, lc, s, 'done', lc.doneReason.get(s.key) ?? `merged into ${lanes.sprintBranch}`);
    return;
  }
  const reason =
    r.status === 'conflict'
      ? `merge conflict: ${r.files.join(', ')} (branch ${r.branch} and worktree ${r.cwd} kept; resolve it there, then resume the story)`
      : r.status === 'uncommitted'
        ? `work left uncommitted in the lane ${r.cwd}: ${r.files.join(', ')} (branch ${r.branch} kept; commit it there, then resume the story)`
        : `merging ${r.branch} into ${lanes.sprintBranch} failed: ${r.detail}`;
  lc.batch.report.lane(s.key, r.branch, r.status === 'conflict' ? `conflict: ${r.files.join(', ')}` : r.status);
  if (!replayed) {
    run.emit({
      type: 'lane:state',
      storyKey: s.key,
      state: r.status,
      branch: r.branch,
      cwd: r.cwd,
      ...(r.status === 'conflict' || r.status === 'uncommitted' ? { files: r.files } : {}),
      ...(r.status === 'conflict' || r.status === 'failed' ? { detail: r.detail } : {}),
      ...tag,
    });
  }
  await setStoryStatus(run, lc, s, 'blocked', reason);
}
