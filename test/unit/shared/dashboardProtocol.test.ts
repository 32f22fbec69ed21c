import { strict as assert } from 'node:assert';
import { validateWebviewMessage } from '../../../src/shared/dashboardProtocol';

describe('validateWebviewMessage', () => {
  it('accepts every well-formed message as it is', () => {
    const good = [
      { type: 'ready' },
      { type: 'requestSnapshot', lastRev: 12 },
      { type: 'startRun', cycles: 3 },
      { type: 'startRun', cycles: 'all' },
      { type: 'pause' },
      { type: 'resume' },
      { type: 'stop' },
      { type: 'resumeStory', storyKey: '2a-1-session-scanner' },
      { type: 'unblockStory', storyKey: '1-2' },
      { type: 'openStory', storyKey: '1-2' },
      { type: 'openLog', path: '/ws/.sprint-runner/logs/a.ndjson' },
      { type: 'requestHistory' },
      { type: 'requestBatchStories', batchId: 4 },
      { type: 'requestTimeline', storyKey: '1-2' },
      { type: 'copyText', text: 'a\tb\n' },
    ];
    for (const m of good) assert.deepEqual(validateWebviewMessage(m), { ok: true, message: m });
  });

  it('rejects malformed messages with a reason naming the field', () => {
    const bad: [unknown, RegExp][] = [
      [null, /not an object/],
      ['startRun', /not an object/],
      [[{ type: 'ready' }], /not an object/],
      [{}, /no string "type"/],
      [{ type: 'launchMissiles' }, /unknown message type "launchMissiles"/],
      [{ type: 'startRun' }, /"cycles"/],
      [{ type: 'startRun', cycles: 0 }, /"cycles"/],
      [{ type: 'startRun', cycles: 2.5 }, /"cycles"/],
      [{ type: 'startRun', cycles: 1000 }, /"cycles"/],
      [{ type: 'startRun', cycles: '3' }, /"cycles"/],
      [{ type: 'pause', now: true }, /unexpected field "now"/],
      [{ type: 'openStory' }, /"storyKey" must be a string/],
      [{ type: 'openStory', storyKey: '' }, /"storyKey" must be 1\.\./],
      [{ type: 'openStory', storyKey: 'a\nb' }, /control characters/],
      [{ type: 'openLog', path: 'x'.repeat(5000) }, /"path"/],
      [{ type: 'requestBatchStories', batchId: -1 }, /"batchId"/],
      [{ type: 'requestSnapshot', lastRev: 'x' }, /"lastRev"/],
      [{ type: 'copyText', text: 5 }, /"text"/],
    ];
    for (const [m, reason] of bad) {
      const r = validateWebviewMessage(m);
      assert.equal(r.ok, false, JSON.stringify(m));
      if (!r.ok) assert.match(r.reason, reason);
    }
  });

  it('rejects objects that are not plain JSON objects', () => {
    class Sneaky {
      type = 'ready';
    }
    assert.equal(validateWebviewMessage(new Sneaky()).ok, false);
  });
});
