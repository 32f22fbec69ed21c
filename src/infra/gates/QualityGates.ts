// Quality gates: configured commands (none by default) run in the story's cwd after dev-story. Each runs
// without a shell: an argv array, or a command string split by parseCommandLine (quotes and escapes,
// shell operators refused). Each has a timeout; on timeout the whole process group gets SIGTERM, then
// SIGKILL after a grace period, so `npm test` cannot leave orphans. stdout and stderr are captured
// together and bounded: the first `headChars` and the last `tailChars` are kept, the middle is replaced by
// a marker saying how much was left out (the end of a test run is where failures are summarised).

import { SecretRedactor } from '../../core/agent/SecretRedactor';
import { parseCommandLine } from '../../core/gates/parseCommandLine';
import type { GateResult } from '../../core/gates/GateResult';
import { loadExeca } from '../git/loadExeca';

export interface GateConfig {
  /** Display name; defaults to the command line. */
  name?: string;
  /** argv array (preferred) or a command string parsed into argv without a shell. */
  command: string | readonly string[];
  /** Default 10 minutes. */
  timeoutMs?: number;
  /** Variables added to the environment (values are never logged). */
  env?: Record<string, string>;
}

export interface GateRunOptions {
  cwd: string;
  signal?: AbortSignal;
  headChars?: number;
  tailChars?: number;
  /** Grace period between SIGTERM and SIGKILL. Default 3 s. */
  killGraceMs?: number;
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** Keeps the head and the tail of a long text, with a marker for what was dropped. */
export class BoundedOutput {
  private head = '';
  private tail = '';
  private dropped = 0;

  constructor(private readonly headChars: number, private readonly tailChars: number) {}

  push(chunk: string): void {
    if (this.head.length < this.headChars) {
      const take = chunk.slice(0, this.headChars - this.head.length);
      this.head += take;
      chunk = chunk.slice(take.length);
    }
    if (!chunk) return;
    this.tail += chunk;
    if (this.tail.length > this.tailChars) {
      const cut = this.tail.length - this.tailChars;
      this.dropped += cut;
      this.tail = this.tail.slice(cut);
    }
  }

  text(): string {
    if (this.dropped === 0) return this.head + this.tail;
    return `${this.head}\n[… ${this.dropped} characters of output left out …]\n${this.tail}`;
  }
}

export function gateArgv(config: GateConfig): string[] {
  if (typeof config.command === 'string') return parseCommandLine(config.command);
  if (config.command.length === 0 || config.command.some((a) => typeof a !== 'string')) {
    throw new Error(`Quality gate ${JSON.stringify(config.name ?? '')} has an empty or invalid command. Fix: give an argument array such as ["npm", "test"].`);
  }
  return [...config.command];
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // Already gone.
  }
}

export async function runGate(config: GateConfig, opts: GateRunOptions): Promise<GateResult> {
  const now = opts.now ?? Date.now;
  const started = now();
  let argv: string[];
  try {
    argv = gateArgv(config);
  } catch (err) {
    return { name: config.name ?? String(config.command), ok: false, exitCode: null, output: '', durationMs: 0, error: (err as Error).message };
  }
  const name = config.name ?? argv.join(' ');
  const out = new BoundedOutput(opts.headChars ?? 4_000, opts.tailChars ?? 16_000);
  const { execa } = await loadExeca();
  const child = execa(argv[0], argv.slice(1), {
    cwd: opts.cwd,
    env: config.env,
    all: true,
    buffer: false,
    reject: false,
    stdin: 'ignore',
    detached: true, // own process group, so a timeout can end the children too
    cleanup: true,
  });
  child.all?.setEncoding('utf8');
  child.all?.on('data', (chunk: string) => out.push(chunk));

  let timedOut = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    killGroup(child.pid, 'SIGTERM');
    graceTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), opts.killGraceMs ?? 3_000);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, config.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const onAbort = (): void => stop();
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const result = await child;
  clearTimeout(timer);
  if (graceTimer) clearTimeout(graceTimer);
  opts.signal?.removeEventListener('abort', onAbort);
  // The group may still hold grandchildren that ignored SIGTERM; they must not outlive the gate.
  if (timedOut || opts.signal?.aborted) killGroup(child.pid, 'SIGKILL');

  const durationMs = now() - started;
  const exitCode = typeof result.exitCode === 'number' ? result.exitCode : null;
  // Gate output is shown, stored and handed to the next code review: no secret values in it (a test may print its environment).
  const base = { name, output: SecretRedactor.fromEnv({ ...process.env, ...config.env }).redact(out.text()), durationMs };
  if (timedOut) return { ...base, ok: false, exitCode: null, timedOut: true, error: `timed out after ${Math.round((config.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s in ${opts.cwd}` };
  if (exitCode === null) {
    const why = result.failed && result.code === 'ENOENT' ? `command not found: ${argv[0]} (cwd ${opts.cwd})` : result.signal ? `ended by signal ${result.signal}` : (result.shortMessage ?? 'could not run');
    return { ...base, ok: false, exitCode: null, error: why };
  }
  return { ...base, ok: exitCode === 0, exitCode };
}

/** Runs the gates one after another (they usually share caches and ports) and returns every result. */
export async function runQualityGates(gates: readonly GateConfig[], opts: GateRunOptions): Promise<GateResult[]> {
  const results: GateResult[] = [];
  for (const gate of gates) {
    if (opts.signal?.aborted) break;
    results.push(await runGate(gate, opts));
  }
  return results;
}
