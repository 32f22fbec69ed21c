// The engine's Agent backed by the real `claude -p` CLI (or sim-claude, which speaks the same protocol).

import { existsSync, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { agentEnvironment } from '../../core/agent/agentEnvironment';
import { extractDeferredItems, type Agent, type AgentActivity, type AgentRequest, type AgentResult } from '../../core/agent/AgentContract';
import { commandLabel } from '../../core/commands';
import { SecretRedactor } from '../../core/agent/SecretRedactor';
import { extraArgsProblem } from '../../core/claude/extraArgsPolicy';
import { buildClaudeArgs, DEFAULT_PERMISSION, type PermissionStrategy } from '../../core/claude/ClaudeInvocation';
import { ClaudeRunTranscript } from '../../core/claude/ClaudeRunTranscript';
import { ClaudeStreamParser } from '../../core/claude/ClaudeStreamParser';
import { classifyWithLimits, type ClaudeProcessEnd } from '../../core/claude/classifyOutcome';
import { extractProgressRows } from '../../core/claude/progressCsv';
import { StreamRenderer } from '../../core/claude/StreamRenderer';
import { invokedWorkflow } from '../../core/prompts/WorkflowPromptSource';
import { shortIdOf } from '../../core/ledger/storyKeys';
import { DEFAULT_IDLE_TIMEOUT_MINUTES, DEFAULT_STEP_TIMEOUT_MINUTES } from '../../core/workflow/EngineSettings';
import { writeFileAtomic } from '../NodeFileSystem';
import { ContainerRunner, containerNameForStep, detectContainerRuntime, type ContainerRuntimeName, type NetworkPolicy } from '../containers/ContainerRunner';
import { GitRepository } from '../git/GitRepository';
import { ChildRegistry } from './ChildRegistry';
import type { ProcessControl } from './ProcessControl';
import { ClaudeProcess } from './ClaudeProcess';

export interface ClaudeModels {
  /** Alias → full model id, applied to the model the engine chose (`{ haiku: 'claude-haiku-4-5' }`). */
  aliases?: Record<string, string>;
}

export interface ClaudeTimeouts {
  /** Wall-clock limit per step (default 60 min). */
  wallMs?: number;
  /** Longest silence on stdout/stderr (default 15 min: long answers and tool runs print nothing). */
  idleMs?: number;
  /** Between SIGINT and SIGKILL when stopping (default 3 s). */
  stopGraceMs?: number;
}

export interface ClaudeAgentOptions {
  /** Program to run: `claude` on PATH, an absolute path, or e.g. `dist/sim-claude.js` (has a shebang). */
  command?: string;
  /** Arguments placed before the CLI flags (e.g. `['dist/sim-claude.js']` with command `node`). */
  commandArgs?: string[];
  /** Appended after the generated flags (setting sprintRunner.claude.extraArgs). */
  extraArgs?: string[];
  /** Where `<stepKey>-<timestamp>.ndjson` logs go. */
  logDir: string;
  /** children.json (orphan registry) and the appended-system-prompt files live here. */
  stateDir: string;
  models?: ClaudeModels;
  permission?: PermissionStrategy;
  maxTurns?: number;
  timeouts?: ClaudeTimeouts;
  /** Absolute path of media/sprint-log.sh, exported to the child as SPRINT_RUNNER_LOG. */
  progressHelperPath?: string;
  /** Extra environment for every child (below the request's own variables). */
  env?: Record<string, string>;
  /** How often a running child's process tree is snapshotted (default 2 s). */
  snapshotIntervalMs?: number;
  /** The operating system's process table and signals (default: the one for this platform). */
  processControl?: ProcessControl;
  /** Opt-in: run every agent inside a container; absent = on the host. */
  container?: ClaudeContainerOptions;
}

export interface ClaudeContainerOptions {
  /** `auto` = podman, else docker (the first whose engine answers). */
  runtime: ContainerRuntimeName | 'auto';
  image: string;
  cpus?: number;
  /** e.g. `4g`. */
  memory?: string;
  /** Default `bridge`: the CLI must reach the Anthropic API; `none` suits a local model proxy on `host`. */
  network?: NetworkPolicy;
  /** The CLI inside the image (default `claude`); `commandArgs` of the host command are not used. */
  command?: string;
  /** More environment variable NAMES passed into the container (e.g. ANTHROPIC_API_KEY); values never appear in argv. */
  envNames?: string[];
  /** More absolute folders mounted at the same path (caches). */
  extraMounts?: string[];
}

export const DEFAULT_WALL_TIMEOUT_MS = DEFAULT_STEP_TIMEOUT_MINUTES * 60_000;
export const DEFAULT_IDLE_TIMEOUT_MS = DEFAULT_IDLE_TIMEOUT_MINUTES * 60_000;

/** Finds media/sprint-log.sh next to the bundle (dist/ → ../media) or the sources (src/infra/claude → ../../../media). */
export function defaultProgressHelperPath(): string {
  const candidates = [path.resolve(__dirname, '..', 'media', 'sprint-log.sh'), path.resolve(__dirname, '..', '..', '..', 'media', 'sprint-log.sh')];
  return candidates.find((c) => existsSync(c)) ?? candidates[0];
}

export function sanitiseForFileName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 120) || 'step';
}

