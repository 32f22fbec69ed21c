// Opt-in: run each agent command inside a container (podman or docker). This module detects a runtime,
// builds the `run` argv, and stops a container by name. It never uses a shell.
//
// The argv: `<runtime> run --rm --init -i --name <name> --network <none|bridge|host> [--cpus N]
// [--memory M] -v <cwd>:<cwd> -w <cwd> [-v <mount>:<mount>]… [-e NAME]… <image> <command…>`
//   - the worktree is mounted at the same path, so paths in prompts, logs and git metadata stay valid
//     (mount the repository's common .git folder too, via extraMounts, for git to work in a worktree);
//   - environment variables are passed by NAME only (`-e NAME`): the runtime copies the value from its
//     own environment, so no secret value ever appears in an argv, a log line or `ps`;
//   - `--init` reaps zombies and forwards signals; `--rm` removes the container when it ends;
//   - the name is derived from the step key, so stop/timeout can `kill` it by name even after the
//     `run` client process is gone (killing only the client would orphan the container).

import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { forbiddenMountReason } from '../../core/git/forbiddenMountReason';
import { loadExeca } from '../git/loadExeca';

export type ContainerRuntimeName = 'docker' | 'podman';
export type NetworkPolicy = 'none' | 'bridge' | 'host';

export interface ContainerRuntimeStatus {
  runtime?: ContainerRuntimeName;
  clientFound: boolean;
  engineRunning: boolean;
  clientVersion?: string;
  /** One line for the user: what was found and what to do. */
  message: string;
}

export interface ContainerRunSpec {
  runtime: ContainerRuntimeName;
  image: string;
  /** Container name (containerNameForStep). */
  name: string;
  /** Absolute working folder (the story's worktree), mounted at the same path. */
  cwd: string;
  command: readonly string[];
  network: NetworkPolicy;
  /** e.g. 2 or 1.5 */
  cpus?: number;
  /** e.g. `4g`, `512m` */
  memory?: string;
  /** Names of environment variables to pass through (values are taken from the runtime's environment). */
  envNames?: readonly string[];
  /** More absolute folders to mount at the same path (the repository's common .git folder, caches). */
  extraMounts?: readonly string[];
  /** Keep stdin open (the prompt goes to the agent's stdin). Default true. */
  interactive?: boolean;
}

const IMAGE = /^[a-z0-9][a-z0-9._\-/:@]*$/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MEMORY = /^[0-9]+(\.[0-9]+)?[bkmg]?$/i;

function assertMountPath(p: string, what: string): void {
  // ':' and ',' would change the meaning of `-v src:dst[:opts]`.
  if (!path.isAbsolute(p) || /[:,\n\0]/.test(p)) throw new Error(`Cannot mount ${what} ${JSON.stringify(p)} into a container: it must be an absolute path without ':' or ','. Fix: move the workspace to such a path.`);
}

/** `sprint-runner-<readable part>-<hash>`, valid for docker and podman (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`). */
export function containerNameForStep(stepKey: string): string {
  const readable = stepKey.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-_.]+|[-_.]+$/g, '').slice(0, 60);
  const hash = createHash('sha256').update(stepKey).digest('hex').slice(0, 8);
  return `sprint-runner-${readable ? `${readable}-` : ''}${hash}`;
}

