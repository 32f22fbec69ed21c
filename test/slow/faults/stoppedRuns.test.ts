// A CLI run stopped while an agent step waits on a background job (`sleep 437 &`) — by the idle timeout,
// the step timeout, Ctrl+C, SIGTERM or `sprint-runner stop` — ends with the batch's true state: a
// `batch:end` line, an exit code that matches it (0 only for a completed batch), no lock left, and nothing
// of the run still running. Before the fix the CLI quit mid-batch with exit 0: nothing kept its event
// loop alive while it waited for the stopped child's tree.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { LOCK_FILE } from '../../../src/infra/store/StateLock';
import { FaultRecorder } from './support/FaultRecorder';
import { CLI, eventsOfType, FaultWorkspace, waitNoLeftovers, type CliRun, type Scenario } from './support/FaultWorkspace';

const FINDING = 'A CLI run stopped while a step waited on a background job quit mid-batch with exit 0 (nothing kept the event loop alive)';
const rec = new FaultRecorder('Stopped runs');
const workspaces: FaultWorkspace[] = [];
afterEach(async () => {
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

const HANG_ONCE: Scenario = {
  name: 'story-review hangs once on a background job',
  delayMs: [5, 20],
  rules: [
    { command: 'story-review', fail: 'hang', sleepSeconds: 437, times: 1 },
    { command: 'create-story', techSpec: 'SKIP' },
  ],
};

async function workspace(): Promise<FaultWorkspace> {
  const ws = await FaultWorkspace.create({ scenario: HANG_ONCE });
  workspaces.push(ws);
  return ws;
}

function summary(r: CliRun): string {
  const end = eventsOfType(r.events, 'batch:end')[0];
  return `exit ${r.code}; ${end ? `batch ${end.status}${end.reason ? ` (${end.reason.slice(0, 80)})` : ''}` : 'NO batch:end'}`;
}

/** The exit code the CLI documents for the batch's end state. */
function expectedCode(status: string): number {
  return status === 'completed' ? 0 : status === 'paused' || status === 'stopped' ? 3 : 1;
}

async function assertTruthfulEnd(ws: FaultWorkspace, r: CliRun): Promise<string> {
  const ends = eventsOfType(r.events, 'batch:end');
  assert.equal(ends.length, 1, `the run printed its batch end (${summary(r)}); stderr: ${r.stderr.slice(-600)}`);
  assert.equal(r.code, expectedCode(ends[0].status), `the exit code tells the batch's state: ${summary(r)}`);
  assert.ok(!existsSync(path.join(ws.stateDir, LOCK_FILE)), 'no lock left behind');
  const left = await waitNoLeftovers(ws);
  assert.deepEqual(left.map((p) => p.cmdline), [], 'nothing of the run is left running');
  return summary(r);
}

/** Starts the run and resolves once the hanging story-review has started its background job. */
async function startUntilHang(ws: FaultWorkspace, args: string[]): Promise<ReturnType<FaultWorkspace['start']>> {
  const run = ws.start(args);
  const until = Date.now() + 30_000;
  while (!run.stdoutSoFar().includes('sleep 437')) {
    if (Date.now() > until) throw new Error(`the story-review never hung:\n${run.stdoutSoFar().slice(-1500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 300));
  return run;
}

describe('fault injection: a run stopped while a step waits on a background job', function () {
  this.timeout(60_000);

  for (const [flag, seconds] of [
    ['--idle-timeout', '2'],
    ['--step-timeout', '3'],
  ] as const) {
    rec.case({
      id: `stopped-by-${flag.slice(2)}`,
      title: `story-review leaves \`sleep 437 &\` and hangs once; \`run --cycles 1 ${flag} ${seconds}\``,
      finding: FINDING,
      expected: 'the time-out fails that invocation, the retry succeeds and the batch runs to its end: batch:end printed, exit code matching it, no lock, nothing left',
      run: async () => {
        const ws = await workspace();
        const r = await ws.run(['run', '--cycles', '1', flag, seconds]);
        return assertTruthfulEnd(ws, r);
      },
    });
  }

  for (const how of ['SIGINT', 'SIGTERM', 'stop'] as const) {
    rec.case({
      id: `stopped-by-${how.toLowerCase()}`,
      title: `${how === 'stop' ? '`sprint-runner stop`' : how} while story-review waits on \`sleep 437 &\``,
      finding: FINDING,
      expected: 'the batch ends stopped: batch:end printed, exit 3, no lock, nothing left',
      run: async () => {
        const ws = await workspace();
        const run = await startUntilHang(ws, ['run', '--cycles', '1']);
        if (how === 'stop') {
          const s = spawnSync(process.execPath, [CLI, 'stop', '--workspace', ws.root], { env: ws.env(), encoding: 'utf8' });
          assert.equal(s.status, 0, s.stderr);
        } else {
          run.child.kill(how);
        }
        const r = await run.done;
        assert.equal(r.code, 3, summary(r));
        return assertTruthfulEnd(ws, r);
      },
    });
  }
});
