// The 10,000-story ledger case (10–25 s on a loaded 2-core machine): in test:chaos to keep the fast
// fault folder under its two-minute budget.

import { strict as assert } from 'node:assert';
import { FaultRecorder } from '../slow/faults/support/FaultRecorder';
import { FaultWorkspace, ledgerFromStories } from '../slow/faults/support/FaultWorkspace';

const rec = new FaultRecorder('Bad ledgers', 'chaos');
const workspaces: FaultWorkspace[] = [];
afterEach(async () => {
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

async function withLedger(text: string): Promise<FaultWorkspace> {
  const ws = await FaultWorkspace.create({ ledgerText: text });
  workspaces.push(ws);
  return ws;
}

describe('chaos: large ledgers', function () {
  this.timeout(120_000);
  rec.case({
    id: 'ledger-10000-stories',
    title: '10,000 stories (one cycle)',
    expected: 'handled: one cycle works the first pair; the other 9,998 lines are byte-identical',
    timeoutMs: 120_000,
    run: async () => {
      const stories: Record<string, string> = {};
      for (let e = 1; e <= 100; e++) for (let s = 1; s <= 100; s++) stories[`${e}-${s}-story-${s}`] = 'backlog';
      const original = ledgerFromStories(stories);
      const ws = await withLedger(original);
      const r = await ws.run(['run', '--cycles', '1']);
      assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
      const expected = original.replace('1-1-story-1: backlog', '1-1-story-1: done').replace('1-2-story-2: backlog', '1-2-story-2: done');
      assert.equal(ws.ledgerText(), expected);
      return `exit 0 in ${(r.durationMs / 1000).toFixed(1)} s; 1-1 and 1-2 done, 9,998 other lines identical`;
    },
  });

});
