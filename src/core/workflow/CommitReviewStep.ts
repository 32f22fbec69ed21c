// The optional human review point before step 4c (setting `git.reviewBeforeCommit`). The run asks through
// the CommitReviewPort and waits; the answer is a journaled step, so a replay takes the same road and a run
// paused, stopped or killed while waiting asks again when it resumes — it never commits without an answer.
// A rejection sends the cycle's completed stories back to the code-review loop with the reason as a
// finding, under the round's own journal keys, and the cycle comes back here.

import type { CommitReviewAnswer, CommitReviewDecision, CommitReviewRequest } from './CommitReviewPort';
import type { DiffStat } from './GitPort';
import type { RunContext } from './RunContext';
import { errorMessage, Halt, joinEpics, laneTag, type CycleContext, type StoryRef } from './RunTypes';
import { runStep } from './StepJournal';
import { codeReviewLoop } from './StoryPhases';

/**
 * Asks until the reviewer approves, re-reviewing after each rejection. Returns the stories to commit (a
 * re-review may block some; empty when none is left).
 */
export async function commitReviewPoint(run: RunContext, cc: CycleContext, completed: StoryRef[]): Promise<StoryRef[]> {
  if (run.deps.settings.reviewBeforeCommit !== true) return completed;
  let stories = completed;
  for (let round = 0; stories.length > 0; round++) {
    const decision = await askReviewer(run, cc, stories, round);
    if (decision.decision === 'approve') return stories;
    await reviewAgain(run, cc, stories, round + 1, decision.reason);
    stories = cc.stories.filter((s) => cc.done.has(s.key));
  }
  return stories;
}

async function askReviewer(run: RunContext, cc: CycleContext, stories: StoryRef[], round: number): Promise<CommitReviewDecision> {
  const key = `${cc.prefix}/commit-review/r${round}`;
  const storyKeys = stories.map((s) => s.key);
  const tag = laneTag(cc);
  const { result, replayed } = await runStep(run, cc.batch, key, async (): Promise<CommitReviewDecision> => {
    const port = run.deps.commitReview;
    if (!port) {
      throw new Halt(
        'paused',
        'The review before the batch commit is on (setting git.reviewBeforeCommit) but this front end cannot ask for it. Fix: resume from the VS Code extension or an interactive terminal, or turn the setting off.',
      );
    }
    const cwd = cc.lane?.cwd ?? run.deps.layout.root;
    const diff = await diffOf(run, cc, cwd);
    const request: CommitReviewRequest = {
      stepKey: key,
      cycle: cc.cycle,
      round,
      storyKeys,
      storyIds: stories.map((s) => s.shortId),
      epicId: joinEpics(stories),
      cwd,
      ...(cc.lane ? { lane: cc.lane.storyKey } : {}),
      diff,
    };
    const totals = diff
      ? { files: diff.files.length, insertions: sum(diff.files.map((f) => f.insertions ?? 0)), deletions: sum(diff.files.map((f) => f.deletions ?? 0)) }
      : {};
    run.emit({ type: 'commit:review', stepKey: key, cycle: cc.cycle, round, storyKeys, state: 'waiting', ...totals, ...tag });
    return validDecision(await waitForDecision(run, () => port.decide(request, run.haltSignal)));
  });
  if (!replayed) {
    run.emit({
      type: 'commit:review',
      stepKey: key,
      cycle: cc.cycle,
      round,
      storyKeys,
      state: result.decision === 'approve' ? 'approved' : 'rejected',
      ...(result.decision === 'reject' ? { reason: result.reason } : {}),
      ...tag,
    });
  }
  cc.batch.report.note(
    result.decision === 'approve'
      ? `Cycle ${cc.cycle}: the batch commit of ${storyKeys.join(', ')} was approved at the review point.`
      : `Cycle ${cc.cycle}: the batch commit of ${storyKeys.join(', ')} was rejected at the review point: ${result.reason}`,
  );
  return result;
}

