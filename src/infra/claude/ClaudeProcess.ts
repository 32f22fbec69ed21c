// One `claude -p` child: spawned with execa (argument array, never a shell) in its own process group,
// prompt written to stdin and stdin closed, stdout streamed line by line to the caller and raw to a log
// file, read until the process exits. Stopping it (abort, wall/idle timeout, dispose): collect its tree from
// /proc first, SIGINT the CLI (it aborts the running tool and prints a result), wait, SIGKILL, then SIGKILL
// every collected group and process still alive. Nothing it started outlives the step.

import { createWriteStream, type WriteStream } from 'node:fs';
import type { ClaudeProcessEnd } from '../../core/claude/classifyOutcome';
import { StreamLineReader } from '../../core/claude/StreamLineReader';
import type { ChildRegistry } from './ChildRegistry';
import { collectTree, isSameProcessAlive, killProcesses, listProcesses, readProcStat, signalProcess, type ProcStat } from './processTree';

export interface ClaudeProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  /** The complete environment of the child. */
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
  /** Each stderr chunk, decoded. */
  onStderr?: (text: string) => void;
}

const STDERR_TAIL = 64 * 1024;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export class ClaudeProcess {
  private child?: ProcStat;
  private readonly known = new Map<string, ProcStat>();
  private stopReason?: ClaudeProcessEnd['stoppedBy'];
  private stopping?: Promise<void>;
  private exited = false;
  private exitWaiters: (() => void)[] = [];

  constructor(private readonly o: ClaudeProcessOptions) {}

  /** Runs to the end; never rejects (spawn failures are reported in the result). */
  async run(): Promise<ClaudeProcessEnd> {
    const o = this.o;
    if (o.signal?.aborted) return { exitCode: null, signal: null, stderr: '', stoppedBy: 'cancel', command: o.command };
    let log: WriteStream | undefined;
    if (o.logFile) log = createWriteStream(o.logFile, { flags: 'a' });
    const reader = new StreamLineReader();
    let stderr = '';

    // execa is ESM-only: a dynamic import works both in the esbuild CJS bundle and under tsx's CJS hook.
    const { execa } = await import('execa');
    const sub = execa(o.command, o.args, {
      cwd: o.cwd,
      env: o.env,
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
      const r = (await settled) as { code?: string; originalMessage?: string; shortMessage?: string };
      log?.end();
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
    this.child = await readProcStat(pid);
    if (this.child && o.registry) await o.registry.add(this.child, o.command, o.stepKey).catch(() => undefined);

    const idle = setTimeout(() => void this.stop('idle-timeout'), o.idleTimeoutMs);
    const wall = setTimeout(() => void this.stop('timeout'), o.wallTimeoutMs);
    const snapshots = setInterval(() => void this.snapshot(), o.snapshotIntervalMs);
    const onAbort = (): void => void this.stop('cancel');
    o.signal?.addEventListener('abort', onAbort, { once: true });

    sub.stdout?.on('data', (chunk: Buffer) => {
      idle.refresh();
      log?.write(chunk);
      for (const line of reader.push(chunk)) o.onLine(line);
    });
    sub.stderr?.on('data', (chunk: Buffer) => {
      idle.refresh();
      const text = chunk.toString('utf8');
      stderr = (stderr + text).slice(-STDERR_TAIL);
      o.onStderr?.(text);
    });

    const { code, signal } = await exit;
    clearTimeout(idle);
    clearTimeout(wall);
    clearInterval(snapshots);
    o.signal?.removeEventListener('abort', onAbort);
    // Read to the end of stdout; a grandchild holding the pipe open must not hang us.
    await Promise.race([stdoutDone, delay(2000)]);
    if (this.stopping) await this.stopping;
    await this.killLeftovers();
    await Promise.race([stdoutDone, delay(1000)]);
    for (const line of reader.end()) o.onLine(line);
    await Promise.race([settled.then(() => undefined), delay(1000)]);
    if (log) await new Promise<void>((resolve) => log.end(resolve));
    if (this.child && o.registry) await o.registry.remove(this.child).catch(() => undefined);
    return {
      exitCode: code,
      signal,
      stderr,
      command: o.command,
      stoppedBy: this.stopReason,
      timeoutMs: this.stopReason === 'timeout' ? o.wallTimeoutMs : this.stopReason === 'idle-timeout' ? o.idleTimeoutMs : undefined,
    };
  }

  /** Remembers every process in the child's tree (and records it), so stop() can find re-parented ones. */
  private async snapshot(): Promise<ProcStat[]> {
    if (!this.child) return [];
    const all = await listProcesses();
    const groups = new Set<number>();
    for (const k of this.known.values()) {
      groups.add(k.pgrp);
      groups.add(k.session);
    }
    const tree = collectTree(all, this.child.pid, groups);
    const fresh = tree.filter((p) => !this.known.has(`${p.pid}:${p.startTime}`));
    for (const p of tree) this.known.set(`${p.pid}:${p.startTime}`, p);
    if (fresh.length > 0 && this.o.registry) await this.o.registry.setMembers(this.child, fresh).catch(() => undefined);
    return tree;
  }

  private async waitExit(ms: number): Promise<boolean> {
    if (this.exited) return true;
    await Promise.race([new Promise<void>((resolve) => this.exitWaiters.push(resolve)), delay(ms)]);
    return this.exited;
  }

  /** SIGINT, wait, SIGKILL; the tree is collected before any signal. Idempotent. */
  stop(reason: NonNullable<ClaudeProcessEnd['stoppedBy']>): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.exited) return Promise.resolve();
    this.stopReason = reason;
    this.stopping = (async () => {
      await this.snapshot();
      const child = this.child;
      if (!child) return;
      signalProcess(child.pid, 'SIGINT');
      // Keep collecting while the CLI winds down: a process it starts in this window is still its child.
      const watch = setInterval(() => void this.snapshot(), 50);
      const exitedInTime = await this.waitExit(this.o.stopGraceMs);
      clearInterval(watch);
      if (!exitedInTime) {
        if (await isSameProcessAlive(child.pid, child.startTime)) signalProcess(child.pid, 'SIGKILL');
        await this.waitExit(2000);
      }
    })();
    return this.stopping;
  }

  /** After the CLI exited: anything of its tree still running is SIGKILLed (groups first). */
  private async killLeftovers(): Promise<void> {
    if (!this.child) return;
    const all = await listProcesses();
    const groups = new Set<number>();
    for (const k of this.known.values()) {
      groups.add(k.pgrp);
      groups.add(k.session);
    }
    groups.add(this.child.pid); // the CLI led its own group and session (detached)
    const candidates = new Map<string, ProcStat>();
    for (const p of this.known.values()) candidates.set(`${p.pid}:${p.startTime}`, p);
    for (const p of all) {
      if (groups.has(p.pgrp) || groups.has(p.session)) candidates.set(`${p.pid}:${p.startTime}`, p);
    }
    candidates.delete(`${this.child.pid}:${this.child.startTime}`);
    await killProcesses([...candidates.values()]);
  }

  /** Stops the child if it is running (used by dispose). */
  dispose(): Promise<void> {
    return this.stop('cancel');
  }
}
