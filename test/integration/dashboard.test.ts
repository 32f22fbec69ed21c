// The dashboard in the real host: it opens, receives its snapshot, and its Start button (clicked in the
// webview) starts a run that the tree and the log follow.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SprintEvent } from '../../src/core/SprintEvents';
import type { HostMessage } from '../../src/shared/dashboardProtocol';
import { driver, hasDriver, renderedTexts, sprintRunner, statusOnDisk, waitFor, type TestApi } from './workbench';

describe('dashboard', function () {
  this.timeout(120_000);
  let api: TestApi;
  const events: SprintEvent[] = [];
  const posted: HostMessage[] = [];

  before(async () => {
    api = await sprintRunner();
    api.onDidEmit((e) => events.push(e));
    api.testing.dashboard().onDidPost((m) => posted.push(m));
  });

  it('opens and receives its snapshot', async () => {
    await vscode.commands.executeCommand('sprintRunner.dashboard.open');
    await waitFor(() => posted.some((m) => m.type === 'snapshot'), 'the dashboard snapshot', 20_000);
  });

  const clickStart = async () => {
    const clicked = await waitFor(async () => (await driver<{ clicked: boolean }>({ op: 'click', selector: 'button[aria-label="Start"]' })).clicked || undefined, 'the Start button in the webview', 20_000);
    assert.ok(clicked);
  };

  it('its Start button asks the permission consent first, and starts nothing without it', async function () {
    if (!hasDriver()) this.skip();
    await api.testing.revokePermissionConsent();
    const from = events.length;
    const postedFrom = posted.length;
    await clickStart();
    // This host refuses modal dialogs while tests run: the refusal, naming the prompt's text, is what the
    // dashboard reports as the failed start (a user would have seen the prompt and answered it).
    const failed = await waitFor(() => posted.slice(postedFrom).find((m) => m.type === 'actionFailed' && m.action === 'startRun'), 'the dashboard to report the unanswered start', 15_000);
    assert.match(failed.type === 'actionFailed' ? failed.message : '', /Sprint Runner will start Claude agents|Not started/);
    // Resume from the palette (or the status bar, or a notification) asks the same consent.
    const logFile = path.join(api.testing.logUri.fsPath, 'Sprint Runner.log');
    await vscode.commands.executeCommand('sprintRunner.run.resume');
    await waitFor(() => /sprintRunner\.run\.resume: .*refused to show dialog in tests\. Contents: Sprint Runner will start Claude agents/.test(readFileSync(logFile, 'utf8')) || undefined, 'Resume to ask for the consent', 10_000);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(events.slice(from).filter((e) => e.type === 'batch:start').length, 0, 'no batch without the consent');
    await api.testing.grantPermissionConsent();
  });

  it('its Start button starts a run that the tree and the log follow, with progress and a badge on the view', async function () {
    // Reads the rendered workbench through the driver; under @vscode/test-electron there is none.
    if (!hasDriver()) this.skip();
    const from = events.length;
    const postedFrom = posted.length;
    await clickStart();
    const start = await waitFor(() => events.slice(from).find((e) => e.type === 'batch:start'), 'a batch to start from the dashboard', 20_000);
    assert.ok(start);
    const badge = await waitFor(() => api.testing.treeView.badge, 'the Sprint view badge while the batch runs', 20_000);
    assert.ok(badge.value >= 1 && /Sprint: /.test(badge.tooltip), JSON.stringify(badge));
    await waitFor(() => events.slice(from).find((e) => e.type === 'batch:end'), 'the dashboard run to end', 90_000);
    await waitFor(() => api.testing.treeView.badge === undefined || undefined, 'the badge to go away after the batch', 10_000);
    assert.equal(statusOnDisk('2-1-save-tasks-to-a-json-file'), 'done');
    assert.ok(posted.slice(postedFrom).some((m) => m.type !== 'snapshot'), 'the dashboard got live updates while it ran');
    await vscode.commands.executeCommand('workbench.view.extension.sprintRunner');
    await waitFor(async () => (await renderedTexts('#workbench\\.parts\\.sidebar .monaco-list-row')).some((r) => r.label.includes('2-1-save-tasks-to-a-json-file') && /done/.test(`${r.label} ${r.text}`)), 'the tree to show 2-1 done', 15_000);
  });
});
