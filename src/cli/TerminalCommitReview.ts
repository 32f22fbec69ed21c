// The CLI's side of the review before the batch commit: the diff stat and the question on the terminal
// (stderr, so `--json` output stays machine-readable), the answer read from stdin. Questions of parallel
// lanes are asked one at a time.

import * as readline from 'node:readline';
import { formatDiffStat } from '../core/formatDiffStat';
import type { CommitReviewAnswer, CommitReviewPort, CommitReviewRequest } from '../core/workflow/CommitReviewPort';

export const REVIEW_QUESTION = 'Approve the batch commit? [y/N/r=reject with reason] ';

export class TerminalCommitReview implements CommitReviewPort {
  private rl: readline.Interface | undefined;
  private closed = false;
  private readonly lines: string[] = [];
  private waiting: { line: (l: string) => void; closed: () => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly write: (text: string) => void,
  ) {}

  decide(request: CommitReviewRequest, signal: AbortSignal): Promise<CommitReviewAnswer> {
    const next = this.queue.then(() => this.ask(request, signal));
    this.queue = next.catch(() => undefined);
    return next;
  }

  dispose(): void {
    this.rl?.close();
  }

  private async ask(request: CommitReviewRequest, signal: AbortSignal): Promise<CommitReviewAnswer> {
    const stories = request.storyIds.join(', ');
    this.write(`\nReview before the batch commit of cycle ${request.cycle}${request.lane ? ` (lane ${request.lane})` : ''}: ${stories}${request.round > 0 ? ` — again, after ${request.round} rejection(s)` : ''}\n`);
    for (const line of formatDiffStat(request.diff)) this.write(`${line}\n`);
    if (request.diff && request.diff.files.length > 0) this.write(` See the changes with: git -C ${JSON.stringify(request.diff.root)} diff ${request.diff.base.slice(0, 12)}\n`);
    for (;;) {
      const answer = (await this.line(REVIEW_QUESTION, signal)).trim().toLowerCase();
      if (answer === 'y' || answer === 'yes') return { decision: 'approve' };
      if (answer === 'r' || answer === 'reject') {
        const reason = (await this.line('Reason (it goes to the code review as a finding): ', signal)).trim();
        if (reason) return { decision: 'reject', reason };
        this.write('A rejection needs a reason.\n');
        continue;
      }
      // N (the default): not now. The batch pauses unanswered; `sprint-runner resume` asks again.
      return { decision: 'later' };
    }
  }

  /** Writes the question and takes the next line of input (lines typed or piped ahead are kept in order). */
  private line(question: string, signal: AbortSignal): Promise<string> {
    if (signal.aborted) return Promise.reject(new Error('the run was paused or stopped'));
    this.write(question);
    const buffered = this.lines.shift();
    if (buffered !== undefined) return Promise.resolve(buffered);
    if (this.closed) return Promise.reject(new Error('standard input closed before an answer'));
    this.rl ??= this.open();
    return new Promise<string>((resolve, reject) => {
      const onAbort = () => {
        this.waiting = undefined;
        reject(new Error('the run was paused or stopped'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting = {
        line: (l) => {
          signal.removeEventListener('abort', onAbort);
          resolve(l);
        },
        closed: () => {
          signal.removeEventListener('abort', onAbort);
          reject(new Error('standard input closed before an answer'));
        },
      };
    });
  }

  private open(): readline.Interface {
    const rl = readline.createInterface({ input: this.input, terminal: false });
    rl.on('line', (l) => {
      const w = this.waiting;
      this.waiting = undefined;
      if (w) w.line(l);
      else this.lines.push(l);
    });
    rl.on('close', () => {
      this.closed = true;
      const w = this.waiting;
      this.waiting = undefined;
      w?.closed();
    });
    return rl;
  }
}
