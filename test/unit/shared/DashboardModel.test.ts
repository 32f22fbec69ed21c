import { strict as assert } from 'node:assert';
import { DashboardModel, MAX_LOG_LINES, statusLineOf } from '../../../src/shared/DashboardModel';
import type { StoredEvent } from '../../../src/core/store/RunStore';
import type { SprintEvent } from '../../../src/core/SprintEvents';
import { STORIES, T0, aLedger, runningBatchEvents, usage } from '../../webview/dashboardScenario';

function model(events: StoredEvent[] = [], runState: 'idle' | 'running' = 'idle') {
  return new DashboardModel({
    ledger: aLedger(STORIES),
    ledgerProblems: [],
    runState,
    latestBatch: undefined,
    earlierCommands: [],
    latestBatchEvents: events,
    blockReasons: {},
    budgets: {},
  });
}

function stored(events: SprintEvent[]): StoredEvent[] {
  return events.map((payload, i) => ({
    id: i + 1, batchId: 7, timestamp: payload.at, type: payload.type, storyKey: null, epicId: null, command: null, taskId: null, status: null, message: null, payload,
  }));
}

describe('DashboardModel', () => {
  it('puts each ledger story in its column, unknown statuses in Backlog flagged', () => {
    const m = new DashboardModel({
      ledger: aLedger([...STORIES, { key: '3-1-odd', shortId: '3-1', epicId: '3', status: 'drafted', line: 20 }]),
      ledgerProblems: [], runState: 'idle', latestBatch: undefined, earlierCommands: [], latestBatchEvents: [], blockReasons: {}, budgets: {},
    });
    const cols = Object.fromEntries(m.snapshot(0).stories.map((s) => [s.shortId, [s.column, s.unknownStatus]]));
    assert.deepEqual(cols, {
      '2a-1': ['in-progress', false], '2a-2': ['ready', false], '2a-3': ['backlog', false], '2b-1': ['review', false],
      '1-1': ['done', false], '1-2': ['blocked', false], '3-1': ['backlog', true],
    });
    assert.equal(m.snapshot(0).stories[0].title, 'Session scanner and database sync');
  });

  it('shows a usage-limit wait with its reset time and what is left, and the batch forecast, as the run detail', () => {
    const m = model([], 'running');
    const resetsAt = T0 + 2 * 3_600_000;
    m.apply({ type: 'batch:forecast', at: T0, batchId: 7, nextBatchUsd: 4.2, basis: 'history', historyCommands: 12, stories: [{ key: '2a-1', usd: 4.2 }] });
    assert.match(m.snapshot(0).run.detail, /^Forecast for this batch: \$4\.20 for 1 story \(history: 12 command\(s\) of this project\)$/);
    const deltas = m.apply({ type: 'limit:wait', at: T0, stepKey: 'c1/dev-story/2a-1', storyKeys: ['2a-1'], resetsAt, limitType: 'five_hour', state: 'waiting' });
    assert.ok(deltas.some((d) => d.type === 'runStateChanged'));
    assert.match(m.snapshot(0).run.detail, new RegExp(`^Usage limit \\(five_hour\\) reached: waiting until ${new Date(resetsAt).toISOString().replace(/[.]/g, '\\.')} \\(2h 00m left\\)`));
    m.apply({ type: 'limit:wait', at: resetsAt, stepKey: 'c1/dev-story/2a-1', storyKeys: ['2a-1'], resetsAt, state: 'over' });
    assert.equal(m.snapshot(0).run.detail, 'Usage limit reset: continuing');
  });

  it('turns live events into deltas: run state, cards, costs and log lines', () => {
    const m = model();
    const deltas = runningBatchEvents().flatMap((e) => m.apply(e));
    const s = m.snapshot(deltas.length);
    assert.equal(s.run.statusLine, 'Running cycle 1/3');
    assert.equal(s.run.current?.label, 'dev-story');
    assert.equal(s.run.current?.taskId, 'implement');
    const card = s.stories.find((c) => c.shortId === '2a-1')!;
    assert.equal(card.current?.command, 'dev-story');
    assert.equal(card.durationMs, 88_000 + 59_000);
    assert.ok(Math.abs(card.usage.costUsd - (0.84 / 2 + 0.31)) < 1e-9, 'create-story covered two stories: its cost is split');
    assert.ok(Math.abs(s.costs.batch.costUsd - 1.15) < 1e-9);
    assert.deepEqual(s.costs.byCommand.map((r) => r.key), ['create-story', 'story-review']);
    assert.equal(s.log.length, deltas.filter((d) => d.type === 'eventAppended').length);
    assert.ok(deltas.some((d) => d.type === 'storyChanged' && d.card.shortId === '2a-1'));
    const seqs = s.log.map((l) => l.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  });

  it('says what a pause happened after, and keeps status and log after the batch ends until the next start', () => {
    const m = model();
    for (const e of runningBatchEvents()) m.apply(e);
    const key = STORIES[0].key;
    m.apply({ type: 'command:end', at: T0 + 300_000, stepKey: 'c1/dev-story/2a-1', cycle: 1, command: 'dev-story', attempt: 1, storyKeys: [key], outcome: 'success', durationMs: 1000 });
    m.apply({ type: 'command:start', at: T0 + 301_000, stepKey: 'c1/code-review/a2', cycle: 1, command: 'code-review', attempt: 2, storyKeys: [key], epicId: '2a' });
    m.apply({ type: 'command:end', at: T0 + 302_000, stepKey: 'c1/code-review/a2', cycle: 1, command: 'code-review', attempt: 2, storyKeys: [key], outcome: 'success', durationMs: 1000, usage: usage(1) });
    m.apply({ type: 'run:state', at: T0 + 303_000, state: 'paused' });
    assert.equal(m.snapshot(0).run.statusLine, 'Paused after 2a-1 code-review#2');
    m.apply({ type: 'batch:end', at: T0 + 304_000, batchId: 7, status: 'stopped', cyclesCompleted: 1, storiesDone: [], storiesBlocked: [], reason: 'Stopped by the user', sprintComplete: false });
    m.apply({ type: 'run:state', at: T0 + 305_000, state: 'idle' });
    const ended = m.snapshot(0);
    assert.equal(ended.run.statusLine, 'Idle');
    assert.match(ended.run.detail, /Batch #7 stopped · 1 cycle · 0 done · 0 blocked — Stopped by the user/);
    assert.ok(ended.log.length > 10, 'the log is kept after the run');
    const deltas = m.apply({ type: 'batch:start', at: T0 + 400_000, batchId: 8, runId: 'r8', batchMode: 'all', maxCycles: null, resumed: false });
    assert.equal(deltas[0].type, 'logCleared');
    assert.equal(m.snapshot(0).log.length, 1);
    assert.ok(Math.abs(m.snapshot(0).costs.allTime.costUsd - 2.15) < 1e-9, 'earlier batches stay in the all-time total');
    assert.equal(statusLineOf({ state: 'running', cycle: { number: 2, maxCycles: null, storyKeys: [], done: [], blocked: [] } }), 'Running cycle 2 (all)');
  });

  it('rebuilds run, log and costs from stored events, keeps ledger statuses, and clears a crashed command when idle', () => {
    const m = model(stored(runningBatchEvents()), 'idle');
    const s = m.snapshot(0);
    assert.equal(s.run.statusLine, 'Idle');
    assert.equal(s.run.current, undefined, 'nothing runs: no current command');
    assert.equal(s.stories.find((c) => c.shortId === '2a-1')!.current, undefined);
    assert.equal(s.stories.find((c) => c.shortId === '2a-2')!.column, 'ready', 'ledger wins over replayed status events');
    assert.ok(Math.abs(s.costs.batch.costUsd - 1.15) < 1e-9);
    assert.equal(s.log.length, runningBatchEvents().length - 1, 'one line per event but run:state running');
  });

  it('bounds the log', () => {
    const m = model();
    for (let i = 0; i < MAX_LOG_LINES + 5; i++) m.apply({ type: 'warning', at: T0 + i, message: `w${i}` });
    const s = m.snapshot(0);
    assert.equal(s.log.length, MAX_LOG_LINES);
    assert.equal(s.logDropped, 5);
    assert.equal(s.log[0].message, 'w5');
  });

  it('reports ledger changes as story deltas only for changed cards', () => {
    const m = model();
    const changed = STORIES.map((s) => (s.shortId === '2a-3' ? { ...s, status: 'ready-for-dev' } : s));
    const deltas = m.replaceLedger(aLedger(changed), []);
    assert.deepEqual(deltas.map((d) => d.type === 'storyChanged' && [d.card.shortId, d.card.column]), [['2a-3', 'ready']]);
  });

  describe('git: commits, gates, lanes', () => {
    const [s1, s2] = [STORIES[0].key, STORIES[3].key];
    const parallel = () => new DashboardModel({
      ledger: aLedger(STORIES), ledgerProblems: [], runState: 'running', latestBatch: undefined, earlierCommands: [], latestBatchEvents: [], blockReasons: {}, budgets: {}, maxParallel: 2,
    });

    it('logs a verified and a failed batch commit; a refused commit lists its files on hover', () => {
      const m = model();
      m.apply({ type: 'commit:verified', at: T0, stepKey: 'c1/verify-commit', cycle: 1, storyKeys: [s1], mode: 'agent', sha: '0123456789abcdef', message: 'feat(2a): implement stories 2a-1\n\nbody', files: 3 });
      m.apply({ type: 'commit:failed', at: T0 + 1, stepKey: 'c2/engine-commit', cycle: 2, storyKeys: [s1], mode: 'engine', reason: 'unexpected-dirty', detail: 'src/a.ts changed before and during the cycle', paths: ['src/a.ts'] });
      const [ok, bad] = m.snapshot(0).log.slice(-2);
      assert.equal(ok.message, 'Commit verified 0123456789: feat(2a): implement stories 2a-1 (3 files)');
      assert.equal(ok.level, 'info');
      assert.equal(bad.status, 'failed');
      assert.equal(bad.level, 'error');
      assert.match(bad.message, /Engine commit refused \(unexpected-dirty\): src\/a\.ts changed/);
      assert.equal(bad.detail, 'Files:\nsrc/a.ts');
    });

    it('logs gate results: names and pass/fail in the row, the failing output (bounded) as its detail', () => {
      const m = model();
      const long = `${'x'.repeat(30_000)}\n2 failing`;
      m.apply({ type: 'gates:result', at: T0, stepKey: 'c1/gates/2a-1/a1', storyKey: s1, attempt: 1, ok: false, results: [
        { name: 'lint', ok: true, exitCode: 0, durationMs: 10, output: 'clean' },
        { name: 'tests', ok: false, exitCode: 1, durationMs: 900, output: long },
      ] });
      const l = m.snapshot(0).log.at(-1)!;
      assert.equal(l.command, 'gates');
      assert.equal(l.status, 'fail');
      assert.equal(l.level, 'warning');
      assert.equal(l.message, 'Quality gates before code-review #1: lint passed, tests failed (exit 1)');
      assert.ok(l.detail!.startsWith('── tests\n'));
      assert.ok(l.detail!.endsWith('2 failing'), 'the end of the output (the summary) is kept');
      assert.ok(l.detail!.length < 8_100);
      assert.ok(!l.detail!.includes('clean'), 'passing gates add no detail');
    });

    it('numbers parallel lanes on cards and in the run view, and frees them on merge or conflict', () => {
      const m = parallel();
      assert.deepEqual(m.snapshot(0).run.lanes, { running: 0, max: 2 });
      const d1 = m.apply({ type: 'lane:state', at: T0, storyKey: s1, state: 'started', branch: 'story/r/2a-1', cwd: '/wt/2a-1', lane: s1 });
      m.apply({ type: 'lane:state', at: T0 + 1, storyKey: s2, state: 'started', branch: 'story/r/2b-1', cwd: '/wt/2b-1', lane: s2 });
      assert.ok(d1.some((d) => d.type === 'storyChanged' && d.card.key === s1 && d.card.lane === 1));
      assert.ok(d1.some((d) => d.type === 'runStateChanged' && d.run.lanes?.running === 1));
      let snap = m.snapshot(0);
      assert.equal(snap.stories.find((c) => c.key === s1)!.lane, 1);
      assert.equal(snap.stories.find((c) => c.key === s2)!.lane, 2);
      assert.deepEqual(snap.run.lanes, { running: 2, max: 2 });
      assert.equal(snap.log.at(-1)!.message, 'Lane 2 started on story/r/2b-1');
      m.apply({ type: 'lane:state', at: T0 + 2, storyKey: s2, state: 'conflict', branch: 'story/r/2b-1', cwd: '/wt/2b-1', files: ['src/x.ts'], detail: 'CONFLICT (content)', lane: s2 });
      snap = m.snapshot(0);
      assert.equal(snap.stories.find((c) => c.key === s2)!.lane, undefined);
      assert.deepEqual(snap.run.lanes, { running: 1, max: 2 });
      const row = snap.log.at(-1)!;
      assert.equal(row.level, 'warning');
      assert.match(row.message, /Lane parked, merge conflict: src\/x\.ts \(branch story\/r\/2b-1 kept\)/);
      assert.match(row.detail ?? '', /Worktree: \/wt\/2b-1/);
    });

    it('shows no lanes in the default one-pair-at-a-time mode', () => {
      const m = model();
      m.apply({ type: 'report:written', at: T0, path: '/ws/_bmad-output/implementation-artifacts/sprint-report-r1-1.md' });
      assert.equal(m.snapshot(0).run.lanes, undefined);
      assert.equal(m.snapshot(0).log.at(-1)!.message, 'Sprint report written: /ws/_bmad-output/implementation-artifacts/sprint-report-r1-1.md');
    });
  });
});
