// One open dashboard: owns the host-side model, numbers the deltas, answers the webview's requests and
// runs its controls. Knows nothing of `vscode` (the panel hands it `post` and `writeClipboard`), so it
// is unit-tested in Node with a fake host.

import type { Disposable } from '../../core/Emitter';
import type { SprintEvent } from '../../core/SprintEvents';
import type { LedgerSnapshot } from '../../core/ledger/LedgerTypes';
import type { StoredEvent } from '../../core/store/RunStore';
import { DashboardModel } from '../../shared/DashboardModel';
import { buildStoryTimeline } from '../../shared/buildStoryTimeline';
import { batchStoryRows, summarizeBatch } from '../../shared/summarizeBatch';
import {
  validateWebviewMessage,
  type ControlAction,
  type DashboardDelta,
  type HostMessage,
  type RequestName,
  type WebviewMessage,
} from '../../shared/dashboardProtocol';
import type { DashboardHost, DashboardStore } from './DashboardHost';

/** Past batches listed in the History tab. */
export const HISTORY_LIMIT = 30;
const EVENT_PAGE = 1000;

export interface DashboardSessionOptions {
  host: DashboardHost;
  post: (message: HostMessage) => void;
  writeClipboard: (text: string) => Promise<void>;
  /** Where rejected messages and failed queries are reported (the extension's output channel). */
  report: (line: string) => void;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Every stored event of a batch, oldest first, read in pages so a long batch never blocks the host. */
export async function readBatchEvents(store: DashboardStore, batchId: number): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let afterId: number | undefined;
  for (;;) {
    const page = await store.listEvents({ batchId, afterId, limit: EVENT_PAGE });
    out.push(...page);
    if (page.length < EVENT_PAGE) return out;
    afterId = page[page.length - 1].id;
    await new Promise((r) => setTimeout(r, 0));
  }
}

export class DashboardSession implements Disposable {
  private model: DashboardModel | undefined;
  private loading: Promise<DashboardModel> | undefined;
  /** Events that arrived while the model was loading; applied once it is built. */
  private pending: SprintEvent[] = [];
  private rev = 0;
  /** True between the webview's `ready` and the panel being hidden (its document is then discarded). */
  private webviewReady = false;
  /** Log files the webview was shown; `openLog` opens only these. */
  private readonly knownLogPaths = new Set<string>();
  private readonly subscriptions: Disposable[] = [];
  private disposed = false;

  constructor(private readonly opts: DashboardSessionOptions) {
    this.subscriptions.push(
      opts.host.onDidEmit((e) => this.onEvent(e)),
      opts.host.onDidChangeLedger(() => void this.onLedgerChanged()),
    );
    if (opts.host.onDidChangeSettings) this.subscriptions.push(opts.host.onDidChangeSettings(() => this.onSettingsChanged()));
  }

  /** Budgets and lanes follow the settings: the model turns a change into deltas (nothing built yet: the build reads them). */
  private onSettingsChanged(): void {
    if (!this.model) return;
    const { host } = this.opts;
    this.postDeltas([...this.model.setBudgets(host.getBudgets()), ...this.model.setMaxParallel(host.getMaxParallel?.() ?? 1)]);
  }

  /** The current rev (the last delta or snapshot posted). */
  get currentRev(): number {
    return this.rev;
  }

  /** The panel was hidden: its webview document is gone until it posts `ready` again. */
  webviewHidden(): void {
    this.webviewReady = false;
  }

  /** Handles one raw message from the webview: validated first, dropped (and reported) when malformed. */
  async receive(raw: unknown): Promise<void> {
    const v = validateWebviewMessage(raw);
    if (!v.ok) {
      this.opts.report(`Dashboard: ignored a malformed webview message (${v.reason}).`);
      return;
    }
    await this.dispatch(v.message);
  }

