// Session `reload-after`: the window after the reload. Resume continues the interrupted batch from the
// journal under context.storageUri: finished steps are replayed from the journal, not run again.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SprintEvent } from '../../src/core/SprintEvents';
import { sprintRunner, statusOnDisk, workspaceRoot } from './workbench';

describe('window reload in the middle of a run (after)', function () {
  this.timeout(150_000);

  it('Resume continues the interrupted batch from the journal', async () => {
    const before = JSON.parse(readFileSync(path.join(path.dirname(workspaceRoot()), 'reload-state.json'), 'utf8')) as { batchId: number; finishedSteps: string[]; stateDir: string };
    const api = await sprintRunner();
    assert.equal((await api.status()).stateDir, before.stateDir, 'same workspace storage after the reload');
    assert.equal(api.testing.isSessionOpen(), false, 'nothing loaded before Resume');
    const events: SprintEvent[] = [];
    api.onDidEmit((e) => events.push(e));

    // Resume from the palette asks the permission consent like a start (this host refuses the modal).
    await api.testing.grantPermissionConsent();
    const result = await vscode.commands.executeCommand<{ success: boolean; batchId: number }>('sprintRunner.run.resume');
    assert.equal(result.batchId, before.batchId, 'Resume continues the same batch');
    assert.equal(result.success, true);
    const start = events.find((e) => e.type === 'batch:start');
    assert.ok(start && start.type === 'batch:start' && start.resumed, 'the batch is marked resumed');
    for (const step of before.finishedSteps) {
      const ran = events.filter((e) => e.type === 'command:start' && e.stepKey === step);
      assert.equal(ran.length, 0, `${step} finished before the reload and must not run again`);
    }
    assert.equal(statusOnDisk('1-1-add-and-list-tasks'), 'done');
    assert.equal(statusOnDisk('1-2-complete-a-task'), 'done');
  });
});
