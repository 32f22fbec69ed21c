// The Sprint view's part in the editor's conventions while a batch runs: the view's progress bar
// (`window.withProgress` on the view) and a badge on the view and its activity-bar icon counting the
// stories the current cycle works on. Both go away when the run ends (idle) or is paused.

import * as vscode from 'vscode';
import type { RunState } from '../core/SprintEvents';
import { runningText } from './runningText';
import type { SprintSessionHost } from './SprintSessionHost';

export const SPRINT_VIEW_ID = 'sprintRunner.sprint';

/** Running, or on the way to paused/stopped: the batch is still working. */
export function isBatchActive(state: RunState): boolean {
  return state === 'running' || state === 'pausing' || state === 'stopping';
}

export class SprintViewActivity implements vscode.Disposable {
  private endProgress: (() => void) | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly host: Pick<SprintSessionHost, 'getRunState' | 'getProgress' | 'onDidChangeState'>,
    private readonly view: vscode.TreeView<unknown>,
  ) {
    this.subscription = host.onDidChangeState(() => this.sync());
    this.sync();
  }

  private sync(): void {
    const state = this.host.getRunState();
    if (!isBatchActive(state)) {
      this.endProgress?.();
      this.endProgress = undefined;
      this.view.badge = undefined;
      return;
    }
    const p = this.host.getProgress();
    const what = state === 'running' ? runningText(p) : `Sprint: ${state}…`;
    this.view.badge = { value: Math.max(1, p.storyKeys.length), tooltip: `${what} (${p.storyKeys.length || 'no'} stories in this cycle)` };
    if (!this.endProgress) {
      void vscode.window.withProgress({ location: { viewId: SPRINT_VIEW_ID } }, () => new Promise<void>((resolve) => (this.endProgress = resolve)));
    }
  }

  dispose(): void {
    this.endProgress?.();
    this.subscription.dispose();
  }
}
