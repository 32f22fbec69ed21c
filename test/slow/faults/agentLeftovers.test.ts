// Agent leftovers through the real CLI (dist/cli.js): a child whose tool leaves background jobs in sessions
// of their own and then exits normally. Every step of the run does it; once sprint-runner has exited,
// nothing of the run may be left (checked in /proc by the workspace's marker variable).

import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { FaultRecorder } from './support/FaultRecorder';
import { eventsOfType, FaultWorkspace, waitNoLeftovers, type CliRun } from './support/FaultWorkspace';

const rec = new FaultRecorder('Agent faults');
const workspaces: FaultWorkspace[] = [];
afterEach(async () => {
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

function summary(r: CliRun): string {
  const end = eventsOfType(r.events, 'batch:end')[0];
  return `exit ${r.code}; ${end ? `batch ${end.status}, done [${end.storiesDone.join(', ')}]` : 'no batch'}`;
}

describe('fault injection: agent leftovers (CLI + a child leaving background jobs)', function () {
  this.timeout(30_000);
  rec.case({
    id: 'agent-background-job',
    title: 'a child whose tool leaves background processes (`setsid sleep 300 &`, `setsid sh -c "sleep 300 &"`) and exits normally',
    expected: 'the run completes; once sprint-runner has exited, no process of the run is left (/proc)',
    run: async () => {
      const ws = await FaultWorkspace.create();
      workspaces.push(ws);
      const r = await ws.run(['run', '--cycles', '1'], { claude: path.join(__dirname, 'support', 'backgroundJobClaude.mjs') });
      assert.equal(r.code, 0, `${summary(r)}; stderr: ${r.stderr.slice(-500)}`);
      const steps = eventsOfType(r.events, 'command:end').length;
      // The wrapper starts its two jobs at every invocation, before handing over to sim-claude.
      assert.ok(steps >= 2, `steps ran (${steps}), each leaving two jobs`);
      // They are SIGKILLed before each step ends; 1 s only covers the kernel finishing a kill.
      const left = await waitNoLeftovers(ws, 1000);
      assert.deepEqual(left.map((p) => p.cmdline), [], `${left.length} processes left behind after sprint-runner exited`);
      return `${summary(r)}; ${steps} steps, each leaving 2 background jobs; none left after exit`;
    },
  });
});
