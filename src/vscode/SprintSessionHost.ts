// The extension's runtime around one sprint: the lazily opened SprintSession (sql.js and the engine
// load on first use, never at activation), the run controls and the run state the UI shows. Which
// folder holds the ledger is SprintLedgerLocator's job; the live per-story activity is RunActivity's.
// Also the dashboard's host.

import * as vscode from 'vscode';
import type { LedgerSnapshot } from '../core/ledger/LedgerTypes';
import type { BatchStatus, RunState, SprintEvent } from '../core/SprintEvents';
import type { CommitReviewPort } from '../core/workflow/CommitReviewPort';
import { canResumeBatch } from '../core/workflow/RunTypes';
import { archivedArtifactsDir, type WorkspaceLayout } from '../core/workspace/WorkspaceLayout';
import { NodeFileSystem } from '../infra/NodeFileSystem';
import type { DashboardBudgets, DashboardHost, DashboardStore } from './dashboard/DashboardHost';
import type { LedgerModule } from './lazyLedger';
import { RunActivity, type RunProgress, type StoryActivity } from './RunActivity';
import { SprintContextKeys, setSprintContext } from './SprintContextKeys';
import { SprintLedgerLocator } from './SprintLedgerLocator';
import type { SprintRunnerConfig, SprintRunnerSettings } from './SprintRunnerSettings';
import type { SprintSessionPort } from './SprintSessionPort';

export type { RunProgress, StoryActivity };

/** A message meant for the user as it is (no stack, no "Error:"), e.g. "a run is already active". */
export class SprintUserError extends Error {
  override readonly name = 'SprintUserError';
}

export type SessionOpener = (o: {
  workspaceRoot: string;
  stateDir: string;
  config: SprintRunnerConfig;
  onLog: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Asks before each batch commit when the setting git.reviewBeforeCommit is on. */
  commitReview?: CommitReviewPort;
}) => Promise<SprintSessionPort>;

/** The latest batch's status as far as the host knows: `unread` until the journal was opened. */
type LatestBatch = BatchStatus | 'none' | 'unread';

export class SprintSessionHost implements DashboardHost, vscode.Disposable {
  private readonly emitted = new vscode.EventEmitter<SprintEvent>();
  /** Every engine event, as emitted (tree, status bar, output, notifications, webhook, dashboard, API). */
  readonly onDidEmit = this.emitted.event;
  private readonly stateChanged = new vscode.EventEmitter<void>();
  /** Run state, progress or per-story activity changed. */
  readonly onDidChangeState = this.stateChanged.event;

