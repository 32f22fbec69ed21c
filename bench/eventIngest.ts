// B3: 100,000 progress events into the run store (sql.js in its worker, NDJSON journal, checkpoints)
// while a batch is active: events/s, the main thread's max event-loop delay throughout, and the cost per
// event in the first 10k block vs the last one (it must not grow with the database). Baseline: a bare
// sql.js prepared INSERT of the same rows, same table and indexes, one transaction, on this thread.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as nextTick } from 'node:timers/promises';
import type { SprintEvent } from '../src/core/SprintEvents';
import { SqlJsRunStore } from '../src/infra/store/SqlJsRunStore';
import { loadSqlJs } from '../src/infra/store/sqlJsLoader';
import { reportOf, type BenchmarkReport } from './BenchReport';
import { collectGarbage, distribution } from './BenchStats';

const EVENTS = 100_000;
const BLOCK = 10_000;
/** Events per arrival: a chunk of a child's stdout typically carries a handful of progress lines. */
const PER_TICK = 50;

export function progressEvent(i: number, batchId: number, stepKey: string): SprintEvent {
  return {
    type: 'command:progress',
    at: 1_760_000_000_000 + i,
    batchId,
    stepKey,
    command: 'dev-story',
    storyKeys: ['2a-1-session-scanner-and-database-sync'],
    row: {
      timestamp: 1_760_000_000 + Math.floor(i / 10),
      epicId: '2a',
      storyId: '2a-1',
      command: 'dev-story',
      taskId: i % 2 === 0 ? 'implement' : 'tests',
      status: i % 2 === 0 ? 'start' : 'end',
      message: `task ${i}: implemented the session scanner step and its unit tests`,
    },
  };
}

interface IngestRun {
  eventsPerSecond: number;
  maxDelayMs: number;
  firstBlockUsPerEvent: number;
  lastBlockUsPerEvent: number;
  checkpoints: number;
  stored: number;
}

async function ingestOnce(thread: 'worker' | 'process'): Promise<IngestRun> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'bench-ingest-'));
  // The progress-line cap (20,000 by default) is off: the database must really grow to 100,000 events for
  // the 10k-vs-100k comparison to mean anything. With the default, checkpoints stay at the capped size.
  const store = await SqlJsRunStore.open({
    stateDir,
    maxProgressEvents: Number.POSITIVE_INFINITY,
    thread,
    onWarning: (m) => process.stderr.write(`store warning: ${m}\n`),
  });
  try {
    const batch = await store.createBatch({ runId: 'bench', startedAt: Date.now(), options: { batchMode: 'all', maxCycles: null } });
    const stepKey = 'c1/dev-story/2a-1-session-scanner-and-database-sync/a1';
    await store.startCommand({
      batchId: batch.id,
      stepKey,
      cycle: 1,
      command: 'dev-story',
      attempt: 1,
      storyKeys: ['2a-1-session-scanner-and-database-sync'],
      epicId: '2a',
      startedAt: Date.now(),
    });
    collectGarbage();
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const blockMs: number[] = [];
    let checkpoints = 0;
    const t0 = performance.now();
    for (let block = 0; block < EVENTS / BLOCK; block++) {
      const b0 = performance.now();
      for (let i = block * BLOCK; i < (block + 1) * BLOCK; i += PER_TICK) {
        for (let j = i; j < i + PER_TICK; j++) store.appendEvent(progressEvent(j, batch.id, stepKey));
        await nextTick();
      }
      // The run is active: a step finishes per block, and its result is durable (a checkpoint of the whole store).
      await store.markStepStarted(batch.id, `c1/step-${block}`, Date.now());
      await store.saveStepResult(batch.id, `c1/step-${block}`, { kind: 'bench', block }, Date.now());
      checkpoints++;
      blockMs.push(performance.now() - b0);
    }
    // Ingested = in the database: the query is answered after every op before it was applied.
    const stored = (await store.listEvents({ batchId: batch.id, afterId: EVENTS - 10, limit: 100 })).length;
    const totalMs = performance.now() - t0;
    h.disable();
    return {
      eventsPerSecond: EVENTS / (totalMs / 1000),
      maxDelayMs: h.max / 1e6,
      firstBlockUsPerEvent: (blockMs[0] * 1000) / BLOCK,
      lastBlockUsPerEvent: (blockMs[blockMs.length - 1] * 1000) / BLOCK,
      checkpoints,
      stored,
    };
  } finally {
    await store.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * The machine's own event-loop noise in the same run: the same 2,000 turns of 50 events each, built and
 * serialised as the store would (JSON.stringify), but not stored. What the loop shows here is scheduling
 * and garbage collection, not the store.
 */
async function bareLoopMaxDelayMs(): Promise<number> {
  collectGarbage();
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  let bytes = 0;
  for (let i = 0; i < EVENTS; i += PER_TICK) {
    for (let j = i; j < i + PER_TICK; j++) bytes += JSON.stringify(progressEvent(j, 1, 'c1/dev-story/x/a1')).length;
    await nextTick();
  }
  h.disable();
  if (bytes === 0) throw new Error('B3: nothing serialised');
  return h.max / 1e6;
}

async function bareInsertEventsPerSecond(): Promise<number> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.run(`CREATE TABLE events (id INTEGER PRIMARY KEY, batch_id INTEGER, story_id INTEGER, command_id INTEGER,
    timestamp INTEGER NOT NULL, epic_id TEXT, story_key TEXT, command TEXT, task_id TEXT, status TEXT, message TEXT,
    type TEXT NOT NULL, step_key TEXT, payload_json TEXT NOT NULL);
    CREATE INDEX idx_events_batch ON events(batch_id, id); CREATE INDEX idx_events_story ON events(story_key, id);`);
  const stmt = db.prepare('INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)');
  const t0 = performance.now();
  db.run('BEGIN');
  for (let i = 0; i < EVENTS; i++) {
    const e = progressEvent(i, 1, 'c1/dev-story/x/a1');
    if (e.type !== 'command:progress') continue;
    stmt.run([i + 1, 1, null, 1, e.at, e.row.epicId, e.storyKeys[0], e.row.command, e.row.taskId, e.row.status, e.row.message, e.type, e.stepKey ?? null, JSON.stringify(e)]);
  }
  db.run('COMMIT');
  const ms = performance.now() - t0;
  stmt.free();
  db.close();
  return EVENTS / (ms / 1000);
}

