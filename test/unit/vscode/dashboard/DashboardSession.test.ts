import { strict as assert } from 'node:assert';
import { Emitter } from '../../../../src/core/Emitter';
import type { RunState, SprintEvent } from '../../../../src/core/SprintEvents';
import type { BatchRecord, CommandRecord, StoredEvent } from '../../../../src/core/store/RunStore';
import type { HostMessage } from '../../../../src/shared/dashboardProtocol';
import type { DashboardHost, DashboardStore } from '../../../../src/vscode/dashboard/DashboardHost';
import { DashboardSession, readBatchEvents } from '../../../../src/vscode/dashboard/DashboardSession';
import { STORIES, T0, aLedger, runningBatchEvents } from '../../../webview/dashboardScenario';

/** An in-memory run store with the RunStore's paging semantics (ids ascending, `afterId` exclusive). */
class MemoryStore implements DashboardStore {
  batches: BatchRecord[] = [];
  commands: CommandRecord[] = [];
  events: StoredEvent[] = [];
  eventReads = 0;

  append(payload: SprintEvent): void {
    this.events.push({ id: this.events.length + 1, batchId: payload.batchId ?? null, timestamp: payload.at, type: payload.type, storyKey: null, epicId: null, command: null, taskId: null, status: null, message: null, payload });
  }
  async latestBatch() { return this.batches.at(-1); }
  async getBatch(id: number) { return this.batches.find((b) => b.id === id); }
  async listBatches(limit = 100) { return [...this.batches].reverse().slice(0, limit); }
  async listCommands(f: { batchId?: number; storyKey?: string }) {
    return this.commands.filter((c) => (f.batchId === undefined || c.batchId === f.batchId) && (f.storyKey === undefined || c.storyKeys.includes(f.storyKey)));
  }
  async listEvents(f: { batchId?: number; afterId?: number; limit?: number }) {
    this.eventReads++;
    return this.events.filter((e) => (f.batchId === undefined || e.batchId === f.batchId) && e.id > (f.afterId ?? 0)).slice(0, f.limit ?? Infinity);
  }
  async costs() { return { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 0, commands: 0 }; }
  async openBlock(storyKey: string) {
    return storyKey === STORIES[5].key ? { storyKey, previousStatus: 'review', reason: 'three failed code reviews', blockedAt: T0, unblockedAt: null } : undefined;
  }
}

class FakeHost implements DashboardHost {
  readonly emitter = new Emitter<SprintEvent>();
  readonly ledgerChanged = new Emitter<void>();
  readonly onDidEmit = this.emitter.event;
  readonly onDidChangeLedger = this.ledgerChanged.event;
  readonly settingsChanged = new Emitter<void>();
  readonly onDidChangeSettings = this.settingsChanged.event;
  maxParallel = 1;
  batchUsd = 10;
  state: RunState = 'idle';
  calls: string[] = [];
  ledger = aLedger(STORIES);
  failStart?: string;
  constructor(readonly store: MemoryStore | undefined) {}
  getRunState() { return this.state; }
  async readLedger() { return this.ledger; }
  async getStore() { return this.store; }
  getBudgets() { return { batchUsd: this.batchUsd }; }
  getMaxParallel() { return this.maxParallel; }
  async startRun(cycles: number | 'all') {
    if (this.failStart) throw new Error(this.failStart);
    this.calls.push(`startRun ${cycles}`);
  }
  async pause() { this.calls.push('pause'); }
  async startResume() { this.calls.push('resume'); }
  async stop() { this.calls.push('stop'); }
  async startStoryResume(k: string) { this.calls.push(`resumeStory ${k}`); }
  async unblockStory(k: string) { this.calls.push(`unblockStory ${k}`); }
  async openStory(k: string) { this.calls.push(`openStory ${k}`); }
  async openLog(p: string) { this.calls.push(`openLog ${p}`); }
}

function setup(store: MemoryStore | undefined = new MemoryStore()) {
  const host = new FakeHost(store);
  const posted: HostMessage[] = [];
  const reports: string[] = [];
  const clipboard: string[] = [];
  const session = new DashboardSession({ host, post: (m) => posted.push(m), writeClipboard: async (t) => void clipboard.push(t), report: (l) => reports.push(l) });
  return { host, posted, reports, clipboard, session, store };
}