function timestampForFile(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-');
}

/**
 * An agent whose first invocations all end without the CLI starting a session (no `system/init` line on
 * stdout: the program crashed, exited 127, printed nothing or something else) is not a Claude CLI at all:
 * after this many such failed invocations — before any invocation of this agent ever started a session —
 * it is reported as unusable (a permanent failure) instead of failing story after story. A spawn error
 * (ENOENT, EACCES) makes it unusable at once. Stops and time-outs never count (a slow start is not a
 * broken CLI), nor permanent failures in the CLI's own words (they already stop the run, with the fix).
 */
export const UNUSABLE_AFTER_FAILED_STARTS = 2;

export class ClaudeAgent implements Agent {
  private readonly registry: ChildRegistry;
  private everStarted = false;
  private failedStarts = 0;
  private unusable?: string;
  private readonly running = new Set<ClaudeProcess>();
  private readonly containers = new Set<string>();
  private containerRuntime?: Promise<ContainerRunner | string>;
  private disposed = false;

  constructor(private readonly options: ClaudeAgentOptions) {
    // Refused before any agent is paid to run, not at the first step.
    const problem = extraArgsProblem(options.extraArgs ?? []);
    if (problem) throw new Error(problem);
    this.registry = new ChildRegistry(options.stateDir, options.processControl);
  }

  /** The model the engine chose for the request (modelForStep), aliases applied; undefined = the CLI's own default. */
  modelFor(request: Pick<AgentRequest, 'model'>): string | undefined {
    const model = request.model;
    return model ? (this.options.models?.aliases?.[model] ?? model) : undefined;
  }

  /** The CLI's own arguments for a request (the same on the host and inside a container). */
  private claudeArgs(request: AgentRequest, systemPromptFile: string | undefined): string[] {
    const o = this.options;
    return buildClaudeArgs({
      model: this.modelFor(request),
      systemPromptFile,
      maxTurns: o.maxTurns,
      permission: o.permission ?? DEFAULT_PERMISSION,
      extraArgs: o.extraArgs,
      ...(request.resumeSessionId ? { resumeSessionId: request.resumeSessionId } : {}),
    });
  }

