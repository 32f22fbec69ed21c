// The soak: 20 CLI runs of a multi-cycle sprint (3 stories, `run --cycles all`) whose agents leave
// background jobs at every invocation (backgroundJobClaude.mjs), each stopped by one of Ctrl+C (SIGINT),
// SIGTERM, `sprint-runner stop`, the idle timeout, the step timeout or kill -9, at a moment drawn from a
// seeded generator. For every run:
// - the exit code tells the truth: 0 only with a printed `batch:end` of a completed batch, otherwise the
//   code of the batch's end state (3 stopped/paused, 1 failed) or non-zero when no end was printed;
// - nothing of ours survives (processes carrying the workspace's marker, checked in /proc) once the run —
//   or, after kill -9, the next start that reaps what it left — has exited;
// - nothing not ours is signalled: a stranger sentinel (its own session, started in the workspace by the
//   test) is alive at the end;
// - `resume` (or `run` when the batch never got recorded) ends with the same ledger as an uninterrupted run.
// `npm run test:soak` (SOAK_SEED replays a draw). Not part of `npm test`. The figures go to
// test-results/faults.json → docs/reliability.md (npm run reliability).

import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { FaultRecorder } from './faults/support/FaultRecorder';
import { CLI, eventsOfType, FaultWorkspace, processesWithMarker, waitNoLeftovers, type CliRun, type Scenario } from './faults/support/FaultWorkspace';
import { KILL_SCENARIO, KILL_STORIES } from './faults/support/KillDrill';

const rec = new FaultRecorder('Soak: 20 stopped runs', 'soak');
const SEED = Number(process.env.SOAK_SEED ?? 20261204);
const RUNS = Number(process.env.SOAK_RUNS ?? 20);
const CLAUDE = path.resolve(__dirname, './faults/support/backgroundJobClaude.mjs');
const METHODS = ['SIGINT', 'SIGTERM', 'stop', 'idle-timeout', 'step-timeout', 'kill -9'] as const;
type Method = (typeof METHODS)[number];
const HANG_COMMANDS = ['story-review', 'dev-story', 'code-review'];

/** mulberry32: small and deterministic, so a failing draw can be replayed with its seed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Draw {
  method: Method;
  /** Signals: when, as a fraction of the uninterrupted run. Timeouts: which step hangs. */
  fraction: number;
  hang: { command: string; story: string };
}

function draws(): Draw[] {
  const random = generator(SEED);
  // Each method equally often, in a shuffled order.
  const methods = Array.from({ length: RUNS }, (_, i) => METHODS[i % METHODS.length]);
  for (let i = methods.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [methods[i], methods[j]] = [methods[j], methods[i]];
  }
  const stories = Object.keys(KILL_STORIES).map((k) => k.split('-').slice(0, 2).join('-'));
  return methods.map((method) => ({
    method,
    fraction: 0.05 + random() * 0.85,
    hang: { command: HANG_COMMANDS[Math.floor(random() * HANG_COMMANDS.length)], story: stories[Math.floor(random() * stories.length)] },
  }));
}

function exitCodeFor(status: string): number {
  return status === 'completed' ? 0 : status === 'stopped' || status === 'paused' ? 3 : 1;
}

/** Checks the exit code against what the run printed; returns the batch's state in words. */
function assertTruthful(r: CliRun, method: Method): string {
  const ends = eventsOfType(r.events, 'batch:end');
  if (method === 'kill -9') {
    assert.notEqual(r.code, 0, 'a killed run never reports success');
    return ends.length > 0 ? `finished (${ends[0].status}) before the kill` : 'killed mid-batch';
  }
  if (ends.length === 0) {
    assert.notEqual(r.code, 0, `exit 0 without a batch end: ${r.stderr.slice(-400)}`);
    return 'no batch end printed';
  }
  assert.equal(r.code, exitCodeFor(ends[0].status), `exit ${r.code} but batch ${ends[0].status}: ${r.stderr.slice(-400)}`);
  return `batch ${ends[0].status}`;
}

function startStranger(cwd: string): string {
  const marker = `SR_SOAK_STRANGER=${randomUUID()}`;
  const [k, v] = marker.split('=');
  spawn('setsid', ['sleep', '900'], { cwd, stdio: 'ignore', env: { ...process.env, [k]: v } }).unref();
  return marker;
}

interface Outcome {
  method: Method;
  code: number | null;
  signal: string | null;
  state: string;
  resumed: string;
  ms: number;
}

