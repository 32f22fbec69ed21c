// B2: engine overhead per step for a 50-story sprint in `all` mode with an agent that answers at once
// (the scripted BMAD agent of the engine tests: it writes the story files and moves ledger statuses like
// the real workflows, and that time is counted as agent time). Measured with the real SqlJsRunStore, its
// database in a worker thread (the CLI) and in its own process (the extension) (state
// folder, worker thread, synced journal line per step result and a background checkpoint) and, as the baseline in the same run, with the same
// store kept in memory (no state folder), so the ratio is the price of durability.

import * as path from 'node:path';
import { AgentRegistry, type Agent } from '../src/core/agent/AgentContract';
import { SprintRunner } from '../src/core/workflow/SprintRunner';
import { SqlJsRunStore } from '../src/infra/store/SqlJsRunStore';
import { aRunner, aWorkspace } from '../test/support/workflowBuilders';
import { reportOf, type BenchmarkReport } from './BenchReport';
import { collectGarbage, distribution } from './BenchStats';

const STORIES = 50;

function fiftyStories(): Record<string, string> {
  const stories: Record<string, string> = {};
  for (let e = 1; e <= 5; e++) for (let s = 1; s <= STORIES / 5; s++) stories[`${e}-${s}-story-${s}-of-epic-${e}`] = 'backlog';
  return stories;
}

interface Overhead {
  msPerStep: number;
  steps: number;
  agentCalls: number;
  totalMs: number;
  agentMs: number;
}

async function runSprint(durable: false | 'worker' | 'process'): Promise<Overhead> {
  const ws = await aWorkspace({ stories: fiftyStories() });
  // The baseline is the same store without a state folder: sql.js in memory, on this thread, no files.
  const store = await SqlJsRunStore.open(durable ? { stateDir: path.join(ws.root, '.sprint-runner'), thread: durable } : {});
  try {
    const t = aRunner(ws, { store });
    let agentMs = 0;
    let agentCalls = 0;
    const timed: Agent = {
      async execute(req) {
        const t0 = performance.now();
        try {
          return await t.agent.execute(req);
        } finally {
          agentMs += performance.now() - t0;
          agentCalls++;
        }
      },
    };
    const runner = new SprintRunner({ ...t.deps, agents: new AgentRegistry(timed) });
    collectGarbage();
    const t0 = performance.now();
    const result = await runner.run({ cycles: 'all' });
    const totalMs = performance.now() - t0;
    if (!result.sprintComplete || result.storiesDone.length !== STORIES) {
      throw new Error(`B2: the sprint did not complete (${result.status}, ${result.storiesDone.length}/${STORIES} done, ${result.reason ?? ''})`);
    }
    return { msPerStep: (totalMs - agentMs) / result.stepsTotal, steps: result.stepsTotal, agentCalls, totalMs, agentMs };
  } finally {
    await store.close();
    await ws.dispose();
  }
}

export async function benchEngineOverhead(reps = 5): Promise<BenchmarkReport> {
  await runSprint(false); // warm-up
  const durable: Overhead[] = [];
  const inProcess: Overhead[] = [];
  const memory: Overhead[] = [];
  for (let i = 0; i < reps; i++) {
    memory.push(await runSprint(false));
    durable.push(await runSprint('worker'));
    inProcess.push(await runSprint('process'));
  }
  const d = distribution(durable.map((r) => r.msPerStep));
  const p = distribution(inProcess.map((r) => r.msPerStep));
  const m = distribution(memory.map((r) => r.msPerStep));
  const overheadMetric = (where: string, value: typeof d, price: string) => ({
    name: `overhead per step (${where})`,
    unit: 'ms',
    value,
    baseline: m,
    baselineName: 'sql.js in memory, no files',
    ratio: value.median / m.median,
    ratioMeaning: `durable / in-memory (time; the price of the journal, ${price})`,
    target: '< 5 ms',
    pass: value.median < 5,
  });
  return reportOf(
    'B2',
    'engine overhead per step, 50-story sprint in all mode, instant agent',
    [
      overheadMetric('database in a worker thread, as the CLI', d, 'checkpoints'),
      overheadMetric('database in its own process, as the extension', p, 'checkpoints and IPC'),
      { name: 'agent time per call (excluded)', unit: 'ms', value: distribution(durable.map((r) => r.agentMs / r.agentCalls)) },
    ],
    [
      `${STORIES} backlog stories in 5 epics; ${durable[0].steps} journaled steps and ${durable[0].agentCalls} agent calls per run; total ${distribution(durable.map((r) => r.totalMs)).median.toFixed(0)} ms median, of which agent ${distribution(durable.map((r) => r.agentMs)).median.toFixed(0)} ms.`,
      'Overhead = (wall time of runner.run − time inside agent.execute) / journaled steps. It includes ledger reads, selection, prompt rendering, journal writes (a synced line per step result), events, and the checkpoint at the end of the batch; the checkpoints started after each step run in the database thread or process meanwhile.',
    ],
  );
}
