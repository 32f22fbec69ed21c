// The headless front end: the same engine as the extension, driven from a terminal or CI.
// Exit codes: 0 done, 1 run failed, 2 bad input or configuration, 3 stopped or paused.

import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LedgerError } from '../core/ledger/LedgerError';
import type { SprintEvent } from '../core/SprintEvents';
import { NothingToResumeError, type RunResult } from '../core/workflow/SprintRunner';
import { BmadConfigError } from '../core/workspace/BmadConfigError';
import { createLedgerFromTemplate } from '../core/workspace/createLedgerFromTemplate';
import { LedgerNotFoundError } from '../core/workspace/LedgerNotFoundError';
import { LedgerLock } from '../infra/LedgerLock';
import { NodeFileSystem } from '../infra/NodeFileSystem';
import { SprintSession } from '../infra/SprintSession';
import { StateFolderError } from '../infra/StateFolderGuard';
import { requestStop, StateLock, StateLockedError, type StateLockInfo } from '../infra/StateLock';
import { formatEvent } from './formatEvent';
import { parseCliArgs, USAGE, UsageError, type CliCommand, type CommonOptions } from './parseCliArgs';
import { checkStartStory, ledgerProblemLines, UnknownStoryError } from './runPreflight';
import { collectStatus, formatStatus } from './status';

export const EXIT = { ok: 0, failed: 1, usage: 2, stopped: 3 } as const;

/** dist/cli.js → the package root; src/cli/cli.ts (tests through tsx) → the repo root. */
export function packageRoot(): string {
  const up1 = path.resolve(__dirname, '..');
  return existsSync(path.join(up1, 'prompts')) ? up1 : path.resolve(__dirname, '..', '..');
}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

function resolveCommon(c: CommonOptions, io: Io) {
  const workspace = path.resolve(io.cwd, c.workspace ?? '.');
  const stateDir = path.resolve(io.cwd, c.stateDir ?? path.join(workspace, '.sprint-runner'));
  const claude = c.claude ?? io.env.SPRINT_RUNNER_CLAUDE ?? 'claude';
  return { workspace, stateDir, claude, ledger: c.ledger ? path.resolve(io.cwd, c.ledger) : undefined };
}

function exitCodeFor(result: RunResult): number {
  switch (result.status) {
    case 'completed':
      return EXIT.ok;
    case 'paused':
    case 'stopped':
      return EXIT.stopped;
    default:
      return EXIT.failed;
  }
}

async function runOrResume(cmd: Extract<CliCommand, { kind: 'run' | 'resume' }>, io: Io, signals: SignalSource): Promise<number> {
  const o = resolveCommon(cmd.common, io);
  const root = packageRoot();
  if (cmd.kind === 'run' && cmd.init) {
    try {
      const created = await createLedgerFromTemplate(o.workspace, new NodeFileSystem(), {
        templatePath: path.join(root, 'media', 'templates', 'sprint-status-template.yaml'),
        ledgerPath: o.ledger,
      });
      io.err(`Created ${created.path} with ${created.storyCount} stor${created.storyCount === 1 ? 'y' : 'ies'} from BMAD's template.`);
    } catch (err) {
      if ((err as Error).name !== 'LedgerExistsError') throw err;
    }
  }
  const session = await SprintSession.open({
    workspaceRoot: o.workspace,
    stateDir: o.stateDir,
    ledgerOverride: o.ledger,
    claude: { command: o.claude, args: [] },
    extensionRoot: root,
    agent: {
      timeouts: {
        wallMs: cmd.common.stepTimeoutSeconds !== undefined ? cmd.common.stepTimeoutSeconds * 1000 : undefined,
        idleMs: cmd.common.idleTimeoutSeconds !== undefined ? cmd.common.idleTimeoutSeconds * 1000 : undefined,
      },
    },
    onLog: (level, message) => io.err(`${level === 'info' ? '' : `${level}: `}${message}`),
    frontEnd: `sprint-runner ${cmd.kind} (CLI)`,
  });
  try {
    // A ledger that cannot be read, or a --story it does not have, is bad input (exit 2), found before any agent is paid to run.
    const snapshot = await session.ledger.read();
    for (const line of ledgerProblemLines(snapshot)) io.err(line);
    if (cmd.kind === 'run') checkStartStory(snapshot, cmd.story);
  } catch (err) {
    await session.dispose();
    throw err;
  }
  const onEvent = (e: SprintEvent) => {
    if (cmd.common.json) {
      io.out(JSON.stringify(e));
    } else {
      const line = formatEvent(e);
      if (line !== undefined) io.out(line);
    }
  };
  const sub = session.onDidEmit(onEvent);
  let interrupts = 0;
  const offSignals = signals.onSignal((signal) => {
    interrupts++;
    if (interrupts === 1) {
      io.err(`\n${signal}: stopping — children are asked to stop, state is kept (send it again to quit at once).`);
      session.stop(`interrupted by ${signal}`);
    } else {
      io.err(`${signal} again: quitting now; the next start ends any child left behind.`);
      session.closeNow();
      signals.exit(130);
    }
  });
  try {
    const result = cmd.kind === 'run' ? await session.run({ cycles: cmd.cycles, startWith: cmd.story }) : await session.resume();
    if (!cmd.common.json) {
      const cost = result.agentResults.reduce((s, r) => s + (r.usage?.costUsd ?? 0), 0);
      io.out(
        `Batch ${result.batchId}: ${result.status}, ${result.cyclesCompleted} cycle(s), ${result.stepsCompleted} step(s), ` +
          `${result.durationSeconds.toFixed(1)}s, $${cost.toFixed(3)}${result.sprintComplete ? ' — all stories are done or blocked' : ''}`,
      );
      if (result.deferredItems.length) io.out(`Deferred items (${result.deferredItems.length}) were added to deferred-items.md.`);
      if (result.status === 'completed' && !result.sprintComplete) io.out('Ready for the next batch: sprint-runner run --cycles N|all');
      if (result.status === 'paused' || result.status === 'stopped') io.out('Continue with: sprint-runner resume');
    }
    if (result.reason && result.status === 'failed') io.err(`Run failed: ${result.reason}`);
    return exitCodeFor(result);
  } finally {
    offSignals();
    sub.dispose();
    await session.dispose();
  }
}

