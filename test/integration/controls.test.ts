// Pause, Resume and Stop from the status bar items (clicked in the rendered workbench), on a running batch.
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { SprintEvent } from '../../src/core/SprintEvents';
import { driver, hasDriver, renderedTexts, sprintRunner, waitFor, type TestApi } from './workbench';

const STATUS_BAR = '#workbench\\.parts\\.statusbar';

async function statusTexts(): Promise<string[]> {
  return (await renderedTexts(`${STATUS_BAR} .statusbar-item`)).map((i) => `${i.text} ${i.label}`);
}

async function click(selector: string): Promise<void> {
  const r = await driver<{ clicked: boolean }>({ op: 'click', selector });
  assert.ok(r.clicked, `nothing to click at ${selector}`);
}

describe('status bar pause, resume and stop', function () {
  this.timeout(120_000);
  let api: TestApi;
  const events: SprintEvent[] = [];

  before(async function () {
    // Reads the rendered workbench through the driver; under @vscode/test-electron there is none.
    if (!hasDriver()) this.skip();
    api = await sprintRunner();
    api.onDidEmit((e) => events.push(e));
    // Clicking Resume in the status bar resumes interactively: it needs the permission consent (this host
    // refuses the modal that would ask for it).
    await api.testing.grantPermissionConsent();
  });

  it('pauses after the current step, resumes from the paused item, stops from the stop item', async () => {
    const firstRun = vscode.commands.executeCommand('sprintRunner.run.cycles', 2);
    await waitFor(async () => (await statusTexts()).some((t) => /Sprint: cycle 1\/2 · /.test(t)), 'the status bar to show cycle 1/2', 30_000);

    await click(`${STATUS_BAR} [aria-label="Pause the sprint"]`);
    await firstRun;
    const paused = events.filter((e): e is Extract<SprintEvent, { type: 'batch:end' }> => e.type === 'batch:end').at(-1);
    assert.equal(paused?.status, 'paused');
    assert.equal((await api.status()).state, 'paused');
    await waitFor(async () => (await statusTexts()).some((t) => /Sprint: paused/.test(t)), 'the status bar to offer Resume', 10_000);

    const before = events.length;
    await click(`${STATUS_BAR} .statusbar-item:has-text("Sprint: paused")`);
    await waitFor(() => events.slice(before).some((e) => e.type === 'batch:start' && e.resumed), 'the batch to resume', 15_000);
    await waitFor(async () => (await statusTexts()).some((t) => /Sprint: cycle \d\/2 · /.test(t)), 'the status bar to show the resumed cycle', 30_000);

    await click(`${STATUS_BAR} [aria-label="Stop the sprint"]`);
    const stopped = await waitFor(
      () => events.slice(before).find((e): e is Extract<SprintEvent, { type: 'batch:end' }> => e.type === 'batch:end'),
      'the batch to end after Stop',
      30_000,
    );
    assert.equal(stopped.status, 'stopped');
    await waitFor(async () => (await api.status()).state === 'idle', 'the run state to return to idle', 10_000);
    await waitFor(async () => (await statusTexts()).every((t) => !/Sprint: cycle/.test(t)), 'the running item to go away', 10_000);
  });
});
