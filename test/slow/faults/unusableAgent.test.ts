// An agent command that is not a working Claude CLI — it crashes on every call before starting a session
// (exit 127, nothing printed; or some other program's output) — is a configuration error: the run exits 2
// saying so, and the user's ledger is left exactly as it was (no story marked blocked for it). Before, three
// failed invocations blocked the first story, then the next, and the run ended "completed" with exit 0.

import { strict as assert } from 'node:assert';
import { chmodSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { FaultRecorder } from './support/FaultRecorder';
import { eventsOfType, FaultWorkspace, waitNoLeftovers } from './support/FaultWorkspace';

const FINDING = 'An agent command that crashed on every call marked stories blocked in the ledger, and the run ended completed with exit 0';
const rec = new FaultRecorder('Agent faults');
const workspaces: FaultWorkspace[] = [];
afterEach(async () => {
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

const BROKEN_AGENTS = {
  'exit-127': { title: 'exits 127 at once, printing nothing (a wrapper whose program is missing)', script: '#!/bin/sh\nexit 127\n' },
  'wrong-program': { title: 'prints something that is no stream-json and exits 1 (the wrong program)', script: '#!/bin/sh\necho "usage: something-else [options]"\nexit 1\n' },
} as const;

describe('fault injection: an agent command that is not usable', function () {
  this.timeout(60_000);

  for (const [id, agent] of Object.entries(BROKEN_AGENTS)) {
    rec.case({
      id: `agent-unusable-${id}`,
      title: `the agent command ${agent.title}, on every call`,
      finding: FINDING,
      expected: 'exit 2 naming the command and the fix after the first 2 invocations; the ledger is byte-for-byte unchanged; no story blocked; nothing left',
      run: async () => {
        const ws = await FaultWorkspace.create();
        workspaces.push(ws);
        const claude = path.join(path.dirname(ws.root), `broken-claude-${id}.sh`);
        writeFileSync(claude, agent.script);
        chmodSync(claude, 0o755);
        const before = ws.ledgerFingerprint();
        const r = await ws.run(['run', '--cycles', '1'], { claude });
        assert.equal(r.code, 2, `exit ${r.code}; stderr: ${r.stderr.slice(-600)}`);
        assert.match(r.stderr, /agent command is not usable/);
        assert.ok(r.stderr.includes(claude), 'the message names the command');
        assert.deepEqual(ws.ledgerFingerprint().bytes.toString(), before.bytes.toString(), 'the ledger is unchanged');
        const starts = eventsOfType(r.events, 'command:start').length;
        assert.equal(starts, 2, 'it gave up after two invocations');
        assert.deepEqual(eventsOfType(r.events, 'story:status').filter((e) => e.to === 'blocked'), [], 'no story was blocked');
        assert.deepEqual(await waitNoLeftovers(ws), []);
        const line = r.stderr.split('\n').find((l) => l.includes('not usable')) ?? '';
        return `exit 2 after ${starts} invocations; ledger unchanged; "${line.slice(0, 160)}…"`;
      },
    });
  }
});