async function status(cmd: Extract<CliCommand, { kind: 'status' }>, io: Io): Promise<number> {
  const o = resolveCommon(cmd.common, io);
  const stateProblems: string[] = [];
  const session = await SprintSession.open({
    workspaceRoot: o.workspace,
    stateDir: o.stateDir,
    ledgerOverride: o.ledger,
    claude: { command: o.claude, args: [] },
    extensionRoot: packageRoot(),
    readOnly: true,
    // Read-only, the store warns instead of repairing: a corrupt database or journal line.
    onLog: (level, message) => {
      if (level !== 'info') stateProblems.push(message);
    },
  });
  try {
    // A run in this state folder, or one on the same ledger from elsewhere (the editor, another --state-dir).
    const alive = (h: StateLockInfo | undefined) => (h && StateLock.holderState(h) === 'alive' ? h : undefined);
    const holder = alive(StateLock.read(o.stateDir)) ?? alive(LedgerLock.read(session.layout.ledgerPath));
    const report = await collectStatus(session, holder, stateProblems);
    if (cmd.common.json) io.out(JSON.stringify(report, null, 2));
    else for (const line of formatStatus(report)) io.out(line);
    return report.stateProblems.length > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await session.dispose();
  }
}

function stop(cmd: Extract<CliCommand, { kind: 'stop' }>, io: Io): number {
  const o = resolveCommon(cmd.common, io);
  const holder = StateLock.read(o.stateDir);
  if (!holder || StateLock.holderState(holder) !== 'alive') {
    io.err(`No run is active in ${o.stateDir}; nothing to stop.`);
    return EXIT.ok;
  }
  requestStop(o.stateDir, `sprint-runner stop (pid ${process.pid})`);
  io.err(`Asked the run of pid ${holder.pid} to stop; it stops its agents and keeps its state (resume with: sprint-runner resume).`);
  return EXIT.ok;
}

export interface SignalSource {
  onSignal(listener: (signal: NodeJS.Signals) => void): () => void;
  exit(code: number): never;
}

const processSignals: SignalSource = {
  onSignal(listener) {
    const handler = (s: NodeJS.Signals) => listener(s);
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
  exit(code) {
    process.exit(code);
  },
};

function version(): string {
  try {
    return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** A failure the user can fix: its message is printed as is, exit 2. */
function isConfigurationError(err: unknown): boolean {
  return (
    err instanceof UsageError ||
    err instanceof LedgerNotFoundError ||
    err instanceof LedgerError ||
    err instanceof BmadConfigError ||
    err instanceof StateLockedError ||
    err instanceof NothingToResumeError ||
    err instanceof UnknownStoryError ||
    err instanceof StateFolderError
  );
}

export async function main(argv: readonly string[], io: Io, signals: SignalSource = processSignals): Promise<number> {
  try {
    const cmd = parseCliArgs(argv);
    switch (cmd.kind) {
      case 'help':
        io.out(USAGE);
        return EXIT.ok;
      case 'version':
        io.out(version());
        return EXIT.ok;
      case 'run':
      case 'resume':
        return await runOrResume(cmd, io, signals);
      case 'status':
        return await status(cmd, io);
      case 'stop':
        return stop(cmd, io);
    }
  } catch (err) {
    if (isConfigurationError(err)) {
      io.err(`sprint-runner: ${(err as Error).message}`);
      if (err instanceof LedgerNotFoundError) io.err('To create one from BMAD\'s template: sprint-runner run --init');
      if (err instanceof UsageError) io.err('Run "sprint-runner --help" for usage.');
      return EXIT.usage;
    }
    io.err(`sprint-runner: ${(err as Error)?.stack ?? String(err)}`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    env: process.env,
    cwd: process.cwd(),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`sprint-runner: ${String(err)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
