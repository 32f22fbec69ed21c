// Session `untrusted`: workspace trust on and the folder not trusted (Restricted Mode). The extension
// activates (limited support), shows the sprint read-only, and spawns nothing, writes nothing.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { ledgerPath, sprintRunner, statusOnDisk } from './workbench';

describe('Restricted Mode (untrusted workspace)', () => {
  it('activates and reads the ledger, but refuses to run, change stories or load the engine', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the session must open the folder untrusted');
    const api = await sprintRunner();
    assert.match((await api.status()).ledgerPath ?? '', /sprint-status\.yaml$/);
    assert.match(api.testing.treeView.message ?? '', /Restricted Mode: read-only/);
    const before = readFileSync(ledgerPath(), 'utf8');

    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('sprintRunner.run.cycles', 1)), /untrusted workspace/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('sprintRunner.story.resume', '1-1-add-and-list-tasks')), /untrusted workspace/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('sprintRunner.story.block', '1-2-complete-a-task', 'x')), /untrusted workspace/);
    await assert.rejects(api.run(1), /untrusted workspace/);

    assert.equal(api.testing.isSessionOpen(), false, 'no engine, no agent, no database in Restricted Mode');
    assert.equal(readFileSync(ledgerPath(), 'utf8'), before, 'the ledger is untouched');
    assert.equal(statusOnDisk('1-1-add-and-list-tasks'), 'backlog');
  });
});
