// The extension's runtime around one sprint: which folder holds the ledger, the lazily opened
// SprintSession (sql.js and the engine load on first use, never at activation), the run state the
// UI shows, and the live per-story activity the tree and status bar render. Also the dashboard's host.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { commandLabel, type StepCommand } from '../core/commands';
import type { RunState, SprintEvent } from '../core/SprintEvents';
import type { LedgerSnapshot } from '../core/ledger/LedgerTypes';
import { archivedArtifactsDir, describeLedgerChoice, type WorkspaceLayout } from '../core/workspace/WorkspaceLayout';
import { NodeFileSystem } from '../infra/NodeFileSystem';
import { LaneSlots } from '../shared/LaneSlots';
import type { DashboardBudgets, DashboardHost, DashboardStore } from './dashboard/DashboardHost';
import type { LedgerModule } from './lazyLedger';
import type { SprintRunnerConfig, SprintRunnerSettings } from './SprintRunnerSettings';
import type { SprintSessionPort } from './SprintSessionPort';

/** A message meant for the user as it is (no stack, no "Error:"), e.g. "a run is already active". */
export class SprintUserError extends Error {
  override readonly name = 'SprintUserError';
}

export interface StoryActivity {
  working: boolean;
  command?: StepCommand;
  attempt?: number;
  /** `code-review-2 (success)`. */
  lastCommand?: string;
  tokens: number;
  costUsd: number;
  /** Parallel mode: the number of the lane (worktree) the story runs in, while it is open. */
  lane?: number;
}

export interface RunProgress {
  batchId?: number;
  cycle?: number;
  maxCycles?: number | null;
  storyKeys: string[];
  command?: StepCommand;
  attempt?: number;
  costUsd: number;
  /** Story key → short id, for compact labels. */
  shortIds: Record<string, string>;
}

export type SessionOpener = (o: {
  workspaceRoot: string;
  stateDir: string;
  config: SprintRunnerConfig;
  onLog: (level: 'info' | 'warn' | 'error', message: string) => void;
}) => Promise<SprintSessionPort>;

const FOLDER_KEY = 'sprintRunner.folder';

export class SprintSessionHost implements DashboardHost, vscode.Disposable {
  private readonly emitted = new vscode.EventEmitter<SprintEvent>();
  /** Every engine event, as emitted (tree, status bar, output, notifications, webhook, dashboard, API). */
  readonly onDidEmit = this.emitted.event;
  private readonly ledgerChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeLedger = this.ledgerChanged.event;
  private readonly stateChanged = new vscode.EventEmitter<void>();
  /** Run state, progress or per-story activity changed. */
  readonly onDidChangeState = this.stateChanged.event;

