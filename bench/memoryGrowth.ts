// B7: memory growth of an extension-host-like process after 50 finished commands and 100,000 events,
// through the real SprintSession opened as the extension opens it (SqlJsRunStore with its journal and the
// database in its own child process, ClaudeAgent spawning sim-claude, the engine, the ledger) with a
// listener on onDidEmit as the extension has.
//
// Each run is a fresh process (bench/memoryProbe.ts, bundled with esbuild next to a bundled
// store-worker.js and sql-wasm.wasm, as dist/ ships them: the database process runs the bundle, not the
// TypeScript sources through tsx). The 50 commands are real agent invocations (sim-claude processes
// printing stream-json and progress lines). The 100,000 progress events then go in through
// session.store.appendEvent, 50 per event-loop turn, tagged with the last batch and step: the path
// SprintRunner.forwardActivity takes for each progress line (sim-claude prints a handful per command; a
// real multi-hour run prints tens of thousands).
//
// Measured after `global.gc()` (--expose-gc), against the same process before the session opened: the
// process RSS (the target: every thread, allocator slack included), the main thread's heapUsed +
// external, and the database process's heapUsed + external (wasm memory included) and RSS, reported
// beside it so the memory moved out of the extension host is not hidden.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { buildSim, REPO } from '../test/unit/infra/claude/simHarness';
import { reportOf, type BenchmarkReport } from './BenchReport';
import { distribution } from './BenchStats';
import { COMMANDS, EVENTS, PER_TURN, STORIES, type MemoryRun } from './memoryProbe';

async function bundleProbe(dir: string): Promise<string> {
  const common = { bundle: true, platform: 'node' as const, target: 'node20', format: 'cjs' as const, minify: true, logLevel: 'error' as const };
  await esbuild.build({ ...common, entryPoints: [path.join(REPO, 'bench', 'memoryProbe.ts')], outfile: path.join(dir, 'memory-probe.js') });
  await esbuild.build({ ...common, entryPoints: [path.join(REPO, 'src', 'infra', 'store', 'storeWorker.ts')], outfile: path.join(dir, 'store-worker.js') });
  copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), path.join(dir, 'sql-wasm.wasm'));
  return path.join(dir, 'memory-probe.js');
}

function runProbe(probe: string, sim: string): MemoryRun {
  const res = spawnSync(process.execPath, ['--expose-gc', probe, sim, REPO], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const last = res.stdout.trim().split('\n').pop() ?? '';
  if (res.status !== 0 || !last.startsWith('{')) throw new Error(`B7: the probe failed (exit ${res.status ?? res.signal}):\n${res.stderr}`);
  return JSON.parse(last) as MemoryRun;
}

export async function benchMemoryGrowth(reps = 3): Promise<BenchmarkReport> {
  const sim = await buildSim();
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-memory-build-'));
  const runs: MemoryRun[] = [];
  try {
    const probe = await bundleProbe(dir);
    for (let i = 0; i < reps; i++) runs.push(runProbe(probe, sim));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const growth = distribution(runs.map((r) => r.growthMb));
  const rss = distribution(runs.map((r) => r.rssMb));
  const r0 = runs[0];
  return reportOf(
    'B7',
    'extension-host-like memory growth after 100,000 events and 50 finished commands',
    [
      {
        name: 'extension-host process RSS growth (all threads)',
        unit: 'MB',
        value: rss,
        target: '< 100 MB',
        pass: rss.max < 100,
      },
      { name: 'live: main heap + external, and the database process\'s heap + external (wasm)', unit: 'MB', value: growth, target: '< 100 MB', pass: growth.max < 100 },
      { name: 'main thread alone (heap + external)', unit: 'MB', value: distribution(runs.map((r) => r.mainMb)) },
      { name: 'database process (heap + external, wasm included)', unit: 'MB', value: distribution(runs.map((r) => r.workerMb)) },
      { name: 'database process RSS (its own process, not the host\'s)', unit: 'MB', value: distribution(runs.map((r) => r.databaseProcessRssMb)) },
      { name: 'RSS: opening the session (database process start, git, lock)', unit: 'MB', value: distribution(runs.map((r) => r.rssOpenMb)) },
      { name: 'RSS: the commands', unit: 'MB', value: distribution(runs.map((r) => r.rssCommandsMb)) },
      { name: 'RSS: the 100,000 events', unit: 'MB', value: distribution(runs.map((r) => r.rssEventsMb)) },
      { name: 'left after session.dispose()', unit: 'MB', value: distribution(runs.map((r) => r.afterDisposeMb)) },
      { name: 'database size', unit: 'MB', value: distribution(runs.map((r) => r.databaseMb)) },
    ],
    [
      `Each run a fresh process running bundled code (the probe, store-worker.js and sql-wasm.wasm side by side, as in dist/). Real SprintSession on a ${STORIES}-story workspace with sim-claude: ${r0.commands} finished commands (real child processes), then ${EVENTS.toLocaleString('en')} progress events (target: ${COMMANDS} commands) through session.store.appendEvent (${PER_TURN} per event-loop turn); ${r0.events.toLocaleString('en')} events in the database at the end.`,
      'After global.gc() on the main thread (the database process collects on its own schedule, so its figures are upper bounds). Passes use the worst of the runs.',
    ],
  );
}
