// The extension's review before the batch commit, on a scripted UI (no `vscode`): what the user sees, and
// which answer each choice gives the engine.

import { strict as assert } from 'node:assert';
import type { CommitReviewRequest } from '../../../src/core/workflow/CommitReviewPort';
import { APPROVE, OPEN_CHANGES, REJECT, reviewCommit, type CommitReviewUi } from '../../../src/vscode/commitReviewFlow';

function request(over: Partial<CommitReviewRequest> = {}): CommitReviewRequest {
  return {
    stepKey: 'c2/commit-review/r0',
    cycle: 2,
    round: 0,
    storyKeys: ['2-1-search'],
    storyIds: ['2-1'],
    epicId: '2',
    cwd: '/ws',
    diff: { base: 'abcdef0123456789', root: '/ws', files: [{ path: 'src/search.ts', insertions: 40, deletions: 2 }] },
    ...over,
  };
}

/** Clicks the given buttons in order and types the given reasons; records what was shown. */
function scriptedUi(clicks: (string | undefined)[], reasons: (string | undefined)[] = []) {
  const seen = { logged: [] as string[], messages: [] as string[], buttons: [] as string[][], opened: 0 };
  const ui: CommitReviewUi = {
    log: (lines) => seen.logged.push(...lines),
    ask: async (message, buttons) => {
      seen.messages.push(message);
      seen.buttons.push(buttons);
      return clicks.shift();
    },
    askReason: async () => reasons.shift(),
    openChanges: async () => {
      seen.opened++;
    },
  };
  return { ui, seen };
}

const live = () => new AbortController().signal;

describe('extension: the review before the batch commit', () => {
  it('logs the diff stat, asks with Approve / Reject… / Open Changes, and Approve approves', async () => {
    const { ui, seen } = scriptedUi([APPROVE]);
    assert.deepEqual(await reviewCommit(ui, request(), live()), { decision: 'approve' });
    assert.match(seen.logged.join('\n'), /src\/search\.ts \| \+40 −2/);
    assert.deepEqual(seen.buttons[0], [APPROVE, REJECT, OPEN_CHANGES]);
    assert.match(seen.messages[0], /review the batch commit of 2-1: 1 file changed/);
  });

  it('Open Changes opens the diff view and asks again', async () => {
    const { ui, seen } = scriptedUi([OPEN_CHANGES, APPROVE]);
    assert.deepEqual(await reviewCommit(ui, request(), live()), { decision: 'approve' });
    assert.equal(seen.opened, 1);
    assert.equal(seen.messages.length, 2);
  });

  it('Reject… asks for the reason and rejects with it; a cancelled reason asks the question again', async () => {
    const { ui, seen } = scriptedUi([REJECT, REJECT], [undefined, '  Search ignores accents.  ']);
    assert.deepEqual(await reviewCommit(ui, request(), live()), { decision: 'reject', reason: 'Search ignores accents.' });
    assert.equal(seen.messages.length, 2);
  });

  it('closing the notification puts the review off (the batch pauses unanswered), never approves', async () => {
    const { ui } = scriptedUi([undefined]);
    assert.deepEqual(await reviewCommit(ui, request(), live()), { decision: 'later' });
  });

  it('without git: no Open Changes button, and the message says there is no diff', async () => {
    const { ui, seen } = scriptedUi([APPROVE]);
    await reviewCommit(ui, request({ diff: null }), live());
    assert.deepEqual(seen.buttons[0], [APPROVE, REJECT]);
    assert.match(seen.messages[0], /no diff \(git is not in use\)/);
  });

  it('a second round says it comes after a rejection; an answer after a pause is not taken', async () => {
    const ac = new AbortController();
    const { ui, seen } = scriptedUi([]);
    ui.ask = async (message) => {
      seen.messages.push(message);
      ac.abort();
      return APPROVE;
    };
    assert.deepEqual(await reviewCommit(ui, request({ round: 1 }), ac.signal), { decision: 'later' });
    assert.match(seen.messages[0], /again, after 1 rejection/);
  });
});
