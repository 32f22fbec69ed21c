// One `claude -p` child: spawned with execa (argument array, never a shell) in its own process group,
// prompt written to stdin and stdin closed, stdout streamed line by line to the caller and raw to a log
// file, read until the process exits. Stopping it (abort, wall/idle timeout, dispose): collect its tree from
// the process table first (ProcessControl: /proc on Linux), SIGINT the CLI (it aborts the running tool and
// prints a result), wait, SIGKILL.
//
// Nothing it started outlives the step, however the step ends (normal exit, stop, timeout, dispose). A tool's
// background job (`setsid cmd &`, `nohup sh -c 'cmd &'`) is re-parented to PID 1 as soon as its parent
// exits, so a ppid walk after the CLI exited cannot find it. Two records are kept WHILE the child runs:
// - a step token in its environment (STEP_TOKEN_VARIABLE), inherited by every process it starts, whatever
//   its parentage, session or group: after the exit /proc/*/environ is scanned for it;
// - snapshots of its tree (descendants + everything sharing their groups/sessions) at start, on stdout
//   output (throttled: a tool just ran) and every snapshotIntervalMs: the processes seen, with start times.
// After the exit, every live process that carries the token or was recorded (same pid AND start time), the
// groups/sessions they are in, and the CLI's own session are SIGKILLed, never anything that started before
// the step. The token and the members are also in the ChildRegistry, for reapOrphans after a crash.

import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { ClaudeProcessEnd } from '../../core/claude/classifyOutcome';
import { StreamLineReader } from '../../core/claude/StreamLineReader';
import type { ChildRegistry } from './ChildRegistry';
import { processControlFor, type ProcessControl } from './ProcessControl';
import { collectTree, selectStepLeftovers, STEP_TOKEN_VARIABLE, type ProcStat } from './processTree';

export interface ClaudeProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  /** The complete environment of the child (STEP_TOKEN_VARIABLE is added). */
  env: Record<string, string | undefined>;
  /** Written to stdin, then stdin is closed. */
  stdin: string;
  /** Raw stdout copy (NDJSON), when set. */
  logFile?: string;
  wallTimeoutMs: number;
  idleTimeoutMs: number;
  /** Between SIGINT and SIGKILL. */
  stopGraceMs: number;
  /** How often the process tree is snapshotted (and recorded for orphan reaping). */
  snapshotIntervalMs: number;
  registry?: ChildRegistry;
  stepKey?: string;
  signal?: AbortSignal;
  onLine: (line: string) => void;
  /**
   * Applied to every stdout line before the log file and onLine see it, and to stderr: removes the
   * values of secret environment variables (SecretRedactor). Identity when absent.
   */
  redact?: (text: string) => string;
  /** Each stderr chunk, decoded. */
  onStderr?: (text: string) => void;
  /** The operating system's process table and signals (default: the one for this platform). */
  processControl?: ProcessControl;
}

const STDERR_TAIL = 64 * 1024;
/** Output-triggered snapshots are at most this often (each reads every /proc/<pid>/stat: a few milliseconds). */
const OUTPUT_SNAPSHOT_GAP_MS = 250;
/** Rounds of the after-exit sweep: a process forked while a round scanned is found by the next. */
const SWEEP_ROUNDS = 3;

