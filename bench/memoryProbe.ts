// B7's child process (bundled by bench/memoryGrowth.ts next to a bundled store-worker.js and sql-wasm.wasm,
// as the extension ships them): one fresh extension-host-like process opens a real SprintSession, runs 50+
// commands with sim-claude, appends 100,000 progress events, and prints its memory growth as one JSON line.
//
// usage: node --expose-gc memory-probe.js <sim-claude.js> <repoRoot>

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SprintEvent } from '../src/core/SprintEvents';
import { SprintSession } from '../src/session/SprintSession';
import { collectGarbage } from './BenchStats';
import { progressEvent } from './eventIngest';

export const EVENTS = 100_000;
export const COMMANDS = 50;
export const STORIES = 14;
export const PER_TURN = 50;
const MB = 1024 * 1024;

export interface MemoryRun {
  /** Main thread heapUsed + external + arrayBuffers after − before, plus the database thread's heap + buffers. */
  growthMb: number;
  mainMb: number;
  workerMb: number;
  /** The extension host's RSS growth: this process only. */
  rssMb: number;
  /** RSS of the database's own process at the end (not the extension host's, but the user's memory too). */
  databaseProcessRssMb: number;
  /** RSS stages: opening the session (worker thread, wasm, lock, git), the commands, the 100,000 events. */
  rssOpenMb: number;
  rssCommandsMb: number;
  rssEventsMb: number;
  /** After session.dispose(): what stays on the main thread. */
  afterDisposeMb: number;
  databaseMb: number;
  commands: number;
  events: number;
}

function mainBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

function rssOfProcess(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`B7: no VmRSS for the database process ${pid}`);
  return Number(kb) * 1024;
}

async function settle(): Promise<void> {
  // Let finalizers and worker messages run between collections.
  for (let i = 0; i < 3; i++) {
    collectGarbage();
    await nextTurn();
  }
}

/** A ledger with enough stories for `COMMANDS` agent invocations in `all` mode (sim-claude answers in ~ms). */
function stories(n: number): Record<string, string> {
  const s: Record<string, string> = {};
  for (let i = 1; i <= n; i++) s[`1-${i}-story-number-${i}`] = 'backlog';
  return s;
}

/** A git repository with a BMAD ledger, as sim-claude's batch commit expects. */
function makeWorkspace(): { root: string; stateDir: string; scenario: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'bench-memory-'));
  const artifacts = path.join(root, '_bmad-output', 'implementation-artifacts');
  mkdirSync(artifacts, { recursive: true });
  const lines = ['development_status:', '  epic-1: in-progress'];
  for (const [k, v] of Object.entries(stories(STORIES))) lines.push(`  ${k}: ${v}   # keep this comment`);
  writeFileSync(path.join(artifacts, 'sprint-status.yaml'), `${lines.join('\n')}\n`);
  execFileSync('git', ['init', '-q'], { cwd: root });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: root });
  const scenario = path.join(root, 'scenario.json');
  writeFileSync(scenario, JSON.stringify({ delayMs: 1 }));
  return { root, stateDir: path.join(root, '.state'), scenario };
}

async function measureOnce(sim: string, repo: string): Promise<MemoryRun> {
  const ws = makeWorkspace();
  await settle();
  const before = mainBytes();
  const rssBefore = process.memoryUsage.rss();

  const session = await SprintSession.open({
    workspaceRoot: ws.root,
    stateDir: ws.stateDir,
    claude: { command: sim, args: [] },
    extensionRoot: repo,
    // As the extension opens it (src/vscode/openSprintSession.ts): the database in its own process.
    database: { where: 'process', priority: 'low' },
    agent: {
      progressHelperPath: path.join(repo, 'media', 'sprint-log.sh'),
      env: { IS_SANDBOX: '1', SIM_CLAUDE_SCENARIO: ws.scenario, SIM_CLAUDE_STATE_DIR: path.join(ws.stateDir, 'sim') },
    },
  });
  await settle();
  const rssOpen = process.memoryUsage.rss();
  let commands = 0;
  let lastStep: { batchId: number; stepKey: string } | undefined;
  let received = 0;
  // The extension's listener sees every event (output channel, notifications, webhook); counting stands in.
  session.onDidEmit((e: SprintEvent) => {
    received++;
    if (e.type === 'command:end') commands++;
    if (e.type === 'command:start' && e.batchId !== undefined) lastStep = { batchId: e.batchId, stepKey: e.stepKey };
  });
  let measured: MemoryRun;
  try {
    while (commands < COMMANDS) {
      const result = await session.run({ cycles: 'all' });
      if (result.status !== 'completed') throw new Error(`B7: the sprint ended ${result.status} (${result.reason ?? ''})`);
      if (commands < COMMANDS && result.sprintComplete) throw new Error(`B7: the sprint finished after ${commands} commands; need ${COMMANDS}`);
    }
    if (!lastStep) throw new Error('B7: no command started');
    await settle();
    const rssCommands = process.memoryUsage.rss();
    for (let i = 0; i < EVENTS; i += PER_TURN) {
      for (let j = i; j < i + PER_TURN; j++) session.store.appendEvent(progressEvent(j, lastStep.batchId, lastStep.stepKey));
      await nextTurn();
    }
    const stored = await session.store.listEvents({ batchId: lastStep.batchId, afterId: 0, limit: 1 });
    if (stored.length === 0) throw new Error('B7: no event stored');
    const diagnostics = await (session.store as unknown as { diagnostics(): Promise<{ databaseBytes: number; events: number; heapUsedBytes: number; arrayBufferBytes: number }> }).diagnostics();
    await settle();
    const worker = await (session.store as unknown as { diagnostics(): Promise<{ heapUsedBytes: number; arrayBufferBytes: number }> }).diagnostics();
    const databasePid = (session.store as unknown as { backend: { pid?: number } }).backend.pid;
    if (databasePid === undefined) throw new Error('B7: the database is not in its own process');
    const main = mainBytes() - before;
    const workerBytes = worker.heapUsedBytes + worker.arrayBufferBytes;
    measured = {
      growthMb: (main + workerBytes) / MB,
      mainMb: main / MB,
      workerMb: workerBytes / MB,
      rssMb: (process.memoryUsage.rss() - rssBefore) / MB,
      databaseProcessRssMb: rssOfProcess(databasePid) / MB,
      rssOpenMb: (rssOpen - rssBefore) / MB,
      rssCommandsMb: (rssCommands - rssOpen) / MB,
      rssEventsMb: (process.memoryUsage.rss() - rssCommands) / MB,
      afterDisposeMb: Number.NaN,
      databaseMb: diagnostics.databaseBytes / MB,
      commands,
      events: diagnostics.events,
    };
  } finally {
    await session.dispose();
  }
  await settle();
  measured.afterDisposeMb = (mainBytes() - before) / MB;
  rmSync(ws.root, { recursive: true, force: true });
  if (received === 0) throw new Error('B7: the listener saw no event');
  return measured;
}

async function main(): Promise<void> {
  const [sim, repo] = process.argv.slice(2);
  const run = await measureOnce(sim, repo);
  process.stdout.write(`${JSON.stringify(run)}\n`);
  process.exit(0);
}

if (require.main === module) {
  void main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}