  private runState: RunState = 'idle';
  private latestBatch: LatestBatch = 'unread';
  private sessionPromise: Promise<SprintSessionPort> | undefined;
  private sessionStale = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly activity = new RunActivity();
  private activeRun: Promise<unknown> | undefined;
  /** The open session's event subscription (one session at a time). */
  private sessionEvents: { dispose(): void } | undefined;
  private readonly fs = new NodeFileSystem();
  private readonly locator: SprintLedgerLocator;
  readonly onDidChangeLedger: vscode.Event<void>;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly settings: SprintRunnerSettings,
    private readonly openSession: SessionOpener,
    private readonly log: vscode.LogOutputChannel,
    /** The ledger/workspace reader (dist/ledger.js, yaml), loaded on first use: see lazyLedger. */
    readonly ledger: () => LedgerModule,
    private readonly commitReview?: CommitReviewPort,
  ) {
    this.locator = new SprintLedgerLocator(context, settings, log, this.fs, ledger);
    this.onDidChangeLedger = this.locator.onDidChangeLedger;
    this.disposables.push(
      this.emitted,
      this.stateChanged,
      this.locator,
      settings.onDidChange(() => {
        // Ledger override may have changed: rediscover. Engine settings apply to the next run.
        this.sessionStale = true;
        if (this.runState === 'idle') void this.closeSession();
        this.locator.rediscover();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.locator.rediscover()),
    );
    void setSprintContext(SprintContextKeys.state, this.runState);
    void this.updateCanResume();
  }

  // ---- state -------------------------------------------------------------------------------------

  getRunState(): RunState {
    return this.runState;
  }

  getProgress(): Readonly<RunProgress> {
    return this.activity.progress;
  }

  getActivity(storyKey: string): StoryActivity | undefined {
    return this.activity.of(storyKey);
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

  // ---- the ledger (SprintLedgerLocator) --------------------------------------------------------------

  layout(): Promise<WorkspaceLayout | undefined> {
    return this.locator.layout();
  }

  readLedger(): Promise<LedgerSnapshot | undefined> {
    return this.locator.readLedger();
  }

  readEpicTitles(): Promise<Record<string, string>> {
    return this.locator.readEpicTitles();
  }

  storyFile(storyKey: string): Promise<vscode.Uri | undefined> {
    return this.locator.storyFile(storyKey);
  }

  /**
   * Finds the ledger again (it appeared, moved or went away: the create command, BMAD's sprint-planning,
   * Refresh). When it is another file than before, the idle session is closed so the next run opens it.
   */
  async rediscover(): Promise<void> {
    const before = await this.locator.layout().catch(() => undefined);
    this.locator.rediscover();
    const after = await this.locator.layout().catch(() => undefined);
    if (before?.ledgerPath !== after?.ledgerPath) {
      this.sessionStale = true;
      if (this.runState === 'idle') await this.closeSession();
    }
  }

  /** Asks which folder to use when several hold a ledger; a new choice closes the session of the old one. */
  async chooseFolder(): Promise<void> {
    if (!(await this.locator.chooseFolder())) return;
    await this.closeSession();
    this.locator.changed();
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
        ...(this.commitReview ? { commitReview: this.commitReview } : {}),
      });
      this.sessionEvents?.dispose();
      this.sessionEvents = session.onDidEmit((e) => this.handle(e));
      this.log.info(`Run journal opened in ${Date.now() - started} ms (${this.stateDir()})`);
      await this.readJournal(session);
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

  /** What the journal already knows: past costs per story, and whether the latest batch can be resumed. */
  private async readJournal(session: SprintSessionPort): Promise<void> {
    try {
      this.activity.seedCosts(await session.store.costsByStory());
      this.latestBatch = (await session.store.latestBatch())?.status ?? 'none';
      await this.updateCanResume();
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

  private assertIdle(): void {
    if (this.activeRun) throw new SprintUserError(`A sprint run is already ${this.runState}. Pause or stop it first.`);
  }

  /**
   * Starts a batch and resolves when it ends (with the engine's result). Rejects at once when a run is
   * active or the workspace is untrusted.
   */
  async runUntilEnd(cycles: number | 'all', startWith?: string): Promise<unknown> {
    this.assertCanSpawn();
    this.assertIdle();
    const session = await this.session();
    return this.track(session.run({ cycles, ...(startWith ? { startWith } : {}) }));
  }

  /** Continues the interrupted or paused batch from its journal; resolves when it ends. */
  async resumeUntilEnd(): Promise<unknown> {
    this.assertCanSpawn();
    this.assertIdle();
    const session = await this.session();
    return this.track(
      session.resume().catch((err: Error) => {
        // "Nothing to resume" is an answer for the user, not a failure.
        throw err.name === 'NothingToResumeError' ? new SprintUserError(err.message) : err;
      }),
    );
  }

  /**
   * Resume story: unblocks first (the status it had before, from the journal), then one cycle starting
   * with it; resolves when the batch ends. The session checks the story (known, not done).
   */
  async resumeStoryUntilEnd(storyKey: string): Promise<unknown> {
    this.assertCanSpawn();
    this.assertIdle();
    const session = await this.session();
    return this.track(
      session.resumeStory(storyKey).catch((err: Error) => {
        throw err.name === 'StoryNotResumableError' ? new SprintUserError(err.message) : err;
      }),
    );
  }

  /** DashboardHost: starts a batch without waiting for its end (failures are shown to the user). */
  async startRun(cycles: number | 'all'): Promise<void> {
    this.runUntilEnd(cycles).catch((err) => this.reportBackground(err));
  }

  /** DashboardHost: resumes without waiting for the batch's end. */
  async startResume(): Promise<void> {
    this.resumeUntilEnd().catch((err) => this.reportBackground(err));
  }

  /** DashboardHost: resumes a story without waiting for the batch's end. */
  async startStoryResume(storyKey: string): Promise<void> {
    this.resumeStoryUntilEnd(storyKey).catch((err) => this.reportBackground(err));
  }

  private track(run: Promise<unknown>): Promise<unknown> {
    this.activeRun = run;
    if (this.runState === 'idle') this.setRunState('running');
    const done = () => {
      if (this.activeRun === run) this.activeRun = undefined;
      this.activity.stopWorking();
      this.setRunState(this.runState === 'paused' ? 'paused' : 'idle');
      if (this.sessionStale) void this.closeSession();
    };
    run.then(done, done);
    return run;
  }

  async pause(): Promise<void> {
    if (!this.activeRun) throw new SprintUserError('No sprint run is active.');
    (await this.session()).pause();
  }

  async stop(reason = 'Stopped by the user'): Promise<void> {
    if (!this.activeRun) throw new SprintUserError('No sprint run is active.');
    (await this.session()).stop(reason);
  }

  async unblockStory(storyKey: string): Promise<void> {
    this.assertCanSpawn();
    await (await this.session()).unblockStory(storyKey);
    this.locator.changed();
  }

  async blockStory(storyKey: string, reason: string): Promise<void> {
    this.assertCanSpawn();
    await (await this.session()).blockStory(storyKey, reason);
    this.locator.changed();
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

  private handle(e: SprintEvent): void {
    this.activity.apply(e);
    switch (e.type) {
      case 'run:state':
        this.setRunState(e.state);
        break;
      case 'batch:start':
        this.latestBatch = 'running';
        void this.updateCanResume();
        break;
      case 'batch:end':
        this.latestBatch = e.status;
        void this.updateCanResume();
        break;
      case 'story:status':
        this.locator.changed();
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
    void setSprintContext(SprintContextKeys.state, state);
    this.stateChanged.fire();
  }

  /**
   * The one rule for `sprintRunner.canResume`: the engine's own (the latest batch did not end completed
   * or failed). Before the journal was read (activation opens no database), a journal that exists may
   * hold such a batch; Resume then answers "nothing to resume" when it does not.
   */
  private async updateCanResume(): Promise<void> {
    const latest = this.latestBatch;
    const value = latest === 'unread' ? await this.fs.exists(this.stateDir()) : canResumeBatch(latest === 'none' ? undefined : latest);
    await setSprintContext(SprintContextKeys.canResume, value);
  }

  /** Window closing or reloading: children are cancelled, the journal keeps the interrupted batch for Resume. */
  async shutdown(): Promise<void> {
    await this.closeSession();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
