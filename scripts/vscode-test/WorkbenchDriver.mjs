// Drives one workbench session in Debian's chromium (playwright-core, never a downloaded browser):
// opens code-server with the test payload, relays the extension host's console, answers the tests'
// driver requests (screenshots, DOM reads, clicks in webviews) and reports how the run ended.
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { CHROMIUM } from './TestHost.mjs';

/** A test asks the driver for something by logging this prefix followed by a JSON request. */
export const DRIVER_PREFIX = '[sprint-runner-driver] ';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Every frame's matches, because webviews live two iframes deep. */
async function inFrames(page, selector, fn) {
  for (const frame of page.frames()) {
    const loc = frame.locator(selector);
    let count = 0;
    try { count = await loc.count(); } catch { continue; /* frame detached meanwhile */ }
    if (count > 0) return fn(loc);
  }
  return undefined;
}

async function answer(page, req, o) {
  switch (req.op) {
    case 'screenshot': {
      mkdirSync(o.screenshotDir, { recursive: true });
      const file = path.join(o.screenshotDir, `${String(req.name).replace(/[^\w.-]/g, '_')}.png`);
      await page.screenshot({ path: file });
      return { file };
    }
    case 'texts': {
      // innerText plus aria-label: tree rows and status bar items carry their meaning in the label.
      const items = await inFrames(page, req.selector, (loc) =>
        loc.evaluateAll((els) => els.map((e) => ({ text: e.innerText ?? e.textContent ?? '', label: e.getAttribute('aria-label') ?? '' }))),
      );
      return { items: items ?? [] };
    }
    case 'click': {
      const clicked = await inFrames(page, req.selector, async (loc) => { await loc.first().click({ timeout: 5000 }); return true; });
      return { clicked: clicked === true };
    }
    case 'fill': {
      const filled = await inFrames(page, req.selector, async (loc) => { await loc.first().fill(String(req.value), { timeout: 5000 }); return true; });
      return { filled: filled === true };
    }
    case 'keyboard': {
      await page.keyboard.press(req.key);
      return {};
    }
    default:
      return { error: `unknown driver op ${req.op}` };
  }
}

/**
 * @param {{ serverUrl: string, port: number, folder: string, extensionDevelopmentPath?: string,
 *   extensionTestsPath: string, env: Record<string,string>, resultFile: string, driverDir: string,
 *   screenshotDir: string, timeoutMs: number, log: (line: string) => void }} o
 * @returns {Promise<{ exitCode: number | null, timedOut: boolean, hostLog: string, result: any }>}
 */
export async function runWorkbenchSession(o) {
  mkdirSync(o.driverDir, { recursive: true });
  const remote = (p) => `vscode-remote://127.0.0.1:${o.port}${p}`;
  const payload = [];
  if (o.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(o.extensionDevelopmentPath)]);
  payload.push(['extensionTestsPath', remote(o.extensionTestsPath)]);
  payload.push(['extensionEnvironment', JSON.stringify({ ...o.env, SPRINT_RUNNER_TEST_RESULT: o.resultFile, SPRINT_RUNNER_TEST_DRIVER_DIR: o.driverDir })]);
  const url = `${o.serverUrl}/?folder=${encodeURIComponent(o.folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  let hostLog = '';
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let resolveExit;
    const exited = new Promise((r) => (resolveExit = r));
    const pending = [];
    await page.exposeFunction('codeAutomationExit', (code) => { resolveExit(code); });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = util.format(...(Array.isArray(args) ? args : [args]));
      hostLog += `${line}\n`;
      const at = line.indexOf(DRIVER_PREFIX);
      if (at >= 0) {
        let req;
        try { req = JSON.parse(line.slice(at + DRIVER_PREFIX.length)); } catch { o.log(`driver: unreadable request ${line}`); return; }
        pending.push(
          answer(page, req, o)
            .catch((e) => ({ error: String(e?.message ?? e) }))
            .then((res) => writeAtomic(path.join(o.driverDir, `${req.id}.json`), JSON.stringify(res))),
        );
        return;
      }
      o.log(`[host ${type}] ${line}`);
    });
    page.on('pageerror', (e) => o.log(`[page error] ${e.message}`));
    await page.goto(url);
    let timer;
    const timeout = new Promise((r) => (timer = setTimeout(() => r('timeout'), o.timeoutMs)));
    const outcome = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    await Promise.allSettled(pending);
    const timedOut = outcome === 'timeout';
    let result = null;
    if (existsSync(o.resultFile)) {
      try { result = JSON.parse(readFileSync(o.resultFile, 'utf8')); } catch (e) { o.log(`result file ${o.resultFile} unreadable: ${e.message}`); }
    }
    if (timedOut) {
      try { await page.screenshot({ path: path.join(o.screenshotDir, 'timeout.png') }); } catch { /* page may be gone */ }
    }
    return { exitCode: timedOut ? null : outcome, timedOut, hostLog, result };
  } finally {
    await browser.close();
  }
}