describe('DashboardSession', () => {
  it('answers ready with a snapshot, then posts deltas with consecutive revs', async () => {
    const { host, posted, session } = setup();
    await session.receive({ type: 'ready' });
    assert.equal(posted[0].type, 'snapshot');
    for (const e of runningBatchEvents()) host.emitter.fire(e);
    const revs = posted.slice(1).map((m) => ('rev' in m ? m.rev : -1));
    assert.ok(revs.length > 10);
    assert.deepEqual(revs, revs.map((_, i) => i + 1));
  });

  it('posts deltas when the budgets or maxParallel settings change, keeping what happened; other changes post nothing', async () => {
    const { host, posted, session } = setup();
    await session.receive({ type: 'ready' });
    for (const e of runningBatchEvents()) host.emitter.fire(e);
    const first = posted[0];
    assert.ok(first.type === 'snapshot' && first.snapshot.run.lanes === undefined && first.snapshot.costs.budgets.batchUsd === 10);

    let before = posted.length;
    host.settingsChanged.fire(); // e.g. the claude command changed: nothing the panel shows
    assert.equal(posted.length, before);

    host.maxParallel = 3;
    host.batchUsd = 25;
    host.settingsChanged.fire();
    const sent = posted.slice(before);
    const run = sent.find((m) => m.type === 'runStateChanged');
    const costs = sent.find((m) => m.type === 'costsChanged');
    assert.ok(run && run.type === 'runStateChanged' && costs && costs.type === 'costsChanged', JSON.stringify(sent.map((m) => m.type)));
    assert.deepEqual(run.run.lanes, { running: 0, max: 3 });
    assert.equal(costs.costs.budgets.batchUsd, 25);
    assert.equal(run.run.statusLine, 'Running cycle 1/3', 'the running batch is still shown');
    assert.equal(run.run.current?.label, 'dev-story');
    const last = sent.at(-1) as { rev?: number };
    assert.equal(last.rev, session.currentRev, 'numbered like every delta');
    // Later events still arrive as deltas on top of it.
    before = posted.length;
    host.emitter.fire({ type: 'warning', at: T0 + 999_000, message: 'after the change' });
    assert.ok(posted.length > before);
  });

  it('gives a re-shown panel a fresh snapshot at the current rev, with what happened while hidden', async () => {
    const { host, posted, session } = setup();
    await session.receive({ type: 'ready' });
    session.webviewHidden();
    const before = posted.length;
    for (const e of runningBatchEvents()) host.emitter.fire(e);
    assert.equal(posted.length, before, 'nothing is posted to a hidden webview');
    await session.receive({ type: 'ready' });
    const snap = posted.at(-1)!;
    assert.equal(snap.type, 'snapshot');
    if (snap.type !== 'snapshot') return;
    assert.equal(snap.rev, session.currentRev);
    assert.equal(snap.snapshot.run.statusLine, 'Running cycle 1/3');
  });

  it('builds the first snapshot from the store: latest batch events replayed, blocks with their reason', async () => {
    const store = new MemoryStore();
    store.batches.push({ id: 7, runId: 'r7', startedAt: T0, endedAt: null, batchMode: 'fixed', maxCycles: 3, cyclesCompleted: 0, status: 'running', options: { batchMode: 'fixed', maxCycles: 3 }, reason: null });
    for (const e of runningBatchEvents()) store.append({ ...e, batchId: 7 });
    for (let i = 0; i < 2500; i++) store.append({ type: 'warning', at: T0 + i, batchId: 7, message: `w${i}` });
    const { posted, session, host } = setup(store);
    host.state = 'running';
    await session.receive({ type: 'ready' });
    const snap = posted[0];
    assert.equal(snap.type, 'snapshot');
    if (snap.type !== 'snapshot') return;
    assert.equal(snap.snapshot.run.current?.label, 'dev-story');
    assert.equal(snap.snapshot.log.length, runningBatchEvents().length - 1 + 2500);
    assert.equal(snap.snapshot.stories.find((s) => s.shortId === '1-2')?.blockedReason, 'three failed code reviews');
    assert.ok(store.eventReads >= 3, 'events are read in pages');
  });

  it('validates every message: malformed ones are reported and never reach the host', async () => {
    const { host, reports, session, posted } = setup();
    await session.receive({ type: 'startRun', cycles: -4 });
    await session.receive({ type: 'stop', extra: 1 });
    await session.receive('stop');
    assert.deepEqual(host.calls, []);
    assert.equal(reports.length, 3);
    assert.match(reports[0], /startRun: "cycles" must be/);
    assert.equal(posted.length, 0);
  });

  it('runs the controls and reports a failing one back to the webview', async () => {
    const { host, session, posted, clipboard } = setup();
    await session.receive({ type: 'startRun', cycles: 'all' });
    await session.receive({ type: 'pause' });
    await session.receive({ type: 'resume' });
    await session.receive({ type: 'stop' });
    await session.receive({ type: 'unblockStory', storyKey: STORIES[5].key });
    await session.receive({ type: 'resumeStory', storyKey: STORIES[2].key });
    await session.receive({ type: 'openStory', storyKey: 'not-a-story' });
    await session.receive({ type: 'copyText', text: 'log' });
    assert.deepEqual(host.calls, ['startRun all', 'pause', 'resume', 'stop', `unblockStory ${STORIES[5].key}`, `resumeStory ${STORIES[2].key}`]);
    assert.deepEqual(clipboard, ['log']);
    host.failStart = 'A run is already going: stop it first.';
    await session.receive({ type: 'startRun', cycles: 2 });
    const fails = posted.filter((m) => m.type === 'actionFailed');
    assert.deepEqual(fails.map((f) => f.type === 'actionFailed' && [f.action, f.message]), [
      ['openStory', 'Story "not-a-story" is not in the sprint ledger.'],
      ['startRun', 'A run is already going: stop it first.'],
    ]);
  });

  it('opens only log files it has shown in a timeline', async () => {
    const store = new MemoryStore();
    store.commands.push({
      id: 1, batchId: 7, stepKey: 's1', cycle: 1, command: 'dev-story', attempt: 1, storyKeys: [STORIES[0].key], epicId: '2a', startedAt: T0, endedAt: T0 + 5000, outcome: 'success',
      usage: null, outputSummary: 'done', logPath: '/ws/.sprint-runner/logs/s1.ndjson',
    });
    const { host, session, posted } = setup(store);
    await session.receive({ type: 'openLog', path: '/etc/passwd' });
    assert.deepEqual(host.calls, []);
    await session.receive({ type: 'requestTimeline', storyKey: STORIES[0].key });
    const tl = posted.find((m) => m.type === 'timeline');
    assert.ok(tl && tl.type === 'timeline' && tl.timeline.commands.length === 1);
    await session.receive({ type: 'openLog', path: '/ws/.sprint-runner/logs/s1.ndjson' });
    assert.deepEqual(host.calls, ['openLog /ws/.sprint-runner/logs/s1.ndjson']);
  });

  it('answers history with an empty list when the workspace has no store yet', async () => {
    const { session, posted } = setup(undefined);
    await session.receive({ type: 'requestHistory' });
    assert.deepEqual(posted, [{ type: 'history', batches: [] }]);
  });

  it('reports ledger edits as story deltas', async () => {
    const { host, session, posted } = setup();
    await session.receive({ type: 'ready' });
    host.ledger = aLedger(STORIES.map((s) => (s.shortId === '2a-3' ? { ...s, status: 'done' } : s)));
    host.ledgerChanged.fire();
    await new Promise((r) => setTimeout(r, 10));
    const d = posted.at(-1)!;
    assert.ok(d.type === 'storyChanged' && d.card.shortId === '2a-3' && d.card.column === 'done' && d.rev === 1);
  });

  it('readBatchEvents pages through every event of a batch', async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 2001; i++) store.append({ type: 'warning', at: i, batchId: i % 2 ? 1 : 2, message: String(i) });
    const events = await readBatchEvents(store, 1);
    assert.equal(events.length, 1000);
    assert.ok(events.every((e) => e.batchId === 1));
  });
});
