// Dashboard benchmark (not a test): how long from an engine event to the DOM showing it, and what one
// frame costs when a line is appended to a 10,000-line log. Real headless Chromium, the shipped bundle.
//   npm run bench:webview   → prints a table, merges `webview` into bench/results.json

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DashboardModel } from '../src/shared/DashboardModel';
import type { LogLine } from '../src/shared/dashboardViewModels';
import { ROOT, buildWebview, harnessUrl, launch, post } from '../test/webview/browser';
import { STORIES, ScenarioHost, T0, aLedger } from '../test/webview/dashboardScenario';

const SAMPLES = 300;

function stats(xs: number[]): { median: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: round(at(0.5)), p95: round(at(0.95)), max: round(s[s.length - 1]) };
}
const round = (n: number) => Math.round(n * 1000) / 1000;

function line(seq: number): LogLine {
  return { seq, at: T0 + seq, story: '2a-1', command: 'dev-story', taskId: 'implement', status: 'start', message: `Writing test file ${seq} of the session scanner`, level: 'info' };
}

async function main(): Promise<void> {
  // Host side: one engine event through the model (what the panel does before posting).
  const model = new DashboardModel({ ledger: aLedger(STORIES), ledgerProblems: [], runState: 'running', latestBatch: undefined, earlierCommands: [], latestBatchEvents: [], blockReasons: {}, budgets: {} });
  const hostMs: number[] = [];
  for (let i = 0; i < SAMPLES * 10; i++) {
    const t = performance.now();
    model.apply({ type: 'command:progress', at: T0 + i, command: 'dev-story', storyKeys: [STORIES[0].key], row: { timestamp: T0 / 1000, epicId: '2a', storyId: '2a-1', command: 'dev-story', taskId: 'implement', status: 'start', message: `m${i}` } });
    hostMs.push(performance.now() - t);
  }

  await buildWebview();
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // tsx compiles the evaluated callbacks with esbuild's keep-names helper; give the page that helper.
    await page.addInitScript({ content: 'window.__name = (f) => f;' });
    await page.goto(harnessUrl('dark'));
    const host = new ScenarioHost();
    const snap = host.snapshot();
    if (snap.type !== 'snapshot') throw new Error('unreachable');
    snap.snapshot.log = Array.from({ length: 10_000 }, (_, i) => line(i + 1));
    await post(page, snap);

    // Message → DOM: posted inside the page, timed until the row is in the document.
    const toDom = await page.evaluate(async (n) => {
      const spacer = document.querySelector('.log-spacer')!;
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const seq = 10_001 + i;
        const seen = new Promise<number>((resolve) => {
          const mo = new MutationObserver(() => {
            if (spacer.querySelector(`[data-seq="${seq}"]`)) {
              mo.disconnect();
              resolve(performance.now());
            }
          });
          mo.observe(spacer, { childList: true });
        });
        const t0 = performance.now();
        window.postMessage({ type: 'eventAppended', rev: i + 1, line: { seq, at: Date.now(), story: '2a-1', command: 'dev-story', taskId: 'implement', status: 'start', message: `line ${seq}`, level: 'info' } }, '*');
        out.push((await seen) - t0);
      }
      return out;
    }, SAMPLES);

    // Frame cost: the frame that renders one appended line (the app's render + style + layout).
    // rAF callbacks run in registration order: A (before the post) → the app's render → B (after the
    // message was handled), all in one frame; B forces layout so its cost is counted too.
    const frame = await page.evaluate(async ({ n, base }) => {
      const out: number[] = [];
      for (let i = 0; out.length < n && i < n * 4; i++) {
        await new Promise((r) => setTimeout(r, 0));
        const seq = 20_000 + i;
        let handled = false;
        let tA = 0;
        const sample = new Promise<number | undefined>((resolve) => {
          requestAnimationFrame(() => {
            tA = performance.now();
            if (!handled) resolve(undefined); // the frame came before the message: not a valid sample
          });
          window.addEventListener('message', function marker(e) {
            if ((e.data as { type?: string }).type !== 'bench-marker') return;
            window.removeEventListener('message', marker);
            handled = true;
            requestAnimationFrame(() => {
              void (document.querySelector('.log-viewport') as HTMLElement).scrollHeight;
              void document.querySelector(`[data-seq="${seq}"]`)?.getBoundingClientRect();
              resolve(performance.now() - tA);
            });
          });
        });
        window.postMessage({ type: 'eventAppended', rev: base + i + 1, line: { seq, at: Date.now(), story: '2a-1', command: 'dev-story', taskId: 'implement', status: 'end', message: `line ${seq}`, level: 'info' } }, '*');
        window.postMessage({ type: 'bench-marker' }, '*');
        const v = await sample;
        if (v !== undefined && document.querySelector(`[data-seq="${seq}"]`)) out.push(v);
      }
      return out;
    }, { n: SAMPLES, base: SAMPLES });

    const rendered = await page.evaluate(() => document.querySelectorAll('.log-row[data-seq]').length);
    const results = {
      at: new Date().toISOString(),
      chromium: browser.version(),
      samples: SAMPLES,
      hostApplyMs: stats(hostMs),
      messageToDomMs: stats(toDom),
      appendFrameMs: stats(frame),
      appendFrameSamples: frame.length,
      logLines: 10_000 + 2 * SAMPLES,
      domRows: rendered,
    };
    console.table({
      'engine event → model (host)': results.hostApplyMs,
      'message → DOM row (webview)': results.messageToDomMs,
      'append frame (render+layout), 10k log': results.appendFrameMs,
    });
    console.log(`log lines ${results.logLines}, DOM rows ${rendered}`);
    const file = path.join(ROOT, 'bench', 'results.json');
    const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    all.webview = results;
    writeFileSync(`${file}.tmp`, JSON.stringify(all, null, 2) + '\n');
    const { renameSync } = await import('node:fs');
    renameSync(`${file}.tmp`, file);
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
