// The headless front end: the same engine as the extension, driven from a terminal or CI.
// Exit codes: 0 done, 1 run failed, 2 bad input or configuration, 3 stopped or paused.

import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { MISSING_WORKFLOWS_ENV } from '../core/bmad/bmadDoctorCheck';
import { BmadWorkflowsMissingError } from '../core/bmad/BmadWorkflowsMissingError';
import type { MissingWorkflowPolicy } from '../core/bmad/mapWorkflows';
import { LedgerError } from '../core/ledger/LedgerError';
import { isStoryStatus } from '../core/ledger/SprintLedger';
import { SETTING_DEFAULTS } from '../core/settings/SprintRunnerConfig';
import type { SprintEvent } from '../core/SprintEvents';
import { NothingToResumeError, type RunResult } from '../core/workflow/SprintRunner';
import { BmadConfigError } from '../core/workspace/BmadConfigError';
import { createLedgerFromTemplate, LedgerExistsError, LedgerOutsideWorkspaceError } from '../core/workspace/createLedgerFromTemplate';
import { describeLedgerChoice } from '../core/workspace/WorkspaceLayout';
import { LedgerNotFoundError } from '../core/ledger/LedgerNotFoundError';
import { LedgerLock } from '../infra/LedgerLock';
import { NodeFileSystem } from '../infra/NodeFileSystem';
import { SprintSession } from '../session/SprintSession';
import { StateFolderError } from '../infra/StateFolderGuard';
import { requestStop, StateLock, StateLockedError, type StateLockInfo } from '../infra/store/StateLock';
import { sessionOptionsFrom } from '../infra/sessionOptionsFrom';
import { commandHelp } from './cliHelp';
import { resolveCliConfig, type CliConfig } from './cliConfig';
import { doctorCommand, preflight, type CliDeps, type PreflightInput } from './doctorCommand';
import { formatEvent } from './formatEvent';
import { TerminalCommitReview } from './TerminalCommitReview';
import { parseCliArgs, USAGE, UsageError, type CliCommand } from './parseCliArgs';
import { checkStartStory, ledgerProblemLines, UnknownStoryError } from './runPreflight';
import { collectStatus, formatStatus } from './status';

export const EXIT = { ok: 0, failed: 1, usage: 2, stopped: 3 } as const;
export type { CliDeps } from './doctorCommand';

/** dist/cli.js → the package root; src/cli/cli.ts (tests through tsx) → the repo root. */
export function packageRoot(): string {
  const up1 = path.resolve(__dirname, '..');
  return existsSync(path.join(up1, 'prompts')) ? up1 : path.resolve(__dirname, '..', '..');
}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Text for the terminal without a line end (a question); default: `err` per line. */
  prompt?: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

function preflightInput(c: CliConfig, env: NodeJS.ProcessEnv, ledgerWillBeCreated = false): PreflightInput {
  return {
    workspace: c.workspace,
    ...(c.ledger ? { ledger: c.ledger } : {}),
    claude: { command: c.config.claude.command, args: c.config.claude.args },
    permissionMode: c.config.permissionMode,
    containers: c.config.git.container !== undefined,
    ledgerWillBeCreated,
    bmadMissingWorkflows: missingWorkflowPolicy(env, c.config.bmadMissingWorkflows),
  };
}

