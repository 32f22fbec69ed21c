// The dashboard in the real host: it opens, receives its snapshot, and its Start button (clicked in the
// webview) starts a run that the tree and the log follow.
import { strict as assert } from 'node:assert';
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

  it('its Start button starts a run that the tree and the log follow', async function () {
    // Reads the rendered workbench through the driver; under @vscode/test-electron there is none.
    if (!hasDriver()) this.skip();
    const from = events.length;
    const postedFrom = posted.length;
    const clicked = await waitFor(async () => (await driver<{ clicked: boolean }>({ op: 'click', selector: 'button[aria-label="Start"]' })).clicked || undefined, 'the Start button in the webview', 20_000);
    assert.ok(clicked);
    const start = await waitFor(() => events.slice(from).find((e) => e.type === 'batch:start'), 'a batch to start from the dashboard', 20_000);
    assert.ok(start);
    await waitFor(() => events.slice(from).find((e) => e.type === 'batch:end'), 'the dashboard run to end', 90_000);
    assert.equal(statusOnDisk('2-1-save-tasks-to-a-json-file'), 'done');
    assert.ok(posted.slice(postedFrom).some((m) => m.type !== 'snapshot'), 'the dashboard got live updates while it ran');
    await vscode.commands.executeCommand('workbench.view.extension.sprintRunner');
    await waitFor(async () => (await renderedTexts('#workbench\\.parts\\.sidebar .monaco-list-row')).some((r) => r.label.includes('2-1-save-tasks-to-a-json-file') && /done/.test(`${r.label} ${r.text}`)), 'the tree to show 2-1 done', 15_000);
  });
});
