// 003 step 4c: the batch commit, made by the batch-commit agent and verified, or made by the engine.

import type { RunContext } from './RunContext';
import { invokeWithRecovery } from './AgentSteps';
import { commitReviewPoint } from './CommitReviewStep';
import { PROGRESS_LOG_FILE, type CommitCheck, type GitPort, type GitSnapshot } from './GitPort';
import { Halt, joinEpics, laneSpec, laneTag, type CycleContext, type StoryRef } from './RunTypes';
import { setStoryStatus } from './setStoryStatus';
import { runStep } from './StepJournal';

export async function batchCommitPhase(run: RunContext, cc: CycleContext): Promise<void> {
  if (!cc.stories.some((s) => cc.done.has(s.key))) {
    run.warn(`Cycle ${cc.cycle}: every story is blocked; batch-commit skipped.`, cc.lane ? { storyKey: cc.lane.storyKey } : {});
    return;
  }
  const completed = await commitReviewPoint(run, cc, cc.stories.filter((s) => cc.done.has(s.key)));
  if (completed.length === 0) {
    run.warn(`Cycle ${cc.cycle}: every story is blocked after the review before the commit; batch-commit skipped.`, cc.lane ? { storyKey: cc.lane.storyKey } : {});
    return;
  }
  const expected = {
    epicId: joinEpics(completed),
    storyIds: completed.map((s) => s.shortId),
    storyKeys: completed.map((s) => s.key),
  };
  const git = run.deps.git;
  const cwd = cc.lane?.cwd ?? run.deps.layout.root;
  if (run.deps.settings.commitMode === 'engine') {
    if (!git || !cc.before) {
      throw new Halt('failed', `commitMode "engine" needs a git repository with at least one commit at ${cwd}. Fix: run "git init" and commit once, or set the commit mode to "agent".`);
    }
    await engineCommit(run, cc, git, cc.before, completed, expected, cwd);
    return;
  }
  const rec = await invokeWithRecovery(run, cc.batch, {
    ...laneSpec(cc),
    key: `${cc.prefix}/batch-commit`,
    cycle: cc.cycle,
    command: 'batch-commit',
    stories: completed,
    attempt: 1,
    promptExtras: { completed_story_ids: completed.map((s) => s.shortId).join(',') },
  });
  if (!rec) {
    for (const s of completed) {
      await setStoryStatus(run, cc, s, 'blocked', `batch-commit failed ${run.deps.settings.maxConsecutiveFailures} times in a row; the work is done but not committed`, '/commit');
    }
    return;
  }
  if (!git || !cc.before) return;
  // Verified instead of believed: a new commit on the branch, the 003 message, some changes.
  const key = `${cc.prefix}/verify-commit`;
  const before = cc.before;
  const { result, replayed } = await runStep(run, cc.batch, key, async (): Promise<CommitCheck> => {
    try {
      return await git.verifyBatchCommit(cwd, before, expected);
    } catch (err) {
      return { ok: false, reason: 'git-error', detail: err instanceof Error ? err.message : String(err) };
    }
  });
  commitOutcome(run, cc, key, 'agent', completed, result, replayed);
}

/** The git snapshot a cycle's commit is checked against (journaled: a resumed cycle reuses it). */
export async function gitSnapshot(run: RunContext, cc: CycleContext, cwd: string): Promise<GitSnapshot | null> {
  const git = run.deps.git;
  if (!git) return null;
  const key = `${cc.prefix}/git-snapshot`;
  const { result, replayed } = await runStep(run, cc.batch, key, async (): Promise<{ snapshot: GitSnapshot | null; problem?: string }> => {
    try {
      return { snapshot: await git.snapshot(cwd) };
    } catch (err) {
      return { snapshot: null, problem: err instanceof Error ? err.message : String(err) };
    }
  });
  if (!replayed && result.problem) {
    run.warn(`Git is not usable in ${cwd}, so this cycle's commit cannot be verified: ${result.problem}`, { stepKey: key });
  }
  return result.snapshot;
}

async function engineCommit(run: RunContext, 
  cc: CycleContext,
  git: GitPort,
  before: GitSnapshot,
  completed: StoryRef[],
  expected: { epicId: string; storyIds: string[]; storyKeys: string[] },
  cwd: string,
): Promise<void> {
  const key = `${cc.prefix}/engine-commit`;
  // A refused commit (a dirty tree the engine did not expect) is not journaled: the batch pauses and
  // the step runs again on resume, after the user cleaned up.
  let refusal: CommitCheck | undefined;
  const { result, replayed } = await runStep(run, cc.batch, key, async (): Promise<CommitCheck> => {
    let r: CommitCheck;
    try {
      r = await git.engineCommit(cwd, before, {
        ...expected,
        artifactsDir: cc.layout.implementationArtifacts,
        // The engine's files changed during the cycle. In a lane they are committed there too and undone
        // by the lane module before the merge (their lane copies stay in the lane's history).
        extraPaths: [cc.agentLedger.path, `${cc.layout.root}/${PROGRESS_LOG_FILE}`],
      });
    } catch (err) {
      r = { ok: false, reason: 'git-error', detail: err instanceof Error ? err.message : String(err) };
    }
    if (!r.ok && r.reason !== 'nothing-to-commit') {
      refusal = r;
      throw new Halt('paused', `engine commit refused (${r.reason}): ${r.detail}`);
    }
    return r;
  }).catch((err: unknown) => {
    if (refusal) commitOutcome(run, cc, key, 'engine', completed, refusal, false);
    throw err;
  });
  commitOutcome(run, cc, key, 'engine', completed, result, replayed);
}

/** Events, report and warnings for a checked or made batch commit (replays only feed the report). */
function commitOutcome(run: RunContext, cc: CycleContext, key: string, mode: 'agent' | 'engine', stories: StoryRef[], r: CommitCheck, replayed: boolean): void {
  const storyKeys = stories.map((s) => s.key);
  cc.batch.report.commit(storyKeys, r, mode, cc.lane);
  if (replayed) return;
  const tag = laneTag(cc);
  if (r.ok) {
    run.emit({ type: 'commit:verified', stepKey: key, cycle: cc.cycle, storyKeys, mode, sha: r.sha, message: r.message, files: r.files.length, ...tag });
    if (r.leftUncommitted?.length) run.warn(`Batch commit ${r.sha.slice(0, 12)} left changes of the cycle uncommitted: ${r.leftUncommitted.join(', ')}`, { stepKey: key });
    if (r.includedPreexisting?.length) {
      run.warn(`Batch commit ${r.sha.slice(0, 12)} includes files that had uncommitted changes before the cycle started: ${r.includedPreexisting.join(', ')}`, { stepKey: key });
    }
    return;
  }
  run.emit({ type: 'commit:failed', stepKey: key, cycle: cc.cycle, storyKeys, mode, reason: r.reason, detail: r.detail, ...(r.paths?.length ? { paths: r.paths } : {}), ...tag });
  const what = mode === 'agent' ? 'The batch-commit agent reported success, but the commit is not right' : 'The engine could not make the batch commit';
  run.emit({ type: 'error', message: `${what} (${r.reason}): ${r.detail}`, stepKey: key, ...(storyKeys.length === 1 ? { storyKey: storyKeys[0] } : {}), ...tag });
}