  async execute(request: AgentRequest): Promise<AgentResult> {
    const o = this.options;
    const started = Date.now();
    // The engine's short ids know the ledger's epics (`7-5-2` of a decimal epic); the key alone does not.
    const givenIds = (request.env.SPRINT_RUNNER_STORY_IDS ?? '').split(',').filter(Boolean);
    const storyIds = givenIds.length === request.storyKeys.length ? givenIds : request.storyKeys.map(shortIdOf);
    const renderer = new StreamRenderer({ storyIds, command: request.command, attempt: request.attempt });
    const label = commandLabel(request.command, request.attempt);
    const emit = (a: AgentActivity): void => {
      try {
        request.onActivity?.(a);
      } catch {
        // A listener's failure must not kill the child's stream handling.
      }
    };
    if (this.disposed || request.signal.aborted) {
      return { outcome: 'cancelled', outputText: '', errorClass: 'cancelled', message: 'stopped before the agent started', deferredItems: [] };
    }

    await fsp.mkdir(o.logDir, { recursive: true });
    await fsp.mkdir(o.stateDir, { recursive: true });
    const base = `${sanitiseForFileName(request.stepKey)}-${timestampForFile(new Date(started))}`;
    const logFile = path.join(o.logDir, `${base}.ndjson`);
    let systemPromptFile: string | undefined;
    if (request.systemPrompt) {
      const dir = path.join(o.stateDir, 'system-prompts');
      await fsp.mkdir(dir, { recursive: true });
      systemPromptFile = path.join(dir, `${base}.md`);
      await writeFileAtomic(systemPromptFile, request.systemPrompt);
    }

    let args: string[];
    try {
      args = [
        ...(o.commandArgs ?? []),
        ...this.claudeArgs(request, systemPromptFile),
      ];
    } catch (err) {
      return { outcome: 'permanent', outputText: '', errorClass: 'invalid-settings', message: (err as Error).message, deferredItems: [] };
    }

    const env: Record<string, string | undefined> = {
      ...process.env,
      ...o.env,
      ...agentEnvironment(request, { storyIds }),
      ...request.env,
      SPRINT_RUNNER_LOG: o.progressHelperPath ?? defaultProgressHelperPath(),
    };
    // Where story files go: the step's artifacts folder (a lane's own in parallel mode).
    env.SPRINT_RUNNER_STORY_DIR ??= env.SPRINT_RUNNER_ARTIFACTS;

    let command = o.command ?? 'claude';
    let container: { runner: ContainerRunner; name: string } | undefined;
    if (o.container) {
      const wrapped = await this.wrapInContainer(o.container, request, env, systemPromptFile, started);
      if (typeof wrapped === 'string') {
        if (systemPromptFile) await fsp.rm(systemPromptFile, { force: true });
        return { outcome: 'permanent', outputText: '', errorClass: 'container-runtime', message: wrapped, deferredItems: [] };
      }
      command = wrapped.file;
      args = wrapped.args;
      container = { runner: wrapped.runner, name: wrapped.name };
      this.containers.add(wrapped.name);
    }

    // Whatever the child prints passes through this before it is logged, parsed, stored or shown.
    const redactor = SecretRedactor.fromEnv(env);
    const parser = new ClaudeStreamParser();
    const run = new ClaudeRunTranscript();
    // A prompt starting with `/<name>` must find that command or skill in the CLI's `system/init`, which
    // comes before the first API request: a missing one ends the child there, a configuration error.
    const workflow = invokedWorkflow(request.prompt);
    const missingWorkflow = new AbortController();
    let missingWorkflowMessage: string | undefined;
    let sawInit = false;
    const proc = new ClaudeProcess({
      command,
      args,
      cwd: request.cwd,
      env,
      stdin: request.prompt,
      logFile,
      wallTimeoutMs: o.timeouts?.wallMs ?? DEFAULT_WALL_TIMEOUT_MS,
      idleTimeoutMs: o.timeouts?.idleMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      stopGraceMs: o.timeouts?.stopGraceMs ?? 3000,
      snapshotIntervalMs: o.snapshotIntervalMs ?? 2000,
      registry: this.registry,
      processControl: o.processControl,
      stepKey: request.stepKey,
      signal: AbortSignal.any([request.signal, missingWorkflow.signal]),
      redact: (text) => redactor.redact(text),
      onLine: (line) => {
        for (const ev of parser.parseLine(line)) {
          run.add(ev);
          switch (ev.kind) {
            case 'init':
              sawInit = true;
              emit({ kind: 'session', sessionId: ev.sessionId, model: ev.model, permissionMode: ev.permissionMode });
              if (workflow && ev.slashCommands && !ev.slashCommands.includes(workflow) && !missingWorkflowMessage) {
                missingWorkflowMessage =
                  `${label}: the prompt starts with /${workflow}, but the Claude CLI in ${request.cwd} does not know that command or skill ` +
                  `(its system/init lists ${ev.slashCommands.filter((c) => c.startsWith('bmad')).length} BMAD ones). ` +
                  'The step was stopped before the model was asked. Fix: reinstall BMAD for Claude Code (npx bmad-method install --tools claude-code), ' +
                  'or check that the workspace .claude folder is the one BMAD wrote; `sprint-runner doctor` shows which workflow each step runs.';
                missingWorkflow.abort();
              }
              break;
            case 'api-retry':
              emit({ kind: 'retry', attempt: ev.attempt, maxRetries: ev.maxRetries, error: ev.error, status: ev.errorStatus });
              break;
            case 'tool-result':
              for (const row of extractProgressRows(ev.content)) emit({ kind: 'progress', row });
              break;
            case 'warning':
              emit({ kind: 'warning', message: ev.message });
              break;
            default:
              break;
          }
          for (const out of renderer.render(ev)) emit({ kind: 'output', line: out });
        }
      },
    });
    this.running.add(proc);
    let end;
    try {
      end = await proc.run();
    } finally {
      this.running.delete(proc);
      if (container) {
        // Stopping the `run` client does not stop the container: kill it by name (stop, timeouts, dispose).
        if (request.signal.aborted || this.disposed || end?.stoppedBy) await container.runner.kill(container.name).catch(() => false);
        this.containers.delete(container.name);
      }
      if (systemPromptFile) await fsp.rm(systemPromptFile, { force: true });
    }
    if (end.spawnError) await fsp.rm(logFile, { force: true });
    if (missingWorkflowMessage && !request.signal.aborted) {
      emit({ kind: 'output', line: renderer.finish('permanent', Date.now() - started, undefined, missingWorkflowMessage) });
      return { outcome: 'permanent', outputText: '', errorClass: 'missing-workflow', message: missingWorkflowMessage, deferredItems: [], logFile, exitCode: end.exitCode, signal: end.signal };
    }
    const verdict = this.judgeStart(classifyWithLimits(run, end), end, sawInit, command);
    const usage = run.usage();
    if (usage && usage.model === undefined) usage.model = this.modelFor(request);
    const outputText = run.outputText;
    emit({ kind: 'output', line: renderer.finish(verdict.outcome, Date.now() - started, usage, verdict.message) });
    if (end.stderr.trim() && verdict.outcome === 'success') emit({ kind: 'warning', message: `claude stderr: ${end.stderr.trim().slice(0, 500)}` });
    return {
      outcome: verdict.outcome,
      outputText,
      message: verdict.message,
      errorClass: verdict.errorClass,
      usage,
      deferredItems: extractDeferredItems(outputText),
      logFile: end.spawnError ? undefined : logFile,
      exitCode: end.exitCode,
      signal: end.signal,
      ...(verdict.resetsAt !== undefined ? { resetsAt: verdict.resetsAt } : {}),
      ...(verdict.limitType ? { limitType: verdict.limitType } : {}),
    };
  }

