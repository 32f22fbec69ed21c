// The interactive path, through the real UI: Run N Cycles without an argument asks for the number in an
// input box, then (first run in this workspace) asks for the permission consent in a modal. This host
// refuses modal dialogs while tests run ("DialogService: refused to show dialog in tests"), so the test
// checks the prompt was requested with its text, answers it through the same code path as its "Run"
// button, and checks the next interactive run asks for the cycles only.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SprintEvent } from '../../src/core/SprintEvents';
import { driver, hasDriver, sprintRunner, waitFor } from './workbench';

const INPUT = '.quick-input-widget input.input';

async function answerCyclesPrompt(value: string): Promise<void> {
  await waitFor(async () => (await driver<{ filled: boolean }>({ op: 'fill', selector: INPUT, value })).filled || undefined, 'the Run N Cycles input box', 15_000);
  await driver({ op: 'keyboard', key: 'Enter' });
}

describe('Run N Cycles from the UI (input box and permission prompt)', function () {
  this.timeout(90_000);

  before(function () {
    // Needs the browser driver to type; under @vscode/test-electron there is none.
    if (!hasDriver()) this.skip();
  });

  it('asks for the cycles, requests the permission consent once, then runs without asking again', async () => {
    const api = await sprintRunner();
    // An earlier suite (the dashboard's) may have answered the prompt already: this test starts unasked.
    await api.testing.revokePermissionConsent();
    const events: SprintEvent[] = [];
    api.onDidEmit((e) => events.push(e));
    const logFile = path.join(api.testing.logUri.fsPath, 'Sprint Runner.log');

    // executeCommand resolves only after the prompts: typing happens while it waits.
    const first = vscode.commands.executeCommand('sprintRunner.run.cycles');
    await answerCyclesPrompt('1');
    await first;
    const prompt = await waitFor(() => /refused to show dialog in tests\. Contents: Sprint Runner will start Claude agents/.test(readFileSync(logFile, 'utf8')) || undefined, 'the permission prompt to be requested', 10_000);
    assert.ok(prompt);
    assert.equal(events.filter((e) => e.type === 'batch:start').length, 0, 'no run without the consent');

    await api.testing.grantPermissionConsent();
    const second = vscode.commands.executeCommand('sprintRunner.run.cycles');
    await answerCyclesPrompt('1');
    await second;
    assert.ok(events.some((e) => e.type === 'batch:start'), 'the run started without another prompt');
  });
});
