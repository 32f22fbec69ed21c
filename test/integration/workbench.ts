// Helpers for suites running inside the extension host: the extension's API, polling for UI round
// trips, and requests to the test driver (scripts/vscode-test/WorkbenchDriver.mjs) for what only the
// browser side can do: screenshots, reading the rendered workbench, clicking in webviews.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SprintRunnerTestHooks } from '../../src/extension';
import type { SprintRunnerApi } from '../../src/vscode/SprintRunnerApi';

export const EXTENSION_ID = 'sprint-runner.sprint-runner';

export type TestApi = SprintRunnerApi & { testing: SprintRunnerTestHooks };

export async function sprintRunner(): Promise<TestApi> {
  const ext = vscode.extensions.getExtension<SprintRunnerApi & { testing?: SprintRunnerTestHooks }>(EXTENSION_ID);
  if (!ext) throw new Error(`Extension ${EXTENSION_ID} is not installed in this host`);
  const api = ext.isActive ? ext.exports : await ext.activate();
  if (!api.testing) throw new Error('SPRINT_RUNNER_TEST_HOOKS=1 was not passed to the extension host');
  return api as TestApi;
}

export function workspaceRoot(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('The test workbench has no folder open');
  return f.uri.fsPath;
}

export function ledgerPath(): string {
  return path.join(workspaceRoot(), '_bmad-output', 'implementation-artifacts', 'sprint-status.yaml');
}

/** The status of one story as written in the ledger file on disk. */
export function statusOnDisk(storyKey: string): string | undefined {
  const m = new RegExp(`^\\s*${storyKey}:\\s*([\\w-]+)`, 'm').exec(readFileSync(ledgerPath(), 'utf8'));
  return m?.[1];
}

export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}


/** Asks the driver (outside the extension host) to do something in the browser; resolves with its answer. */
export async function driver<T = Record<string, unknown>>(request: Record<string, unknown>, timeoutMs = 20_000): Promise<T> {
  const dir = process.env.SPRINT_RUNNER_TEST_DRIVER_DIR;
  if (!dir) throw new Error('No test driver (SPRINT_RUNNER_TEST_DRIVER_DIR unset): this needs scripts/vscode-test/runTests.mjs');
  // Each suite file is its own bundle (own module state): ids must be unique across them.
  const id = randomUUID();
  console.log(`[sprint-runner-driver] ${JSON.stringify({ ...request, id })}`);
  const file = path.join(dir, `${id}.json`);
  const answer = await waitFor(() => existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as T & { error?: string }), `the driver to answer ${JSON.stringify(request)}`, timeoutMs);
  if (answer.error) throw new Error(`driver: ${answer.error}`);
  return answer;
}

export const hasDriver = (): boolean => !!process.env.SPRINT_RUNNER_TEST_DRIVER_DIR;

/** Texts (and aria-labels) of the rendered elements matching a CSS selector, in any frame. */
export async function renderedTexts(selector: string): Promise<{ text: string; label: string }[]> {
  return (await driver<{ items: { text: string; label: string }[] }>({ op: 'texts', selector })).items;
}

export async function screenshot(name: string): Promise<string> {
  return (await driver<{ file: string }>({ op: 'screenshot', name })).file;
}
