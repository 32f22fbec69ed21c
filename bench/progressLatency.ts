// B5: latency from a progress line printed by a real child process to the engine's event. The child
// (bench/progressChild.mjs) speaks stream-json and stamps each CSV progress line with the wall-clock
// instant it printed it; ClaudeAgent spawns it, reads and parses its stdout and reports `progress`
// activity, and the callback does what SprintRunner.forwardActivity does (store.appendEvent + an
// Emitter.fire) before the receive instant is taken. Baseline: the same child read with a bare
// child_process.spawn + split + JSON.parse, in the same run.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Emitter } from '../src/core/Emitter';
import type { SprintEvent } from '../src/core/SprintEvents';
import { ClaudeAgent } from '../src/infra/claude/ClaudeAgent';
import { SqlJsRunStore } from '../src/infra/store/SqlJsRunStore';
import { reportOf, type BenchmarkReport } from './BenchReport';
import { distribution, quantile } from './BenchStats';

const CHILD = path.join(__dirname, 'progressChild.mjs');
const LINES = 300;
const childEnv = { PROGRESS_CHILD_LINES: String(LINES), PROGRESS_CHILD_INTERVAL_MS: '5' };

const now = () => performance.timeOrigin + performance.now();

function printedAt(message: string): number {
  const m = /printedAt=([\d.]+)/.exec(message);
  if (!m) throw new Error(`B5: progress message without a timestamp: ${message}`);
  return Number(m[1]);
}

async function throughAgent(dir: string, store: SqlJsRunStore): Promise<number[]> {
  const agent = new ClaudeAgent({ command: process.execPath, commandArgs: [CHILD], logDir: path.join(dir, 'logs'), stateDir: dir, env: childEnv });
  const emitter = new Emitter<SprintEvent>();
  let fired = 0;
  emitter.event(() => fired++);
  const latencies: number[] = [];
  const result = await agent.execute({
    runId: 'bench',
    batchId: 1,
    cycle: 1,
    stepKey: 'c1/dev-story/2a-1/a1',
    command: 'dev-story',
    storyKeys: ['2a-1-bench'],
    epicId: '2a',
    attempt: 1,
    prompt: 'bench',
    cwd: dir,
    env: {},
    signal: new AbortController().signal,
    onActivity: (a) => {
      if (a.kind !== 'progress') return;
      const event: SprintEvent = { type: 'command:progress', at: Date.now(), batchId: 1, stepKey: 'c1/dev-story/2a-1/a1', command: 'dev-story', storyKeys: ['2a-1-bench'], row: a.row };
      store.appendEvent(event);
      emitter.fire(event);
      latencies.push(now() - printedAt(a.row.message));
    },
  });
  if (result.outcome !== 'success' || latencies.length !== LINES || fired !== LINES) {
    throw new Error(`B5: agent run ended ${result.outcome} (${result.message ?? ''}) with ${latencies.length}/${LINES} progress events`);
  }
  return latencies;
}

function bare(): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD], { env: { ...process.env, ...childEnv }, stdio: ['pipe', 'pipe', 'inherit'] });
    const latencies: number[] = [];
    let rest = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        const o = JSON.parse(line) as { type: string; message?: { content: { content: string }[] } };
        if (o.type === 'user') latencies.push(now() - printedAt(o.message!.content[0].content));
      }
    });
    child.on('error', reject);
    child.on('close', () => resolve(latencies));
    child.stdin.end('bench');
  });
}

export async function benchProgressLatency(reps = 5): Promise<BenchmarkReport> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-latency-'));
  const store = await SqlJsRunStore.open({ stateDir: path.join(dir, 'state') });
  try {
    const oursP99: number[] = [];
    const oursP50: number[] = [];
    const bareP99: number[] = [];
    const all: number[] = [];
    await throughAgent(dir, store); // warm-up: spawn path, JIT
    for (let i = 0; i < reps; i++) {
      const b = await bare();
      const o = await throughAgent(dir, store);
      bareP99.push(quantile(b, 0.99));
      oursP99.push(quantile(o, 0.99));
      oursP50.push(quantile(o, 0.5));
      all.push(...o);
    }
    const p99 = distribution(oursP99);
    const bp99 = distribution(bareP99);
    return reportOf(
      'B5',
      'latency from a printed progress line to the engine event',
      [
        {
          name: 'p99 latency',
          unit: 'ms',
          value: p99,
          baseline: bp99,
          baselineName: 'bare spawn+split+JSON.parse',
          ratio: p99.median / bp99.median,
          ratioMeaning: 'our p99 / bare p99 (lower is better)',
          target: '< 20 ms',
          pass: p99.median < 20,
        },
        { name: 'p50 latency', unit: 'ms', value: distribution(oursP50) },
        { name: 'max latency (all runs)', unit: 'ms', value: distribution([Math.max(...all)]) },
      ],
      [
        `${reps} runs × ${LINES} progress lines, one every 5 ms, from a real node child through ClaudeAgent (ClaudeProcess/execa, StreamLineReader, ClaudeStreamParser, extractProgressRows), then store.appendEvent on a real SqlJsRunStore and an Emitter.fire, as SprintRunner.forwardActivity does.`,
        'Latency = receive instant − the instant the child stamped in the line (both performance.timeOrigin + now(), the same wall clock). The p99 per run is summarised over runs.',
      ],
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