/** SPRINT_RUNNER_BMAD_MISSING_WORKFLOWS=runner-prompt|refuse overrides the setting for one run. */
function missingWorkflowPolicy(env: NodeJS.ProcessEnv, fromSettings: MissingWorkflowPolicy): MissingWorkflowPolicy {
  const v = env[MISSING_WORKFLOWS_ENV];
  if (v === undefined || v === '') return fromSettings;
  if (v === 'refuse' || v === 'runner-prompt') return v;
  throw new UsageError(`${MISSING_WORKFLOWS_ENV}=${v} is not a choice: use runner-prompt or refuse.`);
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

async function runOrResume(cmd: Extract<CliCommand, { kind: 'run' | 'resume' }>, io: Io, signals: SignalSource, deps: CliDeps): Promise<number> {
  const o = resolveCliConfig(cmd.common, io.cwd, io.env);
  const root = packageRoot();
  // The review before the batch commit asks on the terminal: without one (CI, a pipe) the run would only
  // pause at its first commit, after the money is spent. Refused before anything runs.
  const stdin = deps.stdin ?? process.stdin;
  if (o.config.git.reviewBeforeCommit && stdin.isTTY !== true) {
    throw new UsageError(
      'The review before each batch commit (--review-before-commit, setting git.reviewBeforeCommit) asks on the terminal, but standard input is not a terminal. ' +
        'Fix: run sprint-runner in a terminal, review in the VS Code extension, or turn the setting off for this run with --no-review-before-commit.',
    );
  }
  const reviewer = o.config.git.reviewBeforeCommit ? new TerminalCommitReview(stdin, io.prompt ?? ((text) => io.err(text.replace(/\n$/, '')))) : undefined;
  // The setup check comes first: a failure writes nothing (no lock, no state folder, no ledger) and spends nothing.
  if (!(await preflight(preflightInput(o, io.env, cmd.kind === 'run' && cmd.init), io, deps))) return EXIT.usage;
  if (cmd.kind === 'run' && cmd.init) {
    // Refuses (exit 2) when the workspace already has a ledger anywhere the runner looks: running on a new,
    // empty one would report the sprint complete while the real one has open stories.
    const created = await createLedgerFromTemplate(o.workspace, new NodeFileSystem(), {
      templatePath: path.join(root, 'media', 'templates', 'sprint-status-template.yaml'),
      ledgerPath: o.ledger,
    });
    io.err(`Created ${created.path} with ${created.storyCount} stor${created.storyCount === 1 ? 'y' : 'ies'} from BMAD's template.`);
  }
  const session = await SprintSession.open({
    workspaceRoot: o.workspace,
    stateDir: o.stateDir,
    // The same mapping as the extension's: models, reviews, budgets, gates, commit mode, lanes, containers, timeouts.
    ...sessionOptionsFrom(o.config),
    ledgerOverride: o.ledger,
    extensionRoot: root,
    onLog: (level, message) => io.err(`${level === 'info' ? '' : `${level}: `}${message}`),
    bmad: { missingWorkflows: missingWorkflowPolicy(io.env, o.config.bmadMissingWorkflows) },
    frontEnd: `sprint-runner ${cmd.kind} (CLI)`,
    ...(reviewer ? { commitReview: reviewer } : {}),
  });
  try {
    // A ledger that cannot be read, or a --story it does not have, is bad input (exit 2), found before any agent is paid to run.
    const snapshot = await session.ledger.read();
    const choice = describeLedgerChoice(session.layout);
    if (choice) io.err(choice);
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
  // A run in progress holds the process open, whatever the engine awaits (an unreferenced timer, a child's
  // exit): the process ends when the run has ended and said how, never because the event loop ran dry.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    const result = cmd.kind === 'run' ? await session.run({ cycles: cmd.cyclesGiven ? cmd.cycles : o.config.defaultCycles, startWith: cmd.story }) : await session.resume();
    if (!cmd.common.json) {
      const cost = result.agentResults.reduce((s, r) => s + (r.usage?.costUsd ?? 0), 0);
      const notRun = result.sprintComplete ? await entriesNotRun(session) : [];
      const complete = notRun.length > 0 ? ` — every story it can run is done or blocked; not run: ${notRun.join(', ')} (see the warnings)` : ' — all stories are done or blocked';
      io.out(
        `Batch ${result.batchId}: ${result.status}, ${result.cyclesCompleted} cycle(s), ${result.stepsCompleted} step(s), ` +
          `${result.durationSeconds.toFixed(1)}s, $${cost.toFixed(3)}${result.sprintComplete ? complete : ''}`,
      );
      if (result.deferredItems.length) io.out(`Deferred items (${result.deferredItems.length}) were added to deferred-items.md.`);
      if (result.status === 'completed' && !result.sprintComplete) io.out('Ready for the next batch: sprint-runner run --cycles N|all');
      if (result.status === 'paused' || result.status === 'stopped') io.out('Continue with: sprint-runner resume');
    }
    if (result.status !== 'completed' && session.agentUnusable) {
      io.err(`sprint-runner: ${session.agentUnusable}`);
      return EXIT.usage;
    }
    if (result.reason && result.status === 'failed') io.err(`Run failed: ${result.reason}`);
    return exitCodeFor(result);
  } finally {
    clearInterval(keepAlive);
    offSignals();
    sub.dispose();
    reviewer?.dispose();
    await session.dispose();
  }
}

/** Ledger entries that are work but were never run: statuses BMAD does not define, keys that cannot be file names. */
async function entriesNotRun(session: SprintSession): Promise<string[]> {
  try {
    const snapshot = await session.ledger.read();
    const unknown = snapshot.stories.filter((s) => !isStoryStatus(s.status)).map((s) => `${s.key} (${s.status})`);
    const unusable = snapshot.problems.filter((p) => p.kind === 'unusable-key').map((p) => `line ${p.line}`);
    return [...unknown, ...unusable];
  } catch {
    return [];
  }
}

async function status(cmd: Extract<CliCommand, { kind: 'status' }>, io: Io): Promise<number> {
  const o = resolveCliConfig(cmd.common, io.cwd, io.env);
  const stateProblems: string[] = [];
  const session = await SprintSession.open({
    workspaceRoot: o.workspace,
    stateDir: o.stateDir,
    ledgerOverride: o.ledger,
    claude: { command: o.config.claude.command, args: o.config.claude.args },
    extensionRoot: packageRoot(),
    readOnly: true,
    // Read-only, the store warns instead of repairing: a corrupt database or journal line.
    onLog: (level, message) => {
      if (level !== 'info') stateProblems.push(message);
    },
  });
  try {
    const choice = describeLedgerChoice(session.layout);
    if (choice) io.err(choice);
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
  const o = resolveCliConfig({ ...cmd.common, useSettingsFile: false }, io.cwd, io.env);
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
    err instanceof LedgerExistsError ||
    err instanceof LedgerOutsideWorkspaceError ||
    err instanceof LedgerError ||
    err instanceof BmadConfigError ||
    err instanceof StateLockedError ||
    err instanceof NothingToResumeError ||
    err instanceof BmadWorkflowsMissingError ||
    err instanceof UnknownStoryError ||
    err instanceof StateFolderError
  );
}

/** `<command> --help`, naming the permission mode the command would use here. */
function help(cmd: Extract<CliCommand, { kind: 'help' }>, io: Io): number {
  if (!cmd.command) {
    io.out(USAGE);
    return EXIT.ok;
  }
  let permission: { mode: string; source: string } | undefined;
  try {
    const c = resolveCliConfig(cmd.common ?? { json: false, settings: {}, useSettingsFile: true }, io.cwd, io.env);
    permission = { mode: c.config.permissionMode, source: c.permissionSource };
  } catch {
    permission = { mode: SETTING_DEFAULTS.permissionMode, source: 'the default; the settings file could not be read' };
  }
  io.out(commandHelp(cmd.command, permission));
  return EXIT.ok;
}

export async function main(argv: readonly string[], io: Io, signals: SignalSource = processSignals, deps: CliDeps = {}): Promise<number> {
  try {
    const cmd = parseCliArgs(argv);
    switch (cmd.kind) {
      case 'help':
        return help(cmd, io);
      case 'doctor': {
        const c = resolveCliConfig(cmd.common, io.cwd, io.env);
        return await doctorCommand(preflightInput(c, io.env), cmd.common.json, io, deps);
      }
      case 'version':
        io.out(version());
        return EXIT.ok;
      case 'run':
      case 'resume':
        return await runOrResume(cmd, io, signals, deps);
      case 'status':
        return await status(cmd, io);
      case 'stop':
        return stop(cmd, io);
    }
  } catch (err) {
    if (isConfigurationError(err)) {
      io.err(`sprint-runner: ${(err as Error).message}`);
      if (err instanceof UsageError) io.err('Run "sprint-runner --help" for usage.');
      return EXIT.usage;
    }
    io.err(`sprint-runner: ${(err as Error)?.stack ?? String(err)}`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  // Until main() settles the exit code is "failed": a process that ends any other way (an empty event loop,
  // an unexpected process.exit) can never report success for a run it did not finish.
  process.exitCode = EXIT.failed;
  let settled = false;
  process.on('exit', () => {
    if (!settled) process.stderr.write('sprint-runner: quit before the command finished; the batch, if one started, is left to `sprint-runner resume`.\n');
  });
  // A reader that went away (`sprint-runner status | head -1`) is not an error: the output stops, the command
  // finishes what it was doing (a run keeps its agents under control) and exits as it would have.
  let stdoutGone = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    stdoutGone = true;
    if (err.code !== 'EPIPE') process.stderr.write(`sprint-runner: standard output failed: ${err.message}\n`);
  });
  process.stderr.on('error', () => undefined);
  main(process.argv.slice(2), {
    out: (l) => {
      if (!stdoutGone) process.stdout.write(`${l}\n`);
    },
    err: (l) => process.stderr.write(`${l}\n`),
    prompt: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
  }).then(
    (code) => {
      settled = true;
      process.exitCode = code;
    },
    (err: unknown) => {
      settled = true;
      process.stderr.write(`sprint-runner: ${String(err)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