  private runState: RunState = 'idle';
  private sessionPromise: Promise<SprintSessionPort> | undefined;
  private sessionStale = false;
  private layoutPromise: Promise<WorkspaceLayout | undefined> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private watcher: vscode.FileSystemWatcher | undefined;
  private ledgerDebounce: ReturnType<typeof setTimeout> | undefined;
  private readonly activity = new Map<string, StoryActivity>();
  private readonly lanes = new LaneSlots();
  private progress: RunProgress = { storyKeys: [], costUsd: 0, shortIds: {} };
  private activeRun: Promise<unknown> | undefined;
  /** The open session's event subscription (one session at a time). */
  private sessionEvents: { dispose(): void } | undefined;
  private readonly fs = new NodeFileSystem();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly settings: SprintRunnerSettings,
    private readonly openSession: SessionOpener,
    private readonly log: vscode.LogOutputChannel,
    /** The ledger/workspace reader (dist/ledger.js, yaml), loaded on first use: see lazyLedger. */
    readonly ledger: () => LedgerModule,
  ) {
    this.disposables.push(
      this.emitted,
      this.ledgerChanged,
      this.stateChanged,
      settings.onDidChange(() => {
        // Ledger override may have changed: rediscover. Engine settings apply to the next run.
        this.layoutPromise = undefined;
        this.sessionStale = true;
        if (this.runState === 'idle') void this.closeSession();
        this.ledgerChanged.fire();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.layoutPromise = undefined;
        this.ledgerChanged.fire();
      }),
    );
    void this.updateContext();
  }

  // ---- state -------------------------------------------------------------------------------------

  getRunState(): RunState {
    return this.runState;
  }

  getProgress(): Readonly<RunProgress> {
    return this.progress;
  }

  getActivity(storyKey: string): StoryActivity | undefined {
    return this.activity.get(storyKey);
  }

  get isTrusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** True once the session (sql.js, engine) was loaded: activation leaves it false. */
  get isSessionOpen(): boolean {
    return this.sessionPromise !== undefined;
  }

  getBudgets(): DashboardBudgets {
    const c = this.settings.current;
    return { ...(c.budgetPerStoryUsd ? { storyUsd: c.budgetPerStoryUsd } : {}), ...(c.budgetPerBatchUsd ? { batchUsd: c.budgetPerBatchUsd } : {}) };
  }

  /** Any `sprintRunner.*` setting changed: the dashboard re-reads budgets and lanes. */
  get onDidChangeSettings(): vscode.Event<unknown> {
    return this.settings.onDidChange;
  }

  getMaxParallel(): number {
    return this.settings.current.git.maxParallel;
  }

  /** The database folder: the workspace's storage (one per workspace, created on first use). */
  stateDir(): string {
    const base = this.context.storageUri ?? this.context.globalStorageUri;
    return base.fsPath;
  }

  // ---- the ledger ----------------------------------------------------------------------------------

  /** The sprint's folder layout, or undefined when no folder has a ledger. Cheap: a few stats. */
  layout(): Promise<WorkspaceLayout | undefined> {
    this.layoutPromise ??= this.discover();
    return this.layoutPromise;
  }

  private async discover(): Promise<WorkspaceLayout | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const override = this.settings.current.ledgerPath;
    const found: { folder: vscode.WorkspaceFolder; layout: WorkspaceLayout }[] = [];
    const { findLayout } = this.ledger();
    for (const folder of folders) {
      try {
        const layout = await findLayout(folder.uri.fsPath, this.fs, override || undefined);
        if (layout) found.push({ folder, layout });
      } catch (err) {
        this.log.warn(`${folder.uri.fsPath}: ${(err as Error).message}`);
      }
    }
    let chosen = found[0];
    if (found.length > 1) {
      const remembered = this.context.workspaceState.get<string>(FOLDER_KEY);
      chosen = found.find((f) => f.folder.uri.toString() === remembered) ?? chosen;
      if (!remembered) this.log.info(`Several folders have a sprint ledger; using ${chosen.folder.name}. Run any Sprint Runner command to choose.`);
    }
    const ledgerChoice = chosen ? describeLedgerChoice(chosen.layout) : undefined;
    if (ledgerChoice) this.log.warn(ledgerChoice);
    this.settings.setScope(chosen?.folder.uri);
    this.watch(chosen?.layout.ledgerPath);
    await this.setContext('sprintRunner.hasLedger', chosen !== undefined);
    await this.setContext('sprintRunner.multiRoot', found.length > 1);
    return chosen?.layout;
  }

  /** Asks which folder to use when several hold a ledger (only when the user gave no argument). */
  async chooseFolder(): Promise<void> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const candidates: vscode.WorkspaceFolder[] = [];
    const { findLayout } = this.ledger();
    for (const f of folders) {
      try {
        if (await findLayout(f.uri.fsPath, this.fs)) candidates.push(f);
      } catch {
        // Not a usable BMAD folder.
      }
    }
    if (candidates.length < 2) return;
    const pick = await vscode.window.showQuickPick(
      candidates.map((f) => ({ label: f.name, description: f.uri.fsPath, folder: f })),
      { title: 'Sprint Runner: which folder holds the sprint to run?' },
    );
    if (!pick) return;
    await this.context.workspaceState.update(FOLDER_KEY, pick.folder.uri.toString());
    this.layoutPromise = undefined;
    await this.closeSession();
    this.ledgerChanged.fire();
  }

  private watch(ledgerPath: string | undefined): void {
    this.watcher?.dispose();
    this.watcher = undefined;
    if (!ledgerPath) return;
    const w = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(path.dirname(ledgerPath)), path.basename(ledgerPath)),
    );
    const changed = () => {
      // Agents and the engine write the file in bursts (temp + rename): one refresh per burst.
      if (this.ledgerDebounce) clearTimeout(this.ledgerDebounce);
      this.ledgerDebounce = setTimeout(() => this.ledgerChanged.fire(), 250);
    };
    w.onDidChange(changed);
    w.onDidCreate(changed);
    w.onDidDelete(() => {
      this.layoutPromise = undefined;
      changed();
    });
    this.watcher = w;
  }

  async readLedger(): Promise<LedgerSnapshot | undefined> {
    const layout = await this.layout();
    if (!layout) return undefined;
    return this.ledger().readLedgerSnapshot(layout.ledgerPath, this.fs);
  }

  /** Epic id → title from `{planning_artifacts}/epics.md` (or `epics/*.md`); {} when there is none. */
  async readEpicTitles(): Promise<Record<string, string>> {
    const layout = await this.layout();
    if (!layout) return {};
    return this.ledger().readEpicTitlesOf(layout.planningArtifacts, this.fs);
  }

  // ---- the session (lazy) --------------------------------------------------------------------------

  /** Opens the SprintSession on first use; reopens it after settings changed (between runs). */
  session(): Promise<SprintSessionPort> {
    if (this.sessionPromise && !(this.sessionStale && this.runState === 'idle')) return this.sessionPromise;
    const previous = this.sessionPromise;
    this.sessionStale = false;
    const opening = (async () => {
      if (previous) await (await previous.catch(() => undefined))?.dispose();
      const layout = await this.layout();
      if (!layout) throw new SprintUserError('No sprint-status.yaml in this workspace. Create one with "Sprint Runner: Create sprint-status.yaml from Template".');
      const config = this.settings.current;
      // A gate that cannot run, containers without an image: refuse rather than run less safely than asked.
      if (config.git.errors.length > 0) throw new SprintUserError(`Sprint Runner settings need fixing: ${config.git.errors.join(' ')}`);
      const started = Date.now();
      const session = await this.openSession({
        workspaceRoot: layout.root,
        stateDir: this.stateDir(),
        config,
        onLog: (level, message) => this.log[level](message),
      });
      this.sessionEvents?.dispose();
      this.sessionEvents = session.onDidEmit((e) => this.handle(e));
      this.log.info(`Run journal opened in ${Date.now() - started} ms (${this.stateDir()})`);
      await this.seedCosts(session);
      return session;
    })();
    this.sessionPromise = opening;
    opening.catch(() => {
      if (this.sessionPromise === opening) this.sessionPromise = undefined;
    });
    return opening;
  }

  private async closeSession(): Promise<void> {
    const p = this.sessionPromise;
    this.sessionPromise = undefined;
    const s = await p?.catch(() => undefined);
    this.sessionEvents?.dispose();
    this.sessionEvents = undefined;
    await s?.dispose();
  }

  private async seedCosts(session: SprintSessionPort): Promise<void> {
    try {
      const byStory = await session.store.costsByStory();
      for (const [key, c] of byStory) {
        const a = this.activityOf(key);
        a.tokens = c.inputTokens + c.outputTokens + c.cacheCreationInputTokens + c.cacheReadInputTokens;
        a.costUsd = c.costUsd;
      }
      const latest = await session.store.latestBatch();
      await this.setContext('sprintRunner.canResume', latest !== undefined && (latest.status === 'running' || latest.status === 'paused'));
    } catch (err) {
      this.log.warn(`Could not read past costs from the run journal: ${(err as Error).message}`);
    }
  }

  async getStore(): Promise<DashboardStore | undefined> {
    // Opening the session takes the state lock and reaps orphaned agents: not in Restricted Mode.
    if (!vscode.workspace.isTrusted || !(await this.layout())) return undefined;
    return (await this.session()).store;
  }

  // ---- run controls --------------------------------------------------------------------------------

  private assertCanSpawn(): void {
    if (!vscode.workspace.isTrusted) {
      throw new SprintUserError('Sprint Runner does not start agents in an untrusted workspace. Trust the workspace (Manage Workspace Trust) to run the sprint.');
    }
  }

  /**
   * Starts a batch and resolves when it ends (with the engine's result). Rejects at once when a run is
   * active or the workspace is untrusted.
   */
  async run(cycles: number | 'all', startWith?: string): Promise<unknown> {
    this.assertCanSpawn();
    if (this.activeRun) throw new SprintUserError(`A sprint run is already ${this.runState}. Pause or stop it first.`);
    const session = await this.session();
    return this.track(session.run({ cycles, ...(startWith ? { startWith } : {}) }));
  }

  /** Continues the interrupted or paused batch from its journal. */
  async resumeRun(): Promise<unknown> {
    this.assertCanSpawn();
    if (this.activeRun) throw new SprintUserError(`A sprint run is already ${this.runState}.`);
    const session = await this.session();
    return this.track(
      session.resume().catch((err: Error) => {
        // "Nothing to resume" is an answer for the user, not a failure.
        throw err.name === 'NothingToResumeError' ? new SprintUserError(err.message) : err;
      }),
    );
  }

  private track(run: Promise<unknown>): Promise<unknown> {
    this.activeRun = run;
    if (this.runState === 'idle') this.setRunState('running');
    const done = () => {
      if (this.activeRun === run) this.activeRun = undefined;
      for (const a of this.activity.values()) a.working = false;
      this.setRunState(this.progressStateAfterRun());
      if (this.sessionStale) void this.closeSession();
    };
    run.then(done, done);
    return run;
  }

  private progressStateAfterRun(): RunState {
    return this.runState === 'paused' ? 'paused' : 'idle';
  }

  async pause(): Promise<void> {
    if (!this.activeRun) throw new SprintUserError('No sprint run is active.');
    (await this.session()).pause();
  }

  async stop(reason = 'Stopped by the user'): Promise<void> {
    if (!this.activeRun) throw new SprintUserError('No sprint run is active.');
    (await this.session()).stop(reason);
  }

  /** DashboardHost: start without waiting for the batch to end. */
  async startRun(cycles: number | 'all'): Promise<void> {
    this.run(cycles).catch((err) => this.reportBackground(err));
  }

  async resume(): Promise<void> {
    this.resumeRun().catch((err) => this.reportBackground(err));
  }

  async resumeStory(storyKey: string): Promise<void> {
    this.resumeStoryRun(storyKey).catch((err) => this.reportBackground(err));
  }

  /** Resume story: unblocks first (the status it had before, from the journal), then one cycle starting with it. */
  async resumeStoryRun(storyKey: string): Promise<unknown> {
    this.assertCanSpawn();
    if (this.activeRun) throw new SprintUserError(`A sprint run is already ${this.runState}.`);
    const session = await this.session();
    const story = (await session.ledger.read()).stories.find((s) => s.key === storyKey || s.shortId === storyKey);
    if (!story) throw new SprintUserError(`Story "${storyKey}" is not in ${session.ledger.path}.`);
    if (story.status === 'done') throw new SprintUserError(`Story ${story.key} is already done.`);
    return this.track(session.resumeStory(story.key));
  }

  async unblockStory(storyKey: string): Promise<void> {
    this.assertCanSpawn();
    await (await this.session()).unblockStory(storyKey);
    this.ledgerChanged.fire();
  }

  async blockStory(storyKey: string, reason: string): Promise<void> {
    this.assertCanSpawn();
    await (await this.session()).blockStory(storyKey, reason);
    this.ledgerChanged.fire();
  }

  async storyFile(storyKey: string): Promise<vscode.Uri | undefined> {
    const layout = await this.layout();
    if (!layout) return undefined;
    // A committed story's file was archived by batch-commit (003 step 4c) beside the artifacts folder.
    for (const dir of [layout.implementationArtifacts, archivedArtifactsDir(layout.implementationArtifacts)]) {
      const file = path.join(dir, `${storyKey}.md`);
      if (await this.fs.exists(file)) return vscode.Uri.file(file);
    }
    return undefined;
  }

  async openStory(storyKey: string): Promise<void> {
    const uri = await this.storyFile(storyKey);
    if (!uri) {
      const layout = await this.layout();
      const where = layout ? ` (looked in ${layout.implementationArtifacts} and ${archivedArtifactsDir(layout.implementationArtifacts)})` : '';
      throw new SprintUserError(`Story ${storyKey} has no story file yet${where}; create-story writes it.`);
    }
    await vscode.window.showTextDocument(uri, { preview: true });
  }

  async openLog(logPath: string): Promise<void> {
    await vscode.window.showTextDocument(vscode.Uri.file(logPath), { preview: true });
  }

  private reportBackground(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.log.error(message);
    void vscode.window.showErrorMessage(message);
  }

  // ---- events --------------------------------------------------------------------------------------

  private activityOf(key: string): StoryActivity {
    let a = this.activity.get(key);
    if (!a) {
      a = { working: false, tokens: 0, costUsd: 0 };
      this.activity.set(key, a);
    }
    return a;
  }

  private handle(e: SprintEvent): void {
    for (const key of this.lanes.apply(e)) this.activityOf(key).lane = this.lanes.laneOf(key);
    switch (e.type) {
      case 'run:state':
        this.setRunState(e.state);
        break;
      case 'batch:start':
        this.progress = { batchId: e.batchId, maxCycles: e.maxCycles, storyKeys: [], costUsd: 0, shortIds: {} };
        void this.setContext('sprintRunner.canResume', false);
        break;
      case 'cycle:start':
        this.progress = { ...this.progress, cycle: e.cycle, maxCycles: e.maxCycles, storyKeys: e.storyKeys, command: undefined };
        break;
      case 'command:start':
        this.progress = { ...this.progress, storyKeys: e.storyKeys, command: e.command, attempt: e.attempt };
        for (const k of e.storyKeys) Object.assign(this.activityOf(k), { working: true, command: e.command, attempt: e.attempt });
        break;
      case 'command:end': {
        const share = e.usage ? 1 / Math.max(1, e.storyKeys.length) : 0;
        for (const k of e.storyKeys) {
          const a = this.activityOf(k);
          a.working = false;
          a.lastCommand = `${commandLabel(e.command, e.attempt)} (${e.outcome})`;
          if (e.usage && !e.replayed) {
            // A command covering two stories (create-story of a pair) is split evenly between them.
            a.tokens += Math.round(share * (e.usage.inputTokens + e.usage.outputTokens + e.usage.cacheCreationInputTokens + e.usage.cacheReadInputTokens));
            a.costUsd += share * e.usage.costUsd;
          }
        }
        if (e.usage && !e.replayed) this.progress = { ...this.progress, costUsd: this.progress.costUsd + e.usage.costUsd };
        break;
      }
      case 'story:status':
        this.ledgerChanged.fire();
        break;
      case 'batch:end':
        for (const a of this.activity.values()) a.working = false;
        // The engine resumes paused and stopped batches (and interrupted ones, which never reach batch:end).
        void this.setContext('sprintRunner.canResume', e.status === 'paused' || e.status === 'stopped');
        break;
      default:
        break;
    }
    this.emitted.fire(e);
    this.stateChanged.fire();
  }

  private setRunState(state: RunState): void {
    if (this.runState === state) return;
    this.runState = state;
    void this.setContext('sprintRunner.state', state);
    if (state === 'paused') void this.setContext('sprintRunner.canResume', true);
    this.stateChanged.fire();
  }

  private async updateContext(): Promise<void> {
    await this.setContext('sprintRunner.state', this.runState);
    // Resume is offered when a journal exists; the session decides whether there is anything to resume.
    await this.setContext('sprintRunner.canResume', await this.fs.exists(this.stateDir()));
  }

  private async setContext(key: string, value: unknown): Promise<void> {
    await vscode.commands.executeCommand('setContext', key, value);
  }

  /** Window closing or reloading: children are cancelled, the journal keeps the interrupted batch for Resume. */
  async shutdown(): Promise<void> {
    if (this.ledgerDebounce) clearTimeout(this.ledgerDebounce);
    await this.closeSession();
  }

  dispose(): void {
    this.watcher?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