  /** Why this agent cannot be used (see UNUSABLE_AFTER_FAILED_STARTS), once it is known. */
  get unusableReason(): string | undefined {
    return this.unusable;
  }

  private judgeStart(verdict: ReturnType<typeof classifyWithLimits>, end: ClaudeProcessEnd, sawInit: boolean, commandLine: string): ReturnType<typeof classifyWithLimits> {
    if (sawInit) this.everStarted = true;
    if (this.unusable) return { outcome: 'permanent', errorClass: 'agent-unusable', message: this.unusable };
    if (sawInit || this.everStarted || end.stoppedBy) return verdict;
    if (end.spawnError) {
      // Already a permanent failure in the system's words (not found, not executable): keep them.
      this.unusable = `the agent command cannot be started: ${verdict.message ?? end.spawnError.message}`;
      return verdict;
    }
    // A permanent failure carries the CLI's own words (e.g. root without IS_SANDBOX): those are the message.
    if (verdict.outcome !== 'agent-failure') return verdict;
    this.failedStarts++;
    if (this.failedStarts < UNUSABLE_AFTER_FAILED_STARTS) return verdict;
    const how = `exit code ${end.exitCode ?? 'none'}${end.signal ? `, signal ${end.signal}` : ''}${end.exitCode === 127 ? ' (127: a program it runs was not found)' : ''}`;
    this.unusable =
      `the agent command is not usable: its first ${this.failedStarts} invocation(s) ended without starting a Claude session ` +
      `(no system/init line on stdout; ${how}). Command: ${commandLine.slice(0, 300)}. Fix: point --claude, SPRINT_RUNNER_CLAUDE or ` +
      `sprintRunner.claude.command at a working Claude Code CLI (try \`claude -p --output-format stream-json --verbose\` in a terminal). ` +
      'No story was marked blocked for this.';
    return { outcome: 'permanent', errorClass: 'agent-unusable', message: this.unusable };
  }

