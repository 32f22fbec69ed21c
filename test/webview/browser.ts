// Real headless Chromium for the webview tests: the Debian `chromium` binary driven by playwright-core
// (never a downloaded browser), and a fresh build of the webview bundle the panel ships.

import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostMessage, WebviewMessage } from '../../src/shared/dashboardProtocol';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Builds dist/webview.js with the options scripts/build.mjs uses and copies the codicons to media/. */
export async function buildWebview(): Promise<void> {
  await esbuild.build({
    bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: true, logLevel: 'warning',
    entryPoints: [path.join(ROOT, 'src/webview/main.ts')], outfile: path.join(ROOT, 'dist/webview.js'),
  });
  // @ts-expect-error -- plain .mjs build script without type declarations
  const { copyMedia } = (await import('../../scripts/copy-media.mjs')) as { copyMedia: (root: string) => void };
  copyMedia(ROOT);
}

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's browser with "apt-get update && apt-get install -y chromium".`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export function harnessUrl(theme: 'dark' | 'light' = 'dark'): string {
  return `${pathToFileURL(path.join(ROOT, 'test/webview/harness.html')).href}?theme=${theme}`;
}

/** Posts host messages the way VS Code delivers them (message events on the window). */
/**
 * Posts host messages and resolves once the app has handled them and rendered: window.postMessage
 * delivers in a later task, so a sentinel posted after them (same task source, FIFO) marks the point
 * where every earlier message was received; two frames later the DOM shows them.
 */
export async function post(page: Page, ...messages: HostMessage[]): Promise<void> {
  await page.evaluate(
    (ms) =>
      new Promise<void>((resolve) => {
        // No named function in here: the test runner's transform would wrap it in a helper the page lacks.
        const token = `harness-sync-${Math.random()}`;
        const listening = new AbortController();
        window.addEventListener(
          'message',
          (e: MessageEvent) => {
            if (e.data !== token) return;
            listening.abort();
            requestAnimationFrame(() => requestAnimationFrame(() => resolve()));
          },
          { signal: listening.signal },
        );
        for (const m of ms) window.postMessage(m, '*');
        window.postMessage(token, '*');
      }),
    messages,
  );
}

export async function posted(page: Page): Promise<WebviewMessage[]> {
  return page.evaluate(() => (window as unknown as { __posted: WebviewMessage[] }).__posted);
}

/** Waits for two animation frames: the log renders in the next frame after a message. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}
