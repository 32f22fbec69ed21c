// The extension's review before the batch commit, as a flow over a small UI interface (no `vscode` here, so
// it is unit-tested in plain Node): the diff stat goes to the Output, the changes open in the diff view on
// request, and a notification (not modal: the editor stays usable to read the code) asks to approve or reject.

import { formatDiffStat } from '../core/formatDiffStat';
import type { CommitReviewAnswer, CommitReviewRequest } from '../core/workflow/CommitReviewPort';

export const APPROVE = 'Approve';
export const REJECT = 'Reject…';
export const OPEN_CHANGES = 'Open Changes';

export interface CommitReviewUi {
  /** Lines for the Output channel. */
  log(lines: string[]): void;
  /** A non-modal notification with these buttons; undefined when it was closed without a choice. */
  ask(message: string, buttons: string[]): Promise<string | undefined>;
  /** The rejection's reason (an input box that refuses an empty one); undefined when cancelled. */
  askReason(prompt: string): Promise<string | undefined>;
  /** Opens each changed file in the diff view (the cycle's first commit on the left, the working file on the right). */
  openChanges(request: CommitReviewRequest): Promise<void>;
}

export function reviewMessage(request: CommitReviewRequest): string {
  const files = request.diff ? `${request.diff.files.length} file${request.diff.files.length === 1 ? '' : 's'} changed` : 'no diff (git is not in use)';
  const again = request.round > 0 ? ` (again, after ${request.round} rejection${request.round === 1 ? '' : 's'})` : '';
  return `Sprint Runner: review the batch commit of ${request.storyIds.join(', ')}${request.lane ? ` (lane ${request.lane})` : ''}${again}: ${files}. Approve to commit, or reject with a reason to send the stories back to code review.`;
}

/**
 * Asks until the reviewer approves or rejects with a reason. Closing the notification puts the review off
 * (`later`: the batch pauses, Resume asks again) — it never commits without an answer. A pause or stop
 * while the question is open withdraws it (the engine ignores any later answer).
 */
export async function reviewCommit(ui: CommitReviewUi, request: CommitReviewRequest, signal: AbortSignal): Promise<CommitReviewAnswer> {
  ui.log([`Review before the batch commit of cycle ${request.cycle}: ${request.storyIds.join(', ')}`, ...formatDiffStat(request.diff)]);
  const buttons = request.diff && request.diff.files.length > 0 ? [APPROVE, REJECT, OPEN_CHANGES] : [APPROVE, REJECT];
  for (;;) {
    if (signal.aborted) return { decision: 'later' };
    const choice = await ui.ask(reviewMessage(request), buttons);
    if (signal.aborted) return { decision: 'later' };
    if (choice === APPROVE) return { decision: 'approve' };
    if (choice === OPEN_CHANGES) {
      await ui.openChanges(request);
      continue;
    }
    if (choice === REJECT) {
      const reason = (await ui.askReason('Why is the batch commit rejected? The reason goes to the code review as a finding.'))?.trim();
      if (reason) return { decision: 'reject', reason };
      continue;
    }
    return { decision: 'later' };
  }
}
