// Session `reload-before`: a run is left in the middle of a step when this window's extension host goes
// away (the test ends, the workbench terminates the host as a window reload does). `reload-after` is
// the next window on the same workspace and storage.
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SprintEvent } from '../../src/core/SprintEvents';
import { sprintRunner, waitFor, workspaceRoot } from './workbench';

export const reloadStateFile = (): string => path.join(path.dirname(workspaceRoot()), 'reload-state.json');

describe('window reload in the middle of a run (before)', function () {
  this.timeout(120_000);

  it('leaves a batch interrupted in the middle of a step', async () => {
    const api = await sprintRunner();
    const events: SprintEvent[] = [];
    api.onDidEmit((e) => events.push(e));
    void vscode.commands.executeCommand('sprintRunner.run.cycles', 1).then(undefined, () => undefined);
    // At least one step finished (journaled) and a later one running.
    const finished = await waitFor(() => {
      const ends = events.filter((e): e is Extract<SprintEvent, { type: 'command:end' }> => e.type === 'command:end' && e.outcome === 'success');
      return ends.length > 0 ? ends : undefined;
    }, 'a finished step', 60_000);
    await waitFor(() => events.some((e) => e.type === 'command:start' && !finished.some((f) => f.stepKey === e.stepKey)), 'a step running after it', 60_000);
    const status = await api.status();
    assert.equal(status.state, 'running');
    const done = events.filter((e): e is Extract<SprintEvent, { type: 'command:end' }> => e.type === 'command:end' && e.outcome === 'success').map((e) => e.stepKey);
    writeFileSync(reloadStateFile(), JSON.stringify({ batchId: status.batchId, finishedSteps: done, stateDir: status.stateDir }));
  });
});