export function buildContainerRunArgv(spec: ContainerRunSpec): string[] {
  if (!IMAGE.test(spec.image)) throw new Error(`Invalid container image ${JSON.stringify(spec.image)}. Fix: set sprintRunner.containers.image to a name like "node:20" or "ghcr.io/org/agent:1".`);
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(spec.name)) throw new Error(`Invalid container name ${JSON.stringify(spec.name)}. Fix: derive it with containerNameForStep().`);
  if (!['none', 'bridge', 'host'].includes(spec.network)) throw new Error(`Invalid network policy ${JSON.stringify(spec.network)}. Fix: use none, bridge or host.`);
  if (spec.command.length === 0) throw new Error('The container command is empty.');
  assertMountPath(spec.cwd, 'the working folder');
  const argv: string[] = [spec.runtime, 'run', '--rm', '--init'];
  if (spec.interactive !== false) argv.push('-i');
  argv.push('--name', spec.name, '--network', spec.network);
  if (spec.cpus !== undefined) {
    if (!(spec.cpus > 0) || !Number.isFinite(spec.cpus)) throw new Error(`Invalid cpu limit ${spec.cpus}. Fix: use a positive number such as 2.`);
    argv.push('--cpus', String(spec.cpus));
  }
  if (spec.memory !== undefined) {
    if (!MEMORY.test(spec.memory)) throw new Error(`Invalid memory limit ${JSON.stringify(spec.memory)}. Fix: use a size such as 4g or 512m.`);
    argv.push('--memory', spec.memory);
  }
  argv.push('-v', `${spec.cwd}:${spec.cwd}`, '-w', spec.cwd);
  for (const m of spec.extraMounts ?? []) {
    assertMountPath(m, 'the folder');
    const forbidden = forbiddenMountReason(m);
    if (forbidden) throw new Error(`Refusing to mount ${JSON.stringify(m)} into the agents' container: ${forbidden}. Fix: remove it from sprintRunner.containers.extraMounts (check the workspace's .vscode/settings.json too).`);
    argv.push('-v', `${m}:${m}`);
  }
  for (const name of spec.envNames ?? []) {
    if (!ENV_NAME.test(name)) throw new Error(`Invalid environment variable name ${JSON.stringify(name)}: give names only (no "=value"). Fix: list variable names in sprintRunner.containers.env.`);
    argv.push('-e', name);
  }
  argv.push(spec.image, ...spec.command);
  return argv;
}

export function buildContainerKillArgv(runtime: ContainerRuntimeName, name: string): string[] {
  return [runtime, 'kill', name];
}

/**
 * Finds a usable runtime: `preferred`, or podman then docker. A client that cannot reach its engine is
 * reported as such ("docker client found but no engine is running: <the client's own words>").
 */
export async function detectContainerRuntime(opts: { preferred?: ContainerRuntimeName | 'auto'; timeoutMs?: number } = {}): Promise<ContainerRuntimeStatus> {
  const { execa } = await loadExeca();
  const order: ContainerRuntimeName[] = !opts.preferred || opts.preferred === 'auto' ? ['podman', 'docker'] : [opts.preferred];
  let firstUnavailable: ContainerRuntimeStatus | undefined;
  for (const runtime of order) {
    const version = await execa(runtime, ['--version'], { reject: false, timeout: opts.timeoutMs ?? 10_000, stdin: 'ignore' });
    if (version.exitCode !== 0) continue;
    const clientVersion = String(version.stdout).trim();
    const info = await execa(runtime, ['info', '--format', '{{json .}}'], { reject: false, timeout: opts.timeoutMs ?? 10_000, stdin: 'ignore' });
    if (info.exitCode === 0) return { runtime, clientFound: true, engineRunning: true, clientVersion, message: `${runtime} is available (${clientVersion})` };
    const words = `${String(info.stderr)}\n${String(info.stdout)}`.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('{') && !/^Client:|^ /.test(l)) ?? (info.timedOut ? 'no answer in time' : `exit code ${info.exitCode}`);
    firstUnavailable ??= { runtime, clientFound: true, engineRunning: false, clientVersion, message: `${runtime} client found but no engine is running: ${words.replace(/[.?!\s]+$/, '')}. Fix: start the ${runtime} engine (or service), or turn off sprintRunner.containers.enabled.` };
  }
  return (
    firstUnavailable ?? {
      clientFound: false,
      engineRunning: false,
      message: `No container runtime found (looked for ${order.join(', ')} on PATH). Fix: install podman or docker, or turn off sprintRunner.containers.enabled.`,
    }
  );
}

export class ContainerRunner {
  constructor(private readonly status: ContainerRuntimeStatus) {
    if (!status.runtime || !status.engineRunning) throw new Error(status.message);
  }

  get runtime(): ContainerRuntimeName {
    return this.status.runtime!;
  }

  /** The (file, args) to spawn instead of `command`: the agent runner passes them to execa. */
  wrap(spec: Omit<ContainerRunSpec, 'runtime'>): { file: string; args: string[] } {
    const argv = buildContainerRunArgv({ ...spec, runtime: this.runtime });
    return { file: argv[0], args: argv.slice(1) };
  }

  /** Stops a container by name (stop button, timeout). True when it was running. */
  async kill(name: string): Promise<boolean> {
    const { execa } = await loadExeca();
    const [file, ...args] = buildContainerKillArgv(this.runtime, name);
    const r = await execa(file, args, { reject: false, timeout: 15_000, stdin: 'ignore' });
    return r.exitCode === 0;
  }
}