  /** Stops every running child (SIGINT → SIGKILL → their process groups) and refuses new work. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all([...this.running].map((p) => p.dispose()));
  }

  /** The runtime, detected once; a string is the reason it cannot be used (shown as a permanent failure). */
  private runtime(c: ClaudeContainerOptions): Promise<ContainerRunner | string> {
    this.containerRuntime ??= detectContainerRuntime({ preferred: c.runtime }).then((status) => (status.engineRunning ? new ContainerRunner(status) : status.message));
    return this.containerRuntime;
  }

  /** `<runtime> run … <image> claude <flags>` with the cwd, git's common folder and helper folders mounted. */
  private async wrapInContainer(
    c: ClaudeContainerOptions,
    request: AgentRequest,
    env: Record<string, string | undefined>,
    systemPromptFile: string | undefined,
    started: number,
  ): Promise<{ file: string; args: string[]; runner: ContainerRunner; name: string } | string> {
    const runner = await this.runtime(c);
    if (typeof runner === 'string') return runner;
    const o = this.options;
    const mounts = new Set<string>(c.extraMounts ?? []);
    // A worktree's .git is a file pointing into the repository's common folder: git needs it mounted.
    const common = await new GitRepository(request.cwd).commonDir().catch(() => undefined);
    if (common) mounts.add(common);
    if (systemPromptFile) mounts.add(path.dirname(systemPromptFile));
    if (env.SPRINT_RUNNER_LOG) mounts.add(path.dirname(env.SPRINT_RUNNER_LOG));
    const inside = (p: string): boolean => p === request.cwd || p.startsWith(request.cwd + path.sep);
    // Values stay in the client's environment; only names go into argv (`-e NAME`).
    const envNames = [...new Set([...Object.keys(o.env ?? {}), ...Object.keys(request.env), ...Object.keys(env).filter((k) => k.startsWith('SPRINT_RUNNER_')), ...(c.envNames ?? [])])]
      .filter((k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && env[k] !== undefined || (c.envNames ?? []).includes(k));
    const name = containerNameForStep(`${request.stepKey}-${started.toString(36)}`);
    const claudeArgs = this.claudeArgs(request, systemPromptFile);
    try {
      const wrapped = runner.wrap({
        image: c.image,
        name,
        cwd: request.cwd,
        command: [c.command ?? 'claude', ...claudeArgs],
        network: c.network ?? 'bridge',
        ...(c.cpus !== undefined ? { cpus: c.cpus } : {}),
        ...(c.memory !== undefined ? { memory: c.memory } : {}),
        envNames,
        extraMounts: [...mounts].filter((m) => !inside(m)),
      });
      return { ...wrapped, runner, name };
    } catch (err) {
      return (err as Error).message;
    }
  }
}