  private async dispatch(m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
      case 'requestSnapshot':
        await this.postSnapshot();
        return;
      case 'startRun':
        return this.control('startRun', () => this.opts.host.startRun(m.cycles));
      case 'pause':
        return this.control('pause', () => this.opts.host.pause());
      case 'resume':
        return this.control('resume', () => this.opts.host.startResume());
      case 'stop':
        return this.control('stop', () => this.opts.host.stop());
      case 'resumeStory':
        return this.storyControl('resumeStory', m.storyKey, () => this.opts.host.startStoryResume(m.storyKey));
      case 'unblockStory':
        return this.storyControl('unblockStory', m.storyKey, () => this.opts.host.unblockStory(m.storyKey));
      case 'openStory':
        return this.storyControl('openStory', m.storyKey, () => this.opts.host.openStory(m.storyKey));
      case 'openLog':
        if (!this.knownLogPaths.has(m.path)) {
          this.fail('openLog', `"${m.path}" is not a log of a command shown in this dashboard.`);
          return;
        }
        return this.control('openLog', () => this.opts.host.openLog(m.path));
      case 'requestHistory':
        return this.request('requestHistory', async (store) => {
          const batches = await store.listBatches(HISTORY_LIMIT);
          const summaries = [];
          for (const b of batches) {
            summaries.push(summarizeBatch(b, await store.listCommands({ batchId: b.id }), await readBatchEvents(store, b.id)));
          }
          this.opts.post({ type: 'history', batches: summaries });
        });
      case 'requestBatchStories':
        return this.request('requestBatchStories', async (store) => {
          const commands = await store.listCommands({ batchId: m.batchId });
          const stories = batchStoryRows(commands, await readBatchEvents(store, m.batchId));
          this.opts.post({ type: 'batchStories', batchId: m.batchId, stories });
        });
      case 'requestTimeline':
        return this.request('requestTimeline', async (store) => {
          const commands = await store.listCommands({ storyKey: m.storyKey });
          const progress: StoredEvent[] = [];
          for (const batchId of new Set(commands.map((c) => c.batchId))) {
            for (const e of await readBatchEvents(store, batchId)) if (e.type === 'command:progress') progress.push(e);
          }
          const model = await this.ensureModel();
          const shortId = model.card(m.storyKey)?.shortId ?? m.storyKey;
          const timeline = buildStoryTimeline(m.storyKey, shortId, commands, progress);
          for (const c of timeline.commands) if (c.logPath) this.knownLogPaths.add(c.logPath);
          this.opts.post({ type: 'timeline', timeline });
        });
      case 'copyText':
        try {
          await this.opts.writeClipboard(m.text);
        } catch (err) {
          this.opts.report(`Dashboard: could not copy the log to the clipboard: ${messageOf(err)}`);
        }
        return;
    }
  }

  private async control(action: ControlAction, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      this.fail(action, messageOf(err));
    }
  }

  private async storyControl(action: ControlAction, storyKey: string, run: () => Promise<void>): Promise<void> {
    const model = await this.ensureModel();
    if (!model.card(storyKey)) {
      this.fail(action, `Story "${storyKey}" is not in the sprint ledger.`);
      return;
    }
    return this.control(action, run);
  }

  private async request(name: RequestName, run: (store: DashboardStore) => Promise<void>): Promise<void> {
    try {
      const store = await this.opts.host.getStore();
      if (!store) {
        if (name === 'requestHistory') this.opts.post({ type: 'history', batches: [] });
        else this.fail(name, 'This workspace has no run database yet: start a run first.');
        return;
      }
      await run(store);
    } catch (err) {
      this.opts.report(`Dashboard: ${name} failed: ${messageOf(err)}`);
      this.fail(name, messageOf(err));
    }
  }

  private fail(action: ControlAction | RequestName, message: string): void {
    this.opts.post({ type: 'actionFailed', action, message });
  }

  private async postSnapshot(): Promise<void> {
    const model = await this.ensureModel();
    if (this.disposed) return;
    this.webviewReady = true;
    this.opts.post({ type: 'snapshot', rev: this.rev, snapshot: model.snapshot(this.rev) });
  }

  private postDeltas(deltas: DashboardDelta[]): void {
    for (const d of deltas) {
      this.rev += 1;
      // Numbered even when not posted: a webview that reconnects gets a snapshot at the current rev.
      if (this.webviewReady) this.opts.post({ ...d, rev: this.rev } as HostMessage);
    }
  }

  private onEvent(e: SprintEvent): void {
    if (!this.model) {
      this.pending.push(e);
      void this.ensureModel();
      return;
    }
    this.postDeltas(this.model.apply(e));
  }

  private async onLedgerChanged(): Promise<void> {
    const model = await this.ensureModel();
    const { ledger, problems } = await this.readLedger();
    this.postDeltas(model.replaceLedger(ledger, problems));
  }

  private async readLedger(): Promise<{ ledger: LedgerSnapshot | undefined; problems: string[] }> {
    try {
      const ledger = await this.opts.host.readLedger();
      return {
        ledger,
        problems: ledger ? [] : ['No sprint-status.yaml was found in this workspace: run BMAD sprint planning to create one.'],
      };
    } catch (err) {
      return { ledger: undefined, problems: [messageOf(err)] };
    }
  }

  private ensureModel(): Promise<DashboardModel> {
    if (this.model) return Promise.resolve(this.model);
    this.loading ??= this.load().then(
      (model) => {
        this.model = model;
        const pending = this.pending;
        this.pending = [];
        this.postDeltas(pending.flatMap((e) => model.apply(e)));
        return model;
      },
      (err: unknown) => {
        this.loading = undefined;
        throw err;
      },
    );
    return this.loading;
  }

  private async load(): Promise<DashboardModel> {
    const { host } = this.opts;
    const { ledger, problems } = await this.readLedger();
    let store: DashboardStore | undefined;
    try {
      store = await host.getStore();
    } catch (err) {
      problems.push(`The run database could not be opened: ${messageOf(err)}`);
    }
    const latestBatch = store ? await store.latestBatch() : undefined;
    const allCommands = store ? await store.listCommands({}) : [];
    const latestBatchEvents = store && latestBatch ? await readBatchEvents(store, latestBatch.id) : [];
    const stored = new Set(latestBatchEvents.slice(-500).map((e) => JSON.stringify(e.payload)));
    // An event fired while the store was read may already be in it: keep one copy.
    this.pending = this.pending.filter((e) => !stored.has(JSON.stringify(e)));
    const blockReasons: Record<string, string> = {};
    if (store && ledger) {
      for (const s of ledger.stories) {
        if (s.status !== 'blocked') continue;
        const block = await store.openBlock(s.key);
        if (block) blockReasons[s.key] = block.reason;
      }
    }
    return new DashboardModel({
      ledger,
      ledgerProblems: problems,
      runState: host.getRunState(),
      latestBatch,
      earlierCommands: allCommands.filter((c) => c.batchId !== latestBatch?.id),
      latestBatchEvents,
      blockReasons,
      budgets: host.getBudgets(),
      maxParallel: host.getMaxParallel?.() ?? 1,
    });
  }

  dispose(): void {
    this.disposed = true;
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }
}
