// The dashboard webview bundle in real headless Chromium, fed by a fake host that posts what the real
// DashboardModel produces. Asserts what an operator sees (and that nothing an agent writes runs).

import { strict as assert } from 'node:assert';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { LogLine } from '../../src/shared/dashboardViewModels';
import { SCREENSHOTS, buildWebview, harnessUrl, launch, post, posted, settle } from './browser';
import { STORIES, ScenarioHost, T0, chartBatchEvents, laneBatchEvents, runningBatchEvents, usage } from './dashboardScenario';
import { spendChartOf } from '../../src/shared/batchCharts';

function line(seq: number, message = `line ${seq}`): LogLine {
  return { seq, at: T0 + seq * 1000, story: '2a-1', command: 'dev-story', taskId: 'implement', status: 'start', message, level: 'info' };
}

describe('dashboard webview (headless Chromium)', function () {
  let browser: Browser;
  let page: Page;

  before(async function () {
    await buildWebview();
    browser = await launch();
  });
  after(async () => browser?.close());

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(harnessUrl('dark'));
  });
  afterEach(async () => page?.close());

  async function open(tab: string): Promise<void> {
    await page.click(`#tab-${tab}`);
  }

  it('sends ready, then renders the snapshot: status line, current command, board and log', async () => {
    assert.deepEqual(await posted(page), [{ type: 'ready' }]);
    const host = new ScenarioHost({ events: runningBatchEvents() });
    await post(page, host.snapshot());
    await settle(page);
    assert.equal(await page.textContent('[data-testid=status-line]'), 'Running cycle 1/3');
    assert.match((await page.textContent('[data-testid=current]')) ?? '', /2a-1 dev-story \(implement\)/);
    assert.equal(await page.locator('.column-in-progress .card').count(), 1);
    assert.equal(await page.locator('.column-blocked .card').getAttribute('data-story'), STORIES[5].key);
    assert.match((await page.textContent('.column-blocked .card')) ?? '', /tests time out/);
    const rows = await page.locator('.log-row[data-seq]').count();
    assert.equal(rows, host.model.snapshot(0).log.length);
  });

  it('appends log lines incrementally: rows already shown stay the same DOM nodes', async () => {
    const host = new ScenarioHost({ events: runningBatchEvents() });
    await post(page, host.snapshot());
    await settle(page);
    const before = await page.locator('.log-row[data-seq]').count();
    await page.evaluate(() => document.querySelectorAll('.log-row[data-seq]').forEach((r) => ((r as HTMLElement & { __mark?: boolean }).__mark = true)));
    const key = STORIES[0].key;
    const deltas = [
      ...host.emit({ type: 'command:progress', at: T0 + 160_000, command: 'dev-story', storyKeys: [key], row: { timestamp: (T0 + 160_000) / 1000, epicId: '2a', storyId: '2a-1', command: 'dev-story', taskId: 'implement', status: 'end', message: 'Tests written (files:4)' } }),
      ...host.emit({ type: 'warning', at: T0 + 161_000, message: 'Slow response from the API', storyKey: key }),
    ];
    await post(page, ...deltas);
    await settle(page);
    const after = await page.evaluate(() => {
      const rows = Array.from(document.querySelectorAll('.log-row[data-seq]')) as (HTMLElement & { __mark?: boolean })[];
      return { count: rows.length, marked: rows.filter((r) => r.__mark).length, last: rows.map((r) => r.textContent ?? '').at(-1) };
    });
    assert.equal(after.count, before + 2);
    assert.equal(after.marked, before, 'every earlier row is still the same node');
    assert.match(after.last ?? '', /Slow response from the API/);
    assert.match((await page.textContent('[data-testid=current]')) ?? '', /Tests written/);
  });

  it('moves a card to its new column as the same node, and shows the live command on it', async () => {
    const host = new ScenarioHost({ events: runningBatchEvents() });
    await post(page, host.snapshot());
    await open('board');
    const key = STORIES[0].key;
    await page.evaluate((k) => ((document.querySelector(`.card[data-story="${k}"]`) as HTMLElement & { __mark?: boolean }).__mark = true), key);
    assert.match((await page.textContent(`.card[data-story="${key}"]`)) ?? '', /dev-story/);
    await post(
      page,
      ...host.emit({ type: 'command:end', at: T0 + 400_000, batchId: 7, stepKey: 'c1/dev-story/2a-1', cycle: 1, command: 'dev-story', attempt: 1, storyKeys: [key], outcome: 'success', durationMs: 248_000, usage: usage(2.5) }),
      ...host.emit({ type: 'story:status', at: T0 + 401_000, batchId: 7, storyKey: key, from: 'in-progress', to: 'review' }),
      ...host.emit({ type: 'command:start', at: T0 + 402_000, batchId: 7, stepKey: 'c1/code-review/2a-1/a2', cycle: 1, command: 'code-review', attempt: 2, storyKeys: [key], epicId: '2a' }),
    );
    const moved = await page.evaluate((k) => {
      const card = document.querySelector(`.card[data-story="${k}"]`) as HTMLElement & { __mark?: boolean };
      return { column: card.closest('.column')?.getAttribute('data-column'), same: card.__mark === true, text: card.textContent };
    }, key);
    assert.equal(moved.column, 'review');
    assert.ok(moved.same, 'the card node moved, it was not re-created');
    assert.match(moved.text ?? '', /code-review-2 \(attempt 2\)/);
    assert.equal(await page.textContent('.column-review .count'), '2');
    assert.equal(await page.textContent('.column-in-progress .count'), '0');
  });

  it('costs: per-story, per-command and per-cycle rows each sum to the batch total', async () => {
    const host = new ScenarioHost({ events: runningBatchEvents(), budgets: { batchUsd: 5, storyUsd: 1 } });
    await post(page, host.snapshot());
    await open('costs');
    const tables = await page.evaluate(() =>
      Array.from(document.querySelectorAll('table.cost-table')).map((t) => ({
        rows: Array.from(t.querySelectorAll('tbody tr td.cost')).map((td) => Number((td.textContent ?? '').replace('$', ''))),
        total: Number((t.querySelector('tfoot td.cost')?.textContent ?? '').replace('$', '')),
      })),
    );
    assert.equal(tables.length, 3);
    for (const t of tables) {
      assert.ok(Math.abs(t.rows.reduce((a, b) => a + b, 0) - t.total) < 0.011, `rows ${t.rows} sum to ${t.total}`);
      assert.equal(t.total, 1.15);
    }
    assert.equal(await page.textContent('[data-testid=batch-cost]'), '$1.15');
    assert.equal(await page.locator('.budget progress').count(), 3, 'one batch budget bar and one per story');
  });

  it('costs chart: one point per finished command up to the batch total, forecast and budget lines, focusable with the numbers as its label', async () => {
    const host = new ScenarioHost({ events: chartBatchEvents(), budgets: { batchUsd: 5 } });
    await post(page, host.snapshot());
    await open('costs');
    await settle(page);
    const chart = await page.evaluate(() => {
      const svg = document.querySelector('#panel-costs svg.spend-chart')!;
      return {
        points: svg.querySelectorAll('circle.chart-point').length,
        label: svg.getAttribute('aria-label'),
        role: svg.getAttribute('role'),
        tabindex: svg.getAttribute('tabindex'),
        forecast: svg.querySelector('.chart-forecast text')?.textContent,
        budget: svg.querySelector('.chart-budget text')?.textContent,
        path: svg.querySelector('path.chart-spend')?.getAttribute('d') ?? '',
        inlineStyles: document.querySelectorAll('#panel-costs svg [style]').length,
      };
    });
    assert.equal(chart.points, 5, 'five finished commands');
    assert.equal(chart.role, 'img');
    assert.equal(chart.tabindex, '0');
    assert.match(chart.label ?? '', /^Spent \$2\.80 over 5 finished commands in .*; forecast \$4\.00 \(70% of it spent\); batch budget \$5\.00 \(56% used\)\.$/);
    assert.equal(chart.forecast, 'Forecast $4.00');
    assert.equal(chart.budget, 'Budget $5.00');
    assert.equal(chart.inlineStyles, 0, 'colours come from classes: the CSP allows no inline styles');
    const expected = spendChartOf(host.model.snapshot(0).costs.activity, 5, Date.now());
    assert.equal(chart.path.split(' V').length - 1, expected.points.length - 1, 'one step per finished command');
    await page.focus('#panel-costs svg.spend-chart');
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('spend-chart')), true);
    assert.equal(await page.textContent('[data-testid=batch-cost]'), '$2.80', 'the tables stay as the numbers in text');
  });

  it('timeline Gantt: a row per story, a bar per command coloured by outcome, retries and the limit wait marked, every bar focusable with its text', async () => {
    const host = new ScenarioHost({ events: chartBatchEvents() });
    await post(page, host.snapshot());
    await open('timeline');
    await settle(page);
    const g = await page.evaluate(() =>
      Array.from(document.querySelectorAll('#panel-timeline svg.gantt .gantt-row')).map((r) => ({
        label: r.querySelector('.gantt-label')?.textContent,
        bars: Array.from(r.querySelectorAll('.gantt-bar')).map((b) => ({ cls: b.getAttribute('class'), tab: b.getAttribute('tabindex'), label: b.getAttribute('aria-label'), title: b.querySelector('title')?.textContent })),
      })),
    );
    assert.deepEqual(g.map((r) => [r.label, r.bars.length]), [['2a-1', 7], ['2a-2', 1]]);
    const bars = g[0].bars;
    assert.deepEqual(bars.map((b) => b.cls), [
      'gantt-bar outcome-success', 'gantt-bar outcome-success', 'gantt-bar outcome-success', 'gantt-bar outcome-transient',
      'gantt-bar outcome-agent-failure retry', 'gantt-bar outcome-running retry', 'gantt-bar gantt-wait',
    ]);
    assert.ok(bars.every((b) => b.tab === '0' && b.label && b.label === b.title), 'every bar is focusable and says what it is');
    assert.equal(bars[4].label, '2a-1 code-review, attempt 2: 1m 08s, agent-failure, $0.40');
    assert.equal(bars[6].label, '2a-1 usage limit wait (five_hour): 1m 40s');
    await page.focus('#panel-timeline .gantt-bar.retry');
    assert.match((await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) ?? '', /code-review, attempt 2/);
    assert.match((await page.getAttribute('#panel-timeline svg.gantt', 'aria-label')) ?? '', /^6 commands in 2 stories over .*: 2 retries, 2 not successful, 1 usage-limit wait\.$/);
    // The story list stays below as text.
    assert.equal(await page.isVisible('#panel-timeline select[aria-label=Story]'), true);

    // A command ending redraws the chart; the focused bar keeps the focus.
    await page.focus('#panel-timeline .gantt-bar.outcome-running');
    await post(page, ...host.emit({ type: 'command:end', at: T0 + 440_000, batchId: 7, stepKey: 'c1/code-review/2a-1/a3', cycle: 1, command: 'code-review', attempt: 3, storyKeys: [STORIES[0].key], outcome: 'success', durationMs: 39_000, usage: usage(0.3) }));
    await settle(page);
    assert.equal(await page.locator('#panel-timeline .gantt-bar.outcome-running').count(), 0);
    assert.match((await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) ?? '', /code-review, attempt 3: 39s, success/);
  });

  it('timeline Gantt in parallel mode: one row per lane', async () => {
    const host = new ScenarioHost({ events: laneBatchEvents(), maxParallel: 2 });
    await post(page, host.snapshot());
    await open('timeline');
    await settle(page);
    const rows = await page.evaluate(() =>
      Array.from(document.querySelectorAll('#panel-timeline svg.gantt .gantt-row')).map((r) => `${r.querySelector('.gantt-label')?.textContent}:${r.querySelectorAll('.gantt-bar').length}`),
    );
    assert.deepEqual(rows, ['Main checkout:1', 'Lane 1:1', 'Lane 2:2']);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'timeline-lanes-dark.png') });
  });

  it('charts show agent and file text as text and run none of it', async () => {
    const evil = '<img src=x onerror="window.__pwned=4"><b>x</b>';
    const key = `9-9-${evil}`;
    const host = new ScenarioHost({ events: chartBatchEvents() });
    await post(page, host.snapshot());
    await post(
      page,
      ...host.emit({ type: 'command:start', at: T0 + 402_000, batchId: 7, stepKey: 'c1/create-story/9-9', cycle: 1, command: 'create-story', attempt: 1, storyKeys: [key], epicId: '9' }),
      ...host.emit({ type: 'limit:wait', at: T0 + 403_000, batchId: 7, stepKey: 'c1/create-story/9-9', storyKeys: [key], resetsAt: T0 + 900_000, limitType: evil, state: 'waiting' }),
    );
    await open('timeline');
    await settle(page);
    await open('costs');
    await settle(page);
    const r = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      imgs: document.querySelectorAll('img').length,
      bolds: document.querySelectorAll('#app b').length,
      wait: Array.from(document.querySelectorAll('.gantt-wait')).map((b) => b.getAttribute('aria-label') ?? '').join('\n'),
      titles: Array.from(document.querySelectorAll('svg.gantt title')).map((t) => t.textContent ?? '').join('\n'),
    }));
    assert.equal(r.pwned, undefined);
    assert.equal(r.imgs, 0);
    assert.equal(r.bolds, 0);
    assert.ok(r.wait.includes(`usage limit wait (${evil})`), r.wait);
    assert.ok(r.titles.includes(evil), 'the markup is shown literally in the bar titles');
  });

  it('renders agent text with markup as text and runs none of it', async () => {
    const host = new ScenarioHost({ events: runningBatchEvents() });
    await post(page, host.snapshot());
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>';
    const key = STORIES[0].key;
    await post(
      page,
      ...host.emit({ type: 'error', at: T0 + 170_000, message: evil, storyKey: key }),
      ...host.emit({ type: 'story:status', at: T0 + 171_000, storyKey: key, from: 'in-progress', to: 'blocked', reason: evil }),
    );
    await settle(page);
    await open('board');
    await page.waitForTimeout(200);
    const r = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      imgs: document.querySelectorAll('img').length,
      bolds: document.querySelectorAll('#app b').length,
      scripts: document.querySelectorAll('#app script').length,
      lastLog: Array.from(document.querySelectorAll('.log-row[data-seq]')).map((e) => e.textContent).join('\n'),
      card: document.querySelector('.column-blocked .card-blocked')?.textContent,
    }));
    assert.equal(r.pwned, undefined);
    assert.equal(r.imgs, 0);
    assert.equal(r.bolds, 0);
    assert.equal(r.scripts, 0);
    assert.ok(r.lastLog.includes('<img src=x onerror="window.__pwned=1"><script>'), 'the markup is shown literally');
    assert.ok((r.card ?? '').includes('<script>window.__pwned=2</script>'));
  });

  it('parallel lanes and a failing quality gate: lane label on the card, Lanes: N running, gate output as text on hover and in the detail pane', async () => {
    const host = new ScenarioHost({ events: runningBatchEvents(), maxParallel: 2 });
    await post(page, host.snapshot());
    const [s1, s2] = [STORIES[0].key, STORIES[3].key];
    const evil = 'FAIL src/a.test.ts\n<img src=x onerror="window.__pwned=3"> expected 1';
    await post(
      page,
      ...host.emit({ type: 'lane:state', at: T0 + 200_000, storyKey: s1, state: 'started', branch: 'story/r7/2a-1', cwd: '/wt/2a-1', lane: s1 }),
      ...host.emit({ type: 'lane:state', at: T0 + 200_500, storyKey: s2, state: 'started', branch: 'story/r7/2b-1', cwd: '/wt/2b-1', lane: s2 }),
      ...host.emit({ type: 'gates:result', at: T0 + 201_000, stepKey: 'c1/gates/2a-1/a1', storyKey: s1, attempt: 1, ok: false, lane: s1, results: [
        { name: 'tests', ok: false, exitCode: 1, durationMs: 4_000, output: evil },
      ] }),
    );
    await settle(page);
    assert.equal(await page.textContent('[data-testid=lanes]'), ' · Lanes: 2 running');
    const row = await page.evaluate(() => {
      const rows = Array.from(document.querySelectorAll('.log-row[data-seq]'));
      const gate = rows.find((r) => r.querySelector('.log-command')?.textContent === 'gates')!;
      return {
        status: gate.querySelector('.log-status')?.textContent,
        message: gate.querySelector('.log-message')?.textContent,
        title: gate.querySelector('.log-message')?.getAttribute('title'),
        level: gate.className,
        imgs: document.querySelectorAll('img').length,
        pwned: (window as unknown as { __pwned?: number }).__pwned,
      };
    });
    assert.equal(row.status, 'fail');
    assert.equal(row.message, 'Quality gates before code-review #1: tests failed (exit 1)');
    assert.match(row.level, /level-warning/);
    assert.ok(row.title?.includes('<img src=x onerror="window.__pwned=3"> expected 1'), 'the gate output is the hover text, literally');
    assert.equal(row.imgs, 0);
    assert.equal(row.pwned, undefined);

    // Clicking the row shows the whole output below the log, as text; the close button hides it.
    assert.equal(await page.isVisible('[data-testid=log-detail]'), false, 'no detail pane before a click');
    await page.click('.log-row.has-detail >> text=Quality gates before code-review #1');
    await page.waitForSelector('[data-testid=log-detail]', { state: 'visible' });
    const shown = await page.textContent('[data-testid=log-detail-text]');
    assert.match(shown ?? '', /Quality gates before code-review #1: tests failed \(exit 1\)/);
    assert.ok(shown?.includes('── tests\nFAIL src/a.test.ts\n<img src=x onerror="window.__pwned=3"> expected 1'), shown ?? '');
    assert.equal(await page.evaluate(() => document.querySelectorAll('img').length), 0, 'shown as text, not markup');
    await page.click('[data-testid=log-detail] button[aria-label="Close details"]');
    assert.equal(await page.isVisible('[data-testid=log-detail]'), false);
    // The keyboard reaches it too.
    await page.focus('.log-row.has-detail');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=log-detail]', { state: 'visible' });

    await open('board');
    assert.equal(await page.textContent(`.card[data-story="${s1}"] .lane`), 'lane 1');
    assert.equal(await page.textContent(`.card[data-story="${s2}"] .lane`), 'lane 2');
    await post(page, ...host.emit({ type: 'lane:state', at: T0 + 300_000, storyKey: s2, state: 'merged', branch: 'story/r7/2b-1', lane: s2 }));
    await settle(page);
    assert.equal(await page.locator(`.card[data-story="${s2}"] .lane`).count(), 0, 'a merged lane is closed');
    await open('run');
    assert.equal(await page.textContent('[data-testid=lanes]'), ' · Lanes: 1 running');
  });

  it('keeps UI state (tab, filters, collapsed columns, auto-scroll) across a reload, and no domain data in it', async () => {
    const host = new ScenarioHost({ events: runningBatchEvents() });
    await post(page, host.snapshot());
    await page.selectOption('select[aria-label="Filter by level"]', 'warning');
    await page.uncheck('#auto-scroll');
    await open('board');
    await page.click('#column-done .column-toggle');
    await page.waitForTimeout(250);
    const stored = await page.evaluate(() => sessionStorage.getItem('webviewState') ?? '');
    assert.ok(!stored.includes('session-scanner'), 'no story data in webview state');
    assert.ok(!stored.includes('Writing test files'), 'no log data in webview state');

    await page.reload();
    await post(page, host.snapshot());
    assert.equal(await page.getAttribute('#tab-board', 'aria-selected'), 'true');
    assert.equal(await page.isVisible('#panel-board'), true);
    assert.equal(await page.getAttribute('#column-done .column-toggle', 'aria-expanded'), 'false');
    assert.equal(await page.inputValue('select[aria-label="Filter by level"]'), 'warning');
    assert.equal(await page.isChecked('#auto-scroll'), false);
  });

  it('virtualises a 10,000-line log: few DOM rows, scrolling shows the right lines, appends stay cheap', async () => {
    const host = new ScenarioHost();
    const snap = host.snapshot();
    if (snap.type !== 'snapshot') throw new Error('unreachable');
    snap.snapshot.log = Array.from({ length: 10_000 }, (_, i) => line(i + 1));
    await post(page, snap);
    await settle(page);
    const atEnd = await page.evaluate(() => ({
      rows: document.querySelectorAll('.log-row[data-seq]').length,
      last: Math.max(...Array.from(document.querySelectorAll('.log-row[data-seq]')).map((r) => Number((r as HTMLElement).dataset.seq))),
    }));
    assert.ok(atEnd.rows < 80, `${atEnd.rows} rows in the DOM`);
    assert.equal(atEnd.last, 10_000, 'auto-scroll shows the newest line');
    await page.uncheck('#auto-scroll');
    await page.evaluate(() => {
      const v = document.querySelector('.log-viewport') as HTMLElement;
      v.scrollTop = 5000 * 22;
    });
    await settle(page);
    const middle = await page.evaluate(() => Array.from(document.querySelectorAll('.log-row[data-seq]')).map((r) => r.textContent ?? ''));
    assert.ok(middle.some((t) => t.includes('line 5001')), 'line 5001 is rendered after scrolling there');
    assert.ok(middle.length < 80);
    const deltas = Array.from({ length: 50 }, (_, i) => ({ type: 'eventAppended' as const, rev: i + 1, line: line(10_001 + i) }));
    await post(page, ...deltas);
    await settle(page);
    assert.ok((await page.locator('.log-row[data-seq]').count()) < 80);
    assert.equal(await page.evaluate(() => (document.querySelector('.log-spacer') as HTMLElement).style.height), `${10_050 * 22}px`);
  });

  it('asks for a fresh snapshot on a rev gap and ignores deltas until it arrives', async () => {
    const host = new ScenarioHost({ events: runningBatchEvents() });
    await post(page, host.snapshot());
    const base = host.rev;
    await post(page, { type: 'eventAppended', rev: base + 2, line: line(900, 'skipped ahead') });
    await settle(page);
    const msgs = await posted(page);
    assert.deepEqual(msgs.at(-1), { type: 'requestSnapshot', lastRev: base });
    assert.ok(!((await page.textContent('.log-viewport')) ?? '').includes('skipped ahead'));
  });

  it('posts the controls: Start with a cycle count or All, Pause/Resume, Stop, story actions', async () => {
    const host = new ScenarioHost();
    await post(page, host.snapshot());
    await page.fill('#cycles', '4');
    await page.dispatchEvent('#cycles', 'change');
    await page.click('button[aria-label=Start]');
    await page.check('#all-cycles');
    await page.click('button[aria-label=Start]');
    await post(page, ...host.emit({ type: 'run:state', at: T0, state: 'running' }));
    // The view renders on the next frame: wait for it rather than read the DOM at once.
    await page.waitForSelector('button[aria-label=Start]:disabled', { timeout: 5000 });
    assert.equal(await page.isDisabled('button[aria-label=Start]'), true);
    await page.click('button[aria-label=Pause]');
    await post(page, ...host.emit({ type: 'run:state', at: T0, state: 'paused' }));
    await page.click('button[aria-label=Resume]');
    await page.click('button[aria-label=Stop]');
    await open('board');
    await page.click(`.card[data-story="${STORIES[5].key}"] button[aria-label=Unblock]`);
    await page.click(`.card[data-story="${STORIES[2].key}"] .story-key`);
    const msgs = (await posted(page)).filter((m) => m.type !== 'ready');
    assert.deepEqual(msgs, [
      { type: 'startRun', cycles: 4 },
      { type: 'startRun', cycles: 'all' },
      { type: 'pause' },
      { type: 'resume' },
      { type: 'stop' },
      { type: 'unblockStory', storyKey: STORIES[5].key },
      { type: 'openStory', storyKey: STORIES[2].key },
    ]);
  });

  it('shows a story timeline with phases and a log link, and history with drill-down', async () => {
    const host = new ScenarioHost({ events: runningBatchEvents() });
    await post(page, host.snapshot());
    await post(page, {
      type: 'timeline',
      timeline: {
        storyKey: STORIES[0].key,
        usage: { inputTokens: 1, outputTokens: 2, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 0.73 },
        durationMs: 147_000,
        commands: [
          { batchId: 7, cycle: 1, command: 'create-story', attempt: 1, label: 'create-story', startedAt: T0, endedAt: T0 + 88_000, durationMs: 88_000, outcome: 'success',
            usage: { inputTokens: 6000, outputTokens: 1500, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 0.42 }, logPath: '/ws/.sprint-runner/logs/c1-create-story.ndjson', summary: 'Story file written',
            phases: [{ taskId: 'setup', startedAt: T0 + 3000, endedAt: T0 + 20_000, durationMs: 17_000, message: 'Setup complete' }, { taskId: 'write', startedAt: T0 + 30_000, message: 'Writing story file' }] },
        ],
      },
    });
    assert.equal(await page.getAttribute('#tab-timeline', 'aria-selected'), 'true');
    const tl = (await page.textContent('#panel-timeline')) ?? '';
    assert.match(tl, /create-story/);
    assert.match(tl, /setup17s/);
    assert.match(tl, /writeopen/);
    await page.click('#panel-timeline button[aria-label="Open raw log"]');
    assert.deepEqual((await posted(page)).at(-1), { type: 'openLog', path: '/ws/.sprint-runner/logs/c1-create-story.ndjson' });

    await open('history');
    assert.deepEqual((await posted(page)).at(-1), { type: 'requestHistory' });
    const u = { inputTokens: 1, outputTokens: 1, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 3.21 };
    await post(page, { type: 'history', batches: [{ id: 6, startedAt: T0 - 7_200_000, endedAt: T0 - 3_600_000, batchMode: 'fixed', maxCycles: 2, cyclesCompleted: 2, status: 'completed', reason: null, storiesDone: ['1-1-project-setup'], storiesBlocked: ['1-2-auth-flow'], durationMs: 3_600_000, usage: u, commands: 14 }] });
    await page.click('button[aria-label="Stories of batch 6"]');
    assert.deepEqual((await posted(page)).at(-1), { type: 'requestBatchStories', batchId: 6 });
    await post(page, { type: 'batchStories', batchId: 6, stories: [{ storyKey: '1-1-project-setup', commands: 7, durationMs: 1_800_000, usage: u, outcome: 'done', lastCommand: 'batch-commit' }] });
    const hist = (await page.textContent('#panel-history')) ?? '';
    assert.match(hist, /#6/);
    assert.match(hist, /\$3\.21/);
    assert.match(hist, /1-1-project-setupdonebatch-commit/);
  });

  it('takes screenshots of every tab in dark and light themes', async () => {
    for (const theme of ['dark', 'light'] as const) {
      await page.goto(harnessUrl(theme));
      await page.evaluate(() => sessionStorage.clear());
      const host = new ScenarioHost({ events: chartBatchEvents(), budgets: { batchUsd: 5 } });
      await post(page, host.snapshot());
      await post(page, { type: 'history', batches: [
        { id: 6, startedAt: T0 - 7_200_000, endedAt: T0 - 3_600_000, batchMode: 'fixed', maxCycles: 2, cyclesCompleted: 2, status: 'completed', reason: null, storiesDone: ['1-1-project-setup'], storiesBlocked: ['1-2-auth-flow'], durationMs: 3_600_000, usage: usage(3.21), commands: 14 },
        { id: 5, startedAt: T0 - 90_000_000, endedAt: T0 - 89_000_000, batchMode: 'all', maxCycles: null, cyclesCompleted: 1, status: 'stopped', reason: 'Stopped by the user', storiesDone: [], storiesBlocked: [], durationMs: 1_000_000, usage: usage(0.4), commands: 3 },
      ] });
      await post(page, { type: 'timeline', timeline: {
        storyKey: STORIES[0].key, usage: usage(0.73), durationMs: 147_000,
        commands: [
          { batchId: 7, cycle: 1, command: 'create-story', attempt: 1, label: 'create-story', startedAt: T0 + 2000, endedAt: T0 + 90_000, durationMs: 88_000, outcome: 'success', usage: usage(0.42), logPath: '/ws/.sprint-runner/logs/c1-create-story.ndjson', summary: 'Story file written (files:2, lines:280)',
            phases: [{ taskId: 'setup', startedAt: T0 + 3000, endedAt: T0 + 20_000, durationMs: 17_000, message: 'Setup complete (files:1)' }, { taskId: 'analyze', startedAt: T0 + 21_000, endedAt: T0 + 40_000, durationMs: 19_000, message: 'Requirements analyzed (sections:6)' }] },
          { batchId: 7, cycle: 1, command: 'story-review', attempt: 1, label: 'story-review-1', startedAt: T0 + 91_000, endedAt: T0 + 150_000, durationMs: 59_000, outcome: 'success', usage: usage(0.31), logPath: null, summary: null, phases: [] },
          { batchId: 7, cycle: 1, command: 'dev-story', attempt: 1, label: 'dev-story', startedAt: T0 + 152_000, endedAt: null, durationMs: null, outcome: null, usage: usage(0), logPath: null, summary: null,
            phases: [{ taskId: 'implement', startedAt: T0 + 153_000, message: 'Writing test files' }] },
        ] } });
      for (const tab of ['run', 'board', 'timeline', 'costs', 'history']) {
        await open(tab);
        await settle(page);
        await page.screenshot({ path: path.join(SCREENSHOTS, `${tab}-${theme}.png`) });
      }
    }
  });
});
