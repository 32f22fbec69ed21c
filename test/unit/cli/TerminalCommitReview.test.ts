// The CLI's review before the batch commit: the diff stat and the question on the terminal, the answer from
// stdin (piped here, as a user typing ahead would), and the refusal to start without a terminal.

import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli/cli';
import { REVIEW_QUESTION, TerminalCommitReview } from '../../../src/cli/TerminalCommitReview';
import type { CommitReviewRequest } from '../../../src/core/workflow/CommitReviewPort';

function request(over: Partial<CommitReviewRequest> = {}): CommitReviewRequest {
  return {
    stepKey: 'c1/commit-review/r0',
    cycle: 1,
    round: 0,
    storyKeys: ['1-1-login', '1-2-logout'],
    storyIds: ['1-1', '1-2'],
    epicId: '1',
    cwd: '/ws',
    diff: {
      base: '0123456789abcdef0123',
      root: '/ws',
      files: [
        { path: 'src/login.ts', insertions: 12, deletions: 3 },
        { path: 'src/logout.ts', insertions: null, deletions: null, untracked: true },
      ],
    },
    ...over,
  };
}

function terminal(answers: string) {
  const input = new PassThrough();
  input.end(answers);
  const written: string[] = [];
  const port = new TerminalCommitReview(input, (t) => written.push(t));
  return { port, text: () => written.join('') };
}

describe('CLI: the review before the batch commit', () => {
  it('prints the stories and the diff stat, asks, and "y" approves', async () => {
    const t = terminal('y\n');
    const answer = await t.port.decide(request(), new AbortController().signal);
    assert.deepEqual(answer, { decision: 'approve' });
    const text = t.text();
    assert.match(text, /Review before the batch commit of cycle 1: 1-1, 1-2/);
    assert.match(text, / src\/login\.ts\s+\| \+12 −3/);
    assert.match(text, / src\/logout\.ts\s+\| new file/);
    assert.match(text, /2 files changed \(1 new\), \+12 −3 in the others \(since 0123456789/);
    assert.match(text, /git -C "\/ws" diff 0123456789ab/);
    assert.ok(text.endsWith(REVIEW_QUESTION), 'the question is the last thing written, waiting on the same line');
    t.port.dispose();
  });

  it('"r" asks for the reason and rejects with it; an empty reason is asked again', async () => {
    const t = terminal('r\n\nr\nThe logout keeps the session cookie.\n');
    const answer = await t.port.decide(request(), new AbortController().signal);
    assert.deepEqual(answer, { decision: 'reject', reason: 'The logout keeps the session cookie.' });
    assert.match(t.text(), /A rejection needs a reason/);
    t.port.dispose();
  });

  it('Enter (the default N) puts the review off: the batch pauses and resume asks again', async () => {
    const t = terminal('\n');
    assert.deepEqual(await t.port.decide(request(), new AbortController().signal), { decision: 'later' });
    t.port.dispose();
  });

  it('two questions (parallel lanes) are asked one after the other, each taking its own answer', async () => {
    const t = terminal('r\nnot this one\ny\n');
    const signal = new AbortController().signal;
    const [a, b] = await Promise.all([t.port.decide(request({ lane: '1-1-login' }), signal), t.port.decide(request({ lane: '1-2-logout' }), signal)]);
    assert.deepEqual([a, b], [{ decision: 'reject', reason: 'not this one' }, { decision: 'approve' }]);
    assert.ok(t.text().indexOf('(lane 1-1-login)') < t.text().indexOf('(lane 1-2-logout)'));
    t.port.dispose();
  });

  it('input that ends before an answer is an error (the engine pauses and resume asks again), never an approval', async () => {
    const t = terminal('');
    await assert.rejects(t.port.decide(request(), new AbortController().signal), /closed before an answer/);
  });

  it('a pause or stop while waiting withdraws the question', async () => {
    const input = new PassThrough();
    const port = new TerminalCommitReview(input, () => undefined);
    const ac = new AbortController();
    const pending = port.decide(request(), ac.signal);
    ac.abort();
    await assert.rejects(pending, /paused or stopped/);
    port.dispose();
  });

  it('sprint-runner run --review-before-commit without a terminal: exit 2 before anything runs, saying why and how', async () => {
    const base = await fsp.mkdtemp(path.join(os.tmpdir(), 'sr-cli-review-'));
    try {
      const ws = path.join(base, 'project');
      await fsp.mkdir(ws);
      const err: string[] = [];
      const piped = Object.assign(new PassThrough(), { isTTY: false });
      const code = await main(
        ['run', '--review-before-commit', '--workspace', ws, '--state-dir', path.join(base, 'state')],
        { out: () => undefined, err: (l) => err.push(l), env: { PATH: process.env.PATH }, cwd: ws },
        undefined,
        { stdin: piped },
      );
      assert.equal(code, 2);
      assert.match(err.join('\n'), /standard input is not a terminal/);
      assert.match(err.join('\n'), /--no-review-before-commit/);
      await assert.rejects(fsp.access(path.join(base, 'state')), 'no state folder was created');
    } finally {
      await fsp.rm(base, { recursive: true, force: true });
    }
  });
});
