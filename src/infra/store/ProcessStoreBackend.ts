// The database in a child process (the same entry as the worker thread, forked with advanced
// serialisation). For the extension host: sql.js keeps the whole database in wasm memory and its
// allocator keeps what it once used, so in a thread of the extension host the editor's process would
// grow by ~50 MB over a long run (the memory-growth benchmark, `npm run bench B7`). In its own process that memory is not the editor's,
// and a crash of it (out of memory) cannot take the extension host down. The child exits when its
// parent does (IPC channel closed), after writing the database file; it never outlives us.

import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RemoteStoreBackend, storeWorkerData, whenReady } from './RemoteStoreBackend';
import type { StoreBackendOpenInfo, StoreBackendOptions } from './StoreBackend';
import type { FromStoreWorker, ToStoreWorker } from './StoreWorkerProtocol';
import { storeWorkerEntry } from './WorkerStoreBackend';

/** How often checkpointSync looks for the child's marker file while it blocks. */
const MARKER_POLL_MS = 5;

export class ProcessStoreBackend extends RemoteStoreBackend {
  readonly kind = 'process';
  private markerSeq = 0;

  private constructor(
    private readonly child: ChildProcess,
    private readonly stateDir: string | undefined,
    warn: (message: string) => void,
  ) {
    super(warn);
    child.on('message', (m: FromStoreWorker) => this.onMessage(m));
    child.on('error', (err) => this.fail(new Error(`the state database process failed: ${err.message}`)));
    child.on('exit', (code, signal) => this.fail(new Error(`the state database process exited (${signal ?? `code ${code}`})`)));
    // Idle, the child must not keep a CLI process alive; it is ref'd while a request is outstanding.
    this.unref();
  }

  /** The child's pid, for diagnostics and the memory benchmark. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  static async open(o: StoreBackendOptions): Promise<{ backend: ProcessStoreBackend; info: StoreBackendOpenInfo }> {
    const entry = storeWorkerEntry();
    const child = fork(entry.file, [], {
      execArgv: entry.execArgv ?? [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // Not the workspace: the child needs no files but its own and the state folder.
      cwd: os.tmpdir(),
      // In the extension host process.execPath is the editor's runtime; this makes it plain Node
      // (as vscode-languageclient does for forked servers). Plain Node ignores it.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (stderr.length < 4000) stderr += chunk;
    });
    if (o.lowPriority && child.pid !== undefined) {
      try {
        os.setPriority(child.pid, 10);
      } catch {
        // Not permitted: it runs at our priority.
      }
    }
    const ready = whenReady(
      child,
      'process',
      o.warn,
      (code, signal) => `${signal ? String(signal) : `code ${String(code)}`}${stderr ? `: ${stderr.trim()}` : ''}`,
      () => child.kill('SIGKILL'),
    );
    child.send({ kind: 'init', data: storeWorkerData(o, false) }); // reniced above, not by itself
    const info = await ready;
    return { backend: new ProcessStoreBackend(child, o.stateDir, o.warn), info };
  }

  /**
   * Blocks until the child has written the database file: it cannot answer a message while this
   * thread waits, so it writes a marker file that this polls for (5 ms sleeps, up to `timeoutMs`).
   */
  checkpointSync(timeoutMs: number): void {
    if (this.dead) throw this.dead;
    if (!this.stateDir) return;
    const marker = path.join(this.stateDir, `.checkpoint-${process.pid}-${++this.markerSeq}.done`);
    this.post({ kind: 'checkpointToMarker', marker });
    const sleep = new Int32Array(new SharedArrayBuffer(4));
    const deadline = Date.now() + timeoutMs;
    while (!fs.existsSync(marker)) {
      if (Date.now() > deadline) throw new Error(`the state database process did not checkpoint within ${timeoutMs} ms`);
      Atomics.wait(sleep, 0, 0, MARKER_POLL_MS);
    }
    const outcome = fs.readFileSync(marker, 'utf8'); // written atomically: whole when it exists
    fs.rmSync(marker, { force: true });
    if (outcome !== 'done') throw new Error(`the state database process could not write the database file (${outcome || 'no answer'})`);
  }

  async close(): Promise<void> {
    if (!this.dead) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      await this.request((reqId) => ({ kind: 'close', reqId }));
      this.dead = new Error('the state database is closed');
      // It exits by itself after answering; a child that does not is stopped.
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    this.dead ??= new Error('the state database is closed');
  }

  closeSync(): void {
    this.dead ??= new Error('the state database is closed');
    // checkpointSync wrote the file; closing the channel makes the child exit (it checkpoints again, harmlessly).
    if (this.child.connected) this.child.disconnect();
  }

  protected post(m: ToStoreWorker): void {
    if (this.child.connected) this.child.send(m);
  }

  protected ref(): void {
    this.child.ref();
    (this.child.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  protected unref(): void {
    this.child.unref();
    (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
  }
}