async function diffOf(run: RunContext, cc: CycleContext, cwd: string): Promise<DiffStat | null> {
  const git = run.deps.git;
  if (!git || !cc.before) return null;
  try {
    return await git.diffStat(cwd, cc.before);
  } catch (err) {
    run.warn(`The changes of cycle ${cc.cycle} could not be listed for the review (${errorMessage(err)}); the review is asked without them.`);
    return null;
  }
}

/** The port's answer, or the Halt a pause or stop asked for while waiting (the step stays unanswered). */
function waitForDecision(run: RunContext, ask: () => Promise<CommitReviewAnswer>): Promise<CommitReviewAnswer> {
  const signal = run.haltSignal;
  return new Promise<CommitReviewAnswer>((resolve, reject) => {
    const onHalt = () => {
      try {
        run.checkHalt();
        reject(new Halt('paused', 'paused while waiting for the review before the batch commit'));
      } catch (halt) {
        reject(halt);
      }
    };
    if (signal.aborted) return onHalt();
    signal.addEventListener('abort', onHalt, { once: true });
    ask().then(
      (d) => {
        signal.removeEventListener('abort', onHalt);
        resolve(d);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onHalt);
        reject(err instanceof Halt ? err : new Halt('paused', `The review before the batch commit could not be asked: ${errorMessage(err)}. Resume to be asked again.`));
      },
    );
  });
}

/** The answer as the journal keeps it; `later` pauses the batch with the step unanswered. */
function validDecision(d: CommitReviewAnswer): CommitReviewDecision {
  if (d.decision === 'later') throw new Halt('paused', 'The review before the batch commit was put off; nothing was committed. Resume to be asked again.');
  if (d.decision === 'approve') return { decision: 'approve' };
  const reason = typeof d.reason === 'string' ? d.reason.trim() : '';
  return { decision: 'reject', reason: reason || 'rejected without a reason' };
}

/** The rejected stories go back to `review` and through the code-review loop again, the reason in every prompt. */
async function reviewAgain(run: RunContext, cc: CycleContext, stories: StoryRef[], round: number, reason: string): Promise<void> {
  // The round's own keys (`c1/human-r1/code-review/<key>/a1`, …): the first loop's results stay as they were.
  const rc: CycleContext = { ...cc, prefix: `${cc.prefix}/human-r${round}` };
  const finding = humanReviewSection(reason, round);
  for (const s of stories) {
    await backToReview(run, rc, s, reason);
    await codeReviewLoop(run, rc, { ...s, status: 'review' }, finding);
  }
}

/** Undoes the story's `done` (the ledger says `review` again, journaled), so a crash never leaves it done uncommitted. */
async function backToReview(run: RunContext, rc: CycleContext, s: StoryRef, reason: string): Promise<void> {
  rc.done.delete(s.key);
  rc.doneReason.delete(s.key);
  rc.active.add(s.key);
  rc.batch.storiesDone = rc.batch.storiesDone.filter((k) => k !== s.key);
  // Parallel mode writes `done` only after the merge: nothing to undo in the ledger.
  if (rc.deferDone) return;
  const key = `${rc.prefix}/reopen/${s.key}`;
  const { replayed } = await runStep(run, rc.batch, key, async () => {
    const written = await run.deps.ledger.setStatus(s.key, 'review');
    await run.deps.store.upsertStory(rc.batch.batch.id, s.key, s.epicId, { status: 'review' });
    return { storyKey: s.key, status: 'review', previous: written.previous, reason };
  });
  if (!replayed) run.emit({ type: 'story:status', storyKey: s.key, from: 'done', to: 'review', reason: `batch commit rejected: ${reason}`, ...laneTag(rc) });
  rc.batch.report.status(s.key, 'review', `batch commit rejected: ${reason}`);
}

/** The reason as the code-review prompt's finding (fenced: the reviewer's words can never close the block). */
export function humanReviewSection(reason: string, round: number): string {
  let longest = 0;
  for (const m of reason.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [
    '## Rejected at the review before the batch commit',
    '',
    `A human reviewed this cycle's changes and rejected the batch commit${round > 1 ? ` (rejection ${round})` : ''}. Treat the reason as a finding of this review: fix it, and report it as an issue until it is resolved.`,
    '',
    fence,
    reason,
    fence,
    '',
  ].join('\n');
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
