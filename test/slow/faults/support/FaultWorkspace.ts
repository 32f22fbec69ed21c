// A throw-away BMAD workspace (real files, real git) driven through the real CLI (dist/cli.js) with
// sim-claude, plus the checks the fault cases share: processes left behind (by a unique marker in their
// environment, read from /proc), ledger bytes + mtime, events printed by the CLI.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, promises as fsp, readdirSync, readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SprintEvent } from '../../../../src/core/SprintEvents';

export const REPO = path.resolve(__dirname, '../../../..');
export const CLI = path.join(REPO, 'dist', 'cli.js');
export const SIM_CLAUDE = path.join(REPO, 'dist', 'sim-claude.js');
const LEDGER_REL = path.join('_bmad-output', 'implementation-artifacts', 'sprint-status.yaml');

export function requireBuiltCli(): void {
  if (!existsSync(CLI) || !existsSync(SIM_CLAUDE)) throw new Error(`${CLI} or ${SIM_CLAUDE} is missing: run \`npm run build\` first (npm test does)`);
}

/** A sim-claude scenario (docs/claude-cli.md). */
export interface Scenario {
  name?: string;
  delayMs?: number | [number, number];
  rules?: Record<string, unknown>[];
}

export const FAST_SCENARIO: Scenario = { name: 'fast happy', delayMs: [5, 20], rules: [{ command: 'create-story', techSpec: 'SKIP' }] };

export interface WorkspaceOptions {
  /** Story key → status (epics derived), or the complete ledger text. Default: three backlog stories in two epics. */
  stories?: Record<string, string>;
  ledgerText?: string;
  scenario?: Scenario;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** `--json` events, in print order. */
  events: SprintEvent[];
  durationMs: number;
}

export function ledgerFromStories(stories: Record<string, string>): string {
  const lines = ['# Sprint status for the fault suite', 'development_status:'];
  const epics: string[] = [];
  for (const [key, status] of Object.entries(stories)) {
    const epic = key.split('-')[0];
    if (!epics.includes(epic)) {
      epics.push(epic);
      lines.push(`  # Epic ${epic}`, `  epic-${epic}: in-progress`);
    }
    lines.push(`  ${key}: ${status}  # story ${key}`);
  }
  return `${lines.join('\n')}\n`;
}

export class FaultWorkspace {
  /** Every process the runs start inherits this variable; /proc/<pid>/environ finds them. */
  readonly marker = `SR_FAULT_MARKER=${randomUUID()}`;
  readonly stateDir: string;
  readonly ledgerPath: string;
  readonly scenarioPath: string;
  private readonly children = new Set<ChildProcess>();

  private constructor(readonly root: string) {
    this.stateDir = path.join(root, '.sprint-runner');
    this.ledgerPath = path.join(root, LEDGER_REL);
    this.scenarioPath = path.join(path.dirname(root), `${path.basename(root)}.scenario.json`);
  }

  static async create(o: WorkspaceOptions = {}): Promise<FaultWorkspace> {
    requireBuiltCli();
    const base = await fsp.mkdtemp(path.join(os.tmpdir(), 'sr-fault-'));
    const root = path.join(base, 'ws');
    await fsp.cp(path.join(REPO, 'sample-workspace'), root, { recursive: true });
    const ws = new FaultWorkspace(root);
    const text = o.ledgerText ?? ledgerFromStories(o.stories ?? { '1-1-first': 'backlog', '1-2-second': 'backlog', '2-1-third': 'backlog' });
    await fsp.writeFile(ws.ledgerPath, text);
    await fsp.writeFile(ws.scenarioPath, JSON.stringify(o.scenario ?? FAST_SCENARIO));
    const git = (...args: string[]) => {
      const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    };
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.email=faults@example.com', '-c', 'user.name=Fault Suite', 'commit', '-qm', 'initial');
    return ws;
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const [k, v] = this.marker.split('=');
    return {
      ...process.env,
      [k]: v,
      IS_SANDBOX: '1',
      SIM_CLAUDE_SCENARIO: this.scenarioPath,
      SIM_CLAUDE_STATE_DIR: path.join(path.dirname(this.root), 'sim-state'),
      GIT_AUTHOR_NAME: 'Fault Suite',
      GIT_AUTHOR_EMAIL: 'faults@example.com',
      GIT_COMMITTER_NAME: 'Fault Suite',
      GIT_COMMITTER_EMAIL: 'faults@example.com',
      ...extra,
    };
  }

