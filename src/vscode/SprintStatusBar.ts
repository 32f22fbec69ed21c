// Status bar: `$(sync~spin) Sprint: cycle 2/5 · 2a-1 dev-story` (opens the dashboard) with pause and
// stop buttons while a run is active; a resume button when paused; a quiet item (or nothing) when idle.

import * as vscode from 'vscode';
import { runningText } from './runningText';
import type { SprintRunnerSettings } from './SprintRunnerSettings';
import type { SprintSessionHost } from './SprintSessionHost';
import { SprintCommands } from './SprintCommands';

export class SprintStatusBar implements vscode.Disposable {
  private readonly main = vscode.window.createStatusBarItem('sprintRunner.status', vscode.StatusBarAlignment.Left, 50);
  private readonly pause = vscode.window.createStatusBarItem('sprintRunner.pause', vscode.StatusBarAlignment.Left, 49);
  private readonly stop = vscode.window.createStatusBarItem('sprintRunner.stop', vscode.StatusBarAlignment.Left, 48);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly host: SprintSessionHost,
    private readonly settings: SprintRunnerSettings,
  ) {
    this.main.name = 'Sprint Runner';
    this.pause.name = 'Sprint Runner: Pause';
    this.stop.name = 'Sprint Runner: Stop';
    this.pause.text = '$(debug-pause)';
    this.pause.tooltip = 'Pause the sprint after the current step';
    this.pause.command = SprintCommands.pause;
    this.pause.accessibilityInformation = { label: 'Pause the sprint', role: 'button' };
    this.stop.text = '$(debug-stop)';
    this.stop.tooltip = 'Stop the sprint (cancels the running agent; Resume continues later)';
    this.stop.command = SprintCommands.stop;
    this.stop.accessibilityInformation = { label: 'Stop the sprint', role: 'button' };
    this.disposables.push(this.main, this.pause, this.stop, host.onDidChangeState(() => this.render()), settings.onDidChange(() => this.render()));
    this.render();
  }

  render(): void {
    const state = this.host.getRunState();
    const p = this.host.getProgress();
    const tooltip = new vscode.MarkdownString(
      `**Sprint Runner** — ${state}\n\nCost so far: $${p.costUsd.toFixed(2)}${p.forecastUsd !== undefined ? ` (forecast $${p.forecastUsd.toFixed(2)})` : ''}\n\nPermission mode: \`${this.settings.current.permissionMode}\`\n\n[Open dashboard](command:${SprintCommands.openDashboard})`,
    );
    tooltip.isTrusted = { enabledCommands: [SprintCommands.openDashboard] };
    this.main.tooltip = tooltip;
    this.main.backgroundColor = undefined;
    switch (state) {
      case 'running':
      case 'pausing':
      case 'stopping': {
        const suffix = state === 'pausing' ? ' (pausing…)' : state === 'stopping' ? ' (stopping…)' : '';
        this.main.text = `$(sync~spin) ${runningText(p)}${suffix}`;
        this.main.command = SprintCommands.openDashboard;
        this.main.show();
        if (state === 'running') this.pause.show();
        else this.pause.hide();
        this.stop.show();
        return;
      }
      case 'paused':
        this.main.text = `$(debug-continue) Sprint: paused — Resume`;
        this.main.command = SprintCommands.resume;
        this.main.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        this.main.show();
        this.pause.hide();
        this.stop.show();
        return;
      case 'idle':
        this.pause.hide();
        this.stop.hide();
        if (this.settings.current.statusBarWhenIdle) {
          this.main.text = '$(checklist) Sprint';
          this.main.command = SprintCommands.openDashboard;
          this.main.show();
        } else {
          this.main.hide();
        }
        return;
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