describe(`soak: ${RUNS} runs stopped by a random one of ${METHODS.join(', ')} (seed ${SEED})`, function () {
  this.timeout(240_000);
  const outcomes: Outcome[] = [];
  let reference: { ledger: string; durationMs: number };
  const t0 = Date.now();

  before(async function () {
    this.timeout(120_000);
    const ws = await FaultWorkspace.create({ stories: KILL_STORIES, scenario: KILL_SCENARIO });
    try {
      const r = await ws.run(['run', '--cycles', 'all'], { claude: CLAUDE });
      assert.equal(r.code, 0, `the uninterrupted run failed: ${r.stderr.slice(-600)}`);
      reference = { ledger: ws.ledgerText(), durationMs: r.durationMs };
      assert.deepEqual(await waitNoLeftovers(ws), []);
    } finally {
      await ws.dispose();
    }
  });

  draws().forEach((d, i) => {
    const timeout = d.method === 'idle-timeout' || d.method === 'step-timeout';
    rec.case({
      id: `soak-${String(i + 1).padStart(2, '0')}`,
      title: timeout
        ? `${d.method}: ${d.hang.command} of ${d.hang.story} hangs once on \`sleep 437 &\` (seed ${SEED}, run ${i + 1})`
        : `${d.method} at ${(d.fraction * 100).toFixed(0)}% of the uninterrupted run (seed ${SEED}, run ${i + 1})`,
      expected: 'exit code tells the batch state (0 only when it completed); nothing of ours left; the stranger sentinel alive; resume → the same ledger as an uninterrupted run',
      run: async () => {
        const scenario: Scenario = timeout
          ? { ...KILL_SCENARIO, rules: [{ command: d.hang.command, story: d.hang.story, fail: 'hang', sleepSeconds: 437, times: 1 }, ...(KILL_SCENARIO.rules ?? [])] }
          : KILL_SCENARIO;
        const ws = await FaultWorkspace.create({ stories: KILL_STORIES, scenario });
        const stranger = startStranger(ws.root);
        const started = Date.now();
        try {
          const args = ['run', '--cycles', 'all', ...(d.method === 'idle-timeout' ? ['--idle-timeout', '2'] : d.method === 'step-timeout' ? ['--step-timeout', '8'] : [])];
          const run = ws.start(args, { claude: CLAUDE });
          if (!timeout) {
            await new Promise((r) => setTimeout(r, Math.round(reference.durationMs * d.fraction)));
            if (d.method === 'stop') spawnSync(process.execPath, [CLI, 'stop', '--workspace', ws.root], { env: ws.env(), encoding: 'utf8' });
            else run.child.kill(d.method === 'kill -9' ? 'SIGKILL' : (d.method as NodeJS.Signals));
          }
          const first = await run.done;
          const state = assertTruthful(first, d.method);
          if (d.method !== 'kill -9') {
            const left = await waitNoLeftovers(ws);
            assert.deepEqual(left.map((p) => p.cmdline), [], 'nothing of the run is left once it exited');
          }

          let resumed = 'nothing to resume (completed)';
          const completed = first.code === 0;
          if (!completed) {
            let second = await ws.run(['resume'], { claude: CLAUDE });
            resumed = `resume → exit ${second.code}`;
            if (second.code === 2 && /Nothing to resume/i.test(second.stderr)) {
              second = await ws.run(['run', '--cycles', 'all'], { claude: CLAUDE });
              resumed = `run (no batch recorded) → exit ${second.code}`;
            }
            assert.equal(second.code, 0, `${resumed}: ${second.stderr.slice(-600)}`);
            assertTruthful(second, 'SIGINT');
          }
          assert.equal(ws.ledgerText(), reference.ledger, 'the final ledger equals the uninterrupted run');
          const left = await waitNoLeftovers(ws);
          assert.deepEqual(left.map((p) => p.cmdline), [], 'nothing of ours is left at the end');
          assert.equal(processesWithMarker(stranger).length, 1, 'the stranger sentinel is alive');
          const o: Outcome = { method: d.method, code: first.code, signal: first.signal, state, resumed, ms: Date.now() - started };
          outcomes.push(o);
          return `exit ${first.code ?? first.signal}; ${state}; ${resumed}; same ledger; nothing left; stranger alive`;
        } finally {
          for (const p of processesWithMarker(stranger)) process.kill(p.pid, 'SIGKILL');
          await ws.dispose();
        }
      },
    });
  });

  rec.case({
    id: 'soak-summary',
    title: `figures of the ${RUNS} soak runs (seed ${SEED})`,
    expected: 'every run above passed',
    run: async () => {
      const count = <T extends string>(xs: T[]) => Object.entries(xs.reduce<Record<string, number>>((m, x) => ({ ...m, [x]: (m[x] ?? 0) + 1 }), {})).map(([k, n]) => `${k} ×${n}`).join(', ');
      const figures =
        `${outcomes.length}/${RUNS} runs passed in ${((Date.now() - t0) / 1000).toFixed(0)} s (uninterrupted run ${(reference.durationMs / 1000).toFixed(1)} s); ` +
        `stopped by: ${count(outcomes.map((o) => o.method))}; ` +
        `exit codes: ${count(outcomes.map((o) => (o.code === null ? `killed (${o.signal})` : String(o.code))))}; ` +
        `states: ${count(outcomes.map((o) => o.state))}; longest run + resume ${(Math.max(...outcomes.map((o) => o.ms)) / 1000).toFixed(1)} s`;
      console.log(`\n  SOAK: ${figures}\n`);
      assert.equal(outcomes.length, RUNS, figures);
      return figures;
    },
  });
});

