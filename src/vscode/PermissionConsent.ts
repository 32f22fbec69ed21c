// Agents run unattended with the permission mode, tools, arguments and container of the settings.
// Before the first run in a workspace the user is shown exactly what that means and asked once; the
// answer is remembered in workspaceState for exactly those terms (consentTerms.ts; a change asks again).

import * as vscode from 'vscode';
import { consentDetail, consentFingerprint } from './consentTerms';
import type { SprintRunnerConfig } from './SprintRunnerSettings';

const KEY = 'sprintRunner.permissionConsent';

export class PermissionConsent {
  constructor(private readonly state: vscode.Memento) {}

  isGiven(c: SprintRunnerConfig): boolean {
    return this.state.get<string>(KEY) === consentFingerprint(c);
  }

  /** Asks (modal) unless already given for these settings; true when the run may start. */
  async ensure(c: SprintRunnerConfig): Promise<boolean> {
    if (this.isGiven(c)) return true;
    const pick = await vscode.window.showWarningMessage(
      'Sprint Runner will start Claude agents in this workspace.',
      {
        modal: true,
        detail: consentDetail(c),
      },
      'Run',
      'Change Settings',
    );
    if (pick === 'Change Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'sprintRunner.claude');
      return false;
    }
    if (pick !== 'Run') return false;
    await this.record(c);
    return true;
  }

  /** Remembers the consent for these settings (the prompt's "Run"). */
  async record(c: SprintRunnerConfig): Promise<void> {
    await this.state.update(KEY, consentFingerprint(c));
  }

  /** Forgets the consent: the next interactive run asks again. */
  async revoke(): Promise<void> {
    await this.state.update(KEY, undefined);
  }
}
