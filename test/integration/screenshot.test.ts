// A screenshot of the workbench with the Sprint tree, the dashboard and the agents' output, for a human
// to look at (test-results/screenshots/workbench.png).
import { strict as assert } from 'node:assert';
import { statSync } from 'node:fs';
import * as vscode from 'vscode';
import { hasDriver, screenshot, sprintRunner } from './workbench';

describe('screenshot', () => {
  it('captures the workbench with the tree and the agents output', async function () {
    // Reads the rendered workbench through the driver; under @vscode/test-electron there is none.
    if (!hasDriver()) this.skip();
    await sprintRunner();
    await vscode.commands.executeCommand('workbench.view.extension.sprintRunner');
    await vscode.commands.executeCommand('sprintRunner.output.show', 'agents');
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    await new Promise((r) => setTimeout(r, 1500)); // let the output editor and tree paint
    const file = await screenshot('workbench');
    assert.ok(statSync(file).size > 20_000, `${file} looks empty`);
  });
});
