// Notifications for the moments that need the user: a batch finished (003 step 6's "ask for the next
// batch"), a story blocked, a permanent agent failure, a budget reached. Never awaited by the engine.

import * as vscode from 'vscode';
import type { SprintEvent } from '../core/SprintEvents';
import { SprintCommands } from './SprintCommands';
import type { SprintRunnerSettings } from './SprintRunnerSettings';

export class SprintNotifications {
  /** The batch's Markdown report (`report:written` comes just before `batch:end`). */
  private reportPath: string | undefined;

  constructor(private readonly settings: SprintRunnerSettings) {}

  handle(e: SprintEvent): void {
    switch (e.type) {
      case 'batch:start':
        this.reportPath = undefined;
        break;
      case 'report:written':
        this.reportPath = e.path;
        break;
      case 'commit:failed':
        void this.commitFailed(e);
        break;
      case 'batch:end':
        void this.batchEnded(e);
        break;
      case 'story:status':
        if (e.to === 'blocked') void this.storyBlocked(e.storyKey, e.reason);
        break;
      case 'error':
        if (e.permanent) void this.permanentFailure(e.message);
        break;
      case 'budget:reached':
        void this.budgetReached(e);
        break;
      default:
        break;
    }
  }

  private async batchEnded(e: Extract<SprintEvent, { type: 'batch:end' }>): Promise<void> {
    if (e.status === 'paused') return; // the status bar shows Resume; pause was asked for
    const n = this.settings.current.defaultCycles;
    const more = n === 'all' ? undefined : `Run ${n} More`;
    const summary = `${e.cyclesCompleted} cycle(s); done: ${e.storiesDone.join(', ') || 'none'}; blocked: ${e.storiesBlocked.join(', ') || 'none'}`;
    const report = this.reportPath;
    const openReport = report ? ['Open Report'] : [];
    if (e.status === 'failed' || e.status === 'stopped') {
      const pick = await vscode.window.showWarningMessage(`Sprint batch ${e.status}: ${summary}${e.reason ? ` — ${e.reason}` : ''}`, 'Resume', 'Show Output', ...openReport);
      if (pick === 'Resume') await vscode.commands.executeCommand(SprintCommands.resume);
      if (pick === 'Show Output') await vscode.commands.executeCommand(SprintCommands.showOutput);
      if (pick === 'Open Report' && report) await this.openReport(report);
      return;
    }
    const actions = e.sprintComplete ? ['Open Dashboard', ...openReport] : [...(more ? [more] : []), 'Run All', 'Open Dashboard', ...openReport];
    const title = e.sprintComplete ? `Sprint complete: every story is done or blocked (${summary}).` : `Sprint batch finished: ${summary}.`;
    const pick = await vscode.window.showInformationMessage(title, ...actions);
    if (pick === more && n !== 'all') await vscode.commands.executeCommand(SprintCommands.runCycles, n);
    else if (pick === 'Run All') await vscode.commands.executeCommand(SprintCommands.runAll);
    else if (pick === 'Open Dashboard') await vscode.commands.executeCommand(SprintCommands.openDashboard);
    else if (pick === 'Open Report' && report) await this.openReport(report);
  }

  private async openReport(file: string): Promise<void> {
    try {
      await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
    } catch (err) {
      void vscode.window.showErrorMessage(`The sprint report ${file} could not be opened: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The batch commit is missing or not trusted: the stories' work is done but not committed as 003 expects. */
  private async commitFailed(e: Extract<SprintEvent, { type: 'commit:failed' }>): Promise<void> {
    const paths = e.paths && e.paths.length > 0 ? ` Files: ${e.paths.slice(0, 5).join(', ')}${e.paths.length > 5 ? ` (+${e.paths.length - 5} more)` : ''}.` : '';
    const who = e.mode === 'engine' ? 'The engine could not make' : 'The batch-commit agent did not make';
    const pick = await vscode.window.showWarningMessage(
      `${who} a valid batch commit for cycle ${e.cycle} (${e.storyKeys.join(', ')}): ${e.reason} — ${e.detail}${paths}`,
      'Open Dashboard',
    );
    if (pick === 'Open Dashboard') await vscode.commands.executeCommand(SprintCommands.openDashboard);
  }

  private async storyBlocked(storyKey: string, reason: string | undefined): Promise<void> {
    const pick = await vscode.window.showWarningMessage(`Story ${storyKey} is blocked${reason ? `: ${reason}` : ''}.`, 'Open Story', 'Resume Story');
    if (pick === 'Open Story') await vscode.commands.executeCommand(SprintCommands.openStory, storyKey);
    if (pick === 'Resume Story') await vscode.commands.executeCommand(SprintCommands.resumeStory, storyKey);
  }

  private async permanentFailure(message: string): Promise<void> {
    const pick = await vscode.window.showErrorMessage(`Sprint Runner stopped: ${message}`, 'Show Output', 'Open Settings');
    if (pick === 'Show Output') await vscode.commands.executeCommand(SprintCommands.showOutput);
    if (pick === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'sprintRunner.claude');
  }

  private async budgetReached(e: Extract<SprintEvent, { type: 'budget:reached' }>): Promise<void> {
    const pick = await vscode.window.showWarningMessage(
      `Sprint budget reached (${e.scope}${e.storyKey ? ` ${e.storyKey}` : ''}): $${e.spentUsd.toFixed(2)} of $${e.limitUsd.toFixed(2)}. The batch pauses.`,
      'Open Dashboard',
      'Budget Settings',
    );
    if (pick === 'Open Dashboard') await vscode.commands.executeCommand(SprintCommands.openDashboard);
    if (pick === 'Budget Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'sprintRunner.budgets');
  }
}