  async setScenario(s: Scenario): Promise<void> {
    await fsp.writeFile(this.scenarioPath, JSON.stringify(s));
  }

  /** Starts `sprint-runner <args> --workspace <root> --json` (claude = sim-claude unless args say otherwise). */
  start(args: string[], o: { env?: Record<string, string>; claude?: string } = {}): { child: ChildProcess; done: Promise<CliRun>; events: SprintEvent[]; stdoutSoFar: () => string } {
    const full = [CLI, ...args, '--workspace', this.root, '--json', '--claude', o.claude ?? SIM_CLAUDE];
    const t0 = Date.now();
    const child = spawn(process.execPath, full, { cwd: this.root, env: this.env(o.env), stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    let stdout = '';
    let stderr = '';
    const events: SprintEvent[] = [];
    let partial = '';
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      stdout += d;
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        if (!l.startsWith('{')) continue;
        try {
          events.push(JSON.parse(l) as SprintEvent);
        } catch {
          // A line cut by kill -9 mid-write; the rest of the stream is what the checks use.
        }
      }
    });
    child.stderr!.on('data', (d: string) => (stderr += d));
    const done = new Promise<CliRun>((resolve) => {
      child.on('close', (code, signal) => {
        this.children.delete(child);
        resolve({ code, signal, stdout, stderr, events, durationMs: Date.now() - t0 });
      });
    });
    return { child, done, events, stdoutSoFar: () => stdout };
  }

  run(args: string[], o: { env?: Record<string, string>; claude?: string } = {}): Promise<CliRun> {
    return this.start(args, o).done;
  }

  ledgerText(): string {
    return readFileSync(this.ledgerPath, 'utf8');
  }

  /** Bytes and mtime of the ledger: a failed operation must leave both as they were. */
  ledgerFingerprint(): { bytes: Buffer; mtimeMs: number } {
    return { bytes: readFileSync(this.ledgerPath), mtimeMs: statSync(this.ledgerPath).mtimeMs };
  }

  /** Processes (other than the test itself) whose environment carries this workspace's marker. */
  leftoverProcesses(): { pid: number; cmdline: string }[] {
    return processesWithMarker(this.marker);
  }

  /** Ends what a failed case left behind (only processes carrying this workspace's marker), then deletes the files. */
  async dispose(): Promise<void> {
    for (const c of this.children) c.kill('SIGKILL');
    for (const p of this.leftoverProcesses()) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await fsp.rm(path.dirname(this.root), { recursive: true, force: true });
  }
}

export function processesWithMarker(marker: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
      if (!environ.split('\0').includes(marker)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      if (/\) Z /.test(stat)) continue; // a zombie holds no resources and is reaped by its parent
      found.push({ pid, cmdline: readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').trim() });
    } catch {
      // Gone between readdir and read, or not ours to read.
    }
  }
  return found;
}

/** Waits until no process carries the marker (children may need a moment to exit after their parent). */
export async function waitNoLeftovers(ws: FaultWorkspace, ms = 5000): Promise<{ pid: number; cmdline: string }[]> {
  const until = Date.now() + ms;
  let left = ws.leftoverProcesses();
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    left = ws.leftoverProcesses();
  }
  return left;
}

export function eventsOfType<T extends SprintEvent['type']>(events: SprintEvent[], type: T): Extract<SprintEvent, { type: T }>[] {
  return events.filter((e): e is Extract<SprintEvent, { type: T }> => e.type === type);
}