export async function benchEventIngest(reps = 3): Promise<BenchmarkReport> {
  const runs: Record<'worker' | 'process', IngestRun[]> = { worker: [], process: [] };
  const bare: number[] = [];
  const bareDelay: number[] = [];
  for (let i = 0; i < reps; i++) {
    bare.push(await bareInsertEventsPerSecond());
    bareDelay.push(await bareLoopMaxDelayMs());
    runs.process.push(await ingestOnce('process'));
    runs.worker.push(await ingestOnce('worker'));
  }
  const bad = [...runs.worker, ...runs.process].find((r) => r.stored !== 10);
  if (bad) throw new Error(`B3: expected the last 10 events in the database, found ${bad.stored}`);
  const bareD = distribution(bare);
  const bareDelayD = distribution(bareDelay);
  const metricsOf = (where: 'worker' | 'process', label: string) => {
    const rs = runs[where];
    const eps = distribution(rs.map((r) => r.eventsPerSecond));
    const delay = distribution(rs.map((r) => r.maxDelayMs));
    return [
      {
        name: `events/s (${label})`,
        unit: 'ev/s',
        value: eps,
        baseline: bareD,
        baselineName: 'bare sql.js INSERT',
        ratio: eps.median / bareD.median,
        ratioMeaning: 'store throughput / bare in-process insert throughput',
        target: '≥ 20,000 ev/s',
        pass: eps.median >= 20_000,
      },
      {
        name: `max event-loop delay (${label})`,
        unit: 'ms',
        value: delay,
        baseline: bareDelayD,
        baselineName: 'same loop, events built but not stored',
        ratio: delay.median / bareDelayD.median,
        ratioMeaning: "store / bare loop (max delay; the machine's own noise is the bare loop)",
        target: '≤ 50 ms',
        pass: delay.max <= 50,
      },
      { name: `cost/event, events 0–10k (${label})`, unit: 'µs', value: distribution(rs.map((r) => r.firstBlockUsPerEvent)) },
      { name: `cost/event, events 90–100k (${label})`, unit: 'µs', value: distribution(rs.map((r) => r.lastBlockUsPerEvent)) },
      {
        name: `cost growth 100k vs 10k (${label})`,
        unit: '×',
        value: distribution(rs.map((r) => r.lastBlockUsPerEvent / r.firstBlockUsPerEvent)),
        target: '≤ 2× (flat)',
        pass: distribution(rs.map((r) => r.lastBlockUsPerEvent / r.firstBlockUsPerEvent)).median <= 2,
      },
    ];
  };
  return reportOf(
    'B3',
    'ingest of 100,000 progress events while a run is active',
    [...metricsOf('process', 'database process, as the extension'), ...metricsOf('worker', 'worker thread, as the CLI')],
    [
      `SqlJsRunStore with a state folder (NDJSON journal; the database in its own process as the extension opens it, and in a worker thread as the CLI does), progress cap off so the database grows to 100,000 events. ${PER_TICK} events per event-loop turn; after each 10k block a step result is saved (synced journal line + a background checkpoint: full export + atomic file replace), ${runs.process[0].checkpoints} per run. The time ends when a query, ordered after every op, has been answered: the events are in the database.`,
      "Max event-loop delay is the main thread's, over the whole ingest (monitorEventLoopDelay, 10 ms resolution); its pass uses the worst run, not the median.",
      "Per-event cost per block includes that block's step result; its checkpoint competes for the CPU during the next block, so a checkpoint whose cost grew with the database would show as growth.",
    ],
  );
}