// Awaited waits keep the process alive (referenced timers): a step being stopped is work in progress, and
// with only unreferenced timers left the CLI's event loop emptied and it quit mid-batch with exit 0.
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for `work`, at most `ms`; the timer is cleared as soon as `work` settles, so it never delays an exit. */
async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([work.then(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export class ClaudeProcess {
  /** Unique to this step; every process it starts inherits it in its environment. */
  readonly token = randomUUID();
  private child?: ProcStat;
  private readonly known = new Map<string, ProcStat>();
  private snapshotChain: Promise<unknown> = Promise.resolve();
  private snapshotTimer?: NodeJS.Timeout;
  private lastSnapshotAt = 0;
  private recordedMembers = '';
  private finished?: Promise<ClaudeProcessEnd>;
  /** Resolves once the child is identified (or could not be spawned): stop() needs its pid. */
  private readonly identified: Promise<void>;
  private markIdentified: () => void = () => undefined;
  private stopReason?: ClaudeProcessEnd['stoppedBy'];
  private stopping?: Promise<void>;
  private exited = false;
  private exitWaiters: (() => void)[] = [];

  private readonly os: ProcessControl;

  constructor(private readonly o: ClaudeProcessOptions) {
    this.os = o.processControl ?? processControlFor();
    this.identified = new Promise<void>((resolve) => (this.markIdentified = resolve));
  }

  /** Runs to the end; never rejects (spawn failures are reported in the result). */
  run(): Promise<ClaudeProcessEnd> {
    this.finished ??= this.runToEnd();
    return this.finished;
  }

  private async runToEnd(): Promise<ClaudeProcessEnd> {
    const o = this.o;
    if (o.signal?.aborted) {
      this.markIdentified();
      return { exitCode: null, signal: null, stderr: '', stoppedBy: 'cancel', command: o.command };
    }
    let log: WriteStream | undefined;
    if (o.logFile) log = createWriteStream(o.logFile, { flags: 'a' });
    const reader = new StreamLineReader();
    const redact = o.redact ?? ((text: string) => text);
    // Line by line, so a secret split across two chunks is still found before anything keeps it.
    const emitLine = (line: string): void => {
      const clean = redact(line);
      log?.write(`${clean}\n`);
      o.onLine(clean);
    };
    let stderr = '';

    // Recorded before it exists: an orchestrator killed during the spawn still leaves the token to reap by.
    if (o.registry) await o.registry.announce(this.token, o.command, o.stepKey).catch(() => undefined);
    const spawnedAfter = await this.os.startTimeFloor();

    // execa is ESM-only: a dynamic import works both in the esbuild CJS bundle and under tsx's CJS hook.
    const { execa } = await import('execa');
    const sub = execa(o.command, o.args, {
      cwd: o.cwd,
      env: { ...o.env, [STEP_TOKEN_VARIABLE]: this.token },
      extendEnv: false,
      input: o.stdin,
      buffer: false,
      reject: false,
      detached: true,
      cleanup: false,
      forceKillAfterDelay: false,
      stripFinalNewline: false,
    });
    const settled = sub.then(
      (r) => r,
      (err: unknown) => ({ failed: true, code: (err as NodeJS.ErrnoException).code, originalMessage: String(err) }) as never,
    );

    if (sub.pid === undefined) {
      this.markIdentified();
      const r = (await settled) as { code?: string; originalMessage?: string; shortMessage?: string };
      log?.end();
      if (o.registry) await o.registry.remove(this.token).catch(() => undefined);
      return {
        exitCode: null,
        signal: null,
        stderr: '',
        command: o.command,
        spawnError: { code: r.code, message: r.originalMessage ?? r.shortMessage ?? 'spawn failed' },
      };
    }
    const pid = sub.pid;
    const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      sub.once('exit', (code, signal) => {
        this.exited = true;
        for (const w of this.exitWaiters) w();
        resolve({ code, signal });
      });
    });
    const stdoutDone = new Promise<void>((resolve) => {
      if (!sub.stdout) return resolve();
      sub.stdout.once('close', resolve);
      sub.stdout.once('end', resolve);
    });

    // Identify the child (pid + start time) and record it before anything else can go wrong.
    const stat = await this.os.stat(pid);
    if (stat && o.registry) await o.registry.started(this.token, stat).catch(() => undefined);
    // Already gone (a very short run): what it left is still swept, bounded by the time of the spawn.
    this.child = stat ?? { pid, ppid: process.pid, pgrp: pid, session: pid, startTime: spawnedAfter, state: 'Z' };
    this.markIdentified();
    void this.snapshot();

    const idle = setTimeout(() => void this.stop('idle-timeout'), o.idleTimeoutMs);
    const wall = setTimeout(() => void this.stop('timeout'), o.wallTimeoutMs);
    const snapshots = setInterval(() => void this.snapshot(), o.snapshotIntervalMs);
    const onAbort = (): void => void this.stop('cancel');
    o.signal?.addEventListener('abort', onAbort, { once: true });

    sub.stdout?.on('data', (chunk: Buffer) => {
      idle.refresh();
      // Output follows a tool's run (tool_result): the moment its background jobs are still our descendants.
      this.requestSnapshot();
      for (const line of reader.push(chunk)) emitLine(line);
    });
    sub.stderr?.on('data', (chunk: Buffer) => {
      idle.refresh();
      const text = chunk.toString('utf8');
      stderr = (stderr + text).slice(-STDERR_TAIL);
      o.onStderr?.(redact(text));
    });

    const { code, signal } = await exit;
    clearTimeout(idle);
    clearTimeout(wall);
    clearInterval(snapshots);
    clearTimeout(this.snapshotTimer);
    o.signal?.removeEventListener('abort', onAbort);
    if (this.stopping) await this.stopping;
    await this.snapshotChain;
    // Before waiting for stdout: a leftover holding the pipe open would otherwise delay the step. What the
    // CLI printed is already in the pipe and is still read to the end.
    await this.killLeftovers();
    await settleWithin(stdoutDone, 2000);
    for (const line of reader.end()) emitLine(line);
    await settleWithin(settled, 1000);
    if (log) await new Promise<void>((resolve) => log.end(resolve));
    if (o.registry) await o.registry.remove(this.token).catch(() => undefined);
    return {
      exitCode: code,
      signal,
      stderr: redact(stderr),
      command: o.command,
      stoppedBy: this.stopReason,
      timeoutMs: this.stopReason === 'timeout' ? o.wallTimeoutMs : this.stopReason === 'idle-timeout' ? o.idleTimeoutMs : undefined,
    };
  }

  /** At most one output-triggered snapshot per OUTPUT_SNAPSHOT_GAP_MS; none after the exit. */
  private requestSnapshot(): void {
    if (this.snapshotTimer !== undefined || this.exited) return;
    const wait = Math.max(0, this.lastSnapshotAt + OUTPUT_SNAPSHOT_GAP_MS - Date.now());
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = undefined;
      void this.snapshot();
    }, wait);
  }

  /** Snapshots run one at a time, in order. */
  private snapshot(): Promise<ProcStat[]> {
    const next = this.snapshotChain.then(() => this.takeSnapshot());
    this.snapshotChain = next.catch(() => undefined);
    return next.catch(() => []);
  }

  /** Remembers every process in the child's tree (and records it), so stop() can find re-parented ones. */
  private async takeSnapshot(): Promise<ProcStat[]> {
    if (!this.child || this.exited) return [];
    this.lastSnapshotAt = Date.now();
    const all = await this.os.list();
    const groups = new Set<number>();
    for (const k of this.known.values()) {
      groups.add(k.pgrp);
      groups.add(k.session);
    }
    const tree = collectTree(all, this.child.pid, groups).filter((p) => p.startTime >= (this.child as ProcStat).startTime);
    for (const p of tree) this.known.set(`${p.pid}:${p.startTime}`, p);
    const members = tree.map((p) => `${p.pid}:${p.startTime}`).sort().join(',');
    if (members !== this.recordedMembers && this.o.registry) {
      this.recordedMembers = members;
      await this.o.registry.setMembers(this.token, tree).catch(() => undefined);
    }
    return tree;
  }

  private async waitExit(ms: number): Promise<boolean> {
    if (this.exited) return true;
    await settleWithin(new Promise<void>((resolve) => this.exitWaiters.push(resolve)), ms);
    return this.exited;
  }

  /** SIGINT, wait, SIGKILL; the tree is collected before any signal. Idempotent. */
  stop(reason: NonNullable<ClaudeProcessEnd['stoppedBy']>): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.exited) return Promise.resolve();
    this.stopReason = reason;
    this.stopping = (async () => {
      if (this.finished) await this.identified;
      await this.snapshot();
      const child = this.child;
      // Until its exit event the child is not reaped, so its pid cannot have been reused: signalling it is
      // safe without re-reading its start time (a /proc read that failed under load once skipped the signal
      // and left a hung child running). After the exit, the sweep that follows it does the rest.
      if (!child || this.exited) return;
      await this.os.stopRoot(child.pid, false);
      // Keep collecting while the CLI winds down: a process it starts in this window is still its child.
      const watch = setInterval(() => void this.snapshot(), 50);
      const exitedInTime = await this.waitExit(this.o.stopGraceMs);
      clearInterval(watch);
      if (!exitedInTime) {
        if (!this.exited) await this.os.stopRoot(child.pid, true);
        await this.waitExit(2000);
      }
    })();
    return this.stopping;
  }

  /**
   * After the CLI exited: every live process carrying the step's token or recorded in a snapshot (same pid
   * and start time), what shares a group/session with one of them or the CLI's own session, and their
   * descendants are SIGKILLed (groups first). Repeated while a round still finds something.
   */
  private async killLeftovers(): Promise<void> {
    const child = this.child;
    if (!child) return;
    for (let round = 0; round < SWEEP_ROUNDS; round++) {
      const all = await this.os.list();
      const bearers = (await this.os.tokenBearers(all, [this.token]))?.get(this.token) ?? [];
      const left = selectStepLeftovers(all, {
        root: child,
        known: this.known.values(),
        tokenBearers: bearers,
        // The CLI was spawned detached: it led its own group and session.
        trustedGroups: [child.pid],
      }).filter((p) => !(p.pid === child.pid && p.startTime === child.startTime));
      if (left.length === 0) return;
      await this.os.kill(left);
      await delay(20);
    }
  }

  /** Stops the child if it is running and resolves once everything it left is gone (used by dispose). */
  async dispose(): Promise<void> {
    await this.stop('cancel');
    if (this.finished) await this.finished;
  }
}
