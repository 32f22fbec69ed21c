// Agents run unattended with the permission mode and allowed tools of the settings. Before the first
// run in a workspace the user is shown exactly what that means and asked once; the answer is
// remembered in workspaceState for that exact mode + tool list (a change asks again).

import * as vscode from 'vscode';
import type { SprintRunnerConfig } from './SprintRunnerSettings';

const KEY = 'sprintRunner.permissionConsent';

export function consentFingerprint(c: Pick<SprintRunnerConfig, 'permissionMode' | 'allowedTools' | 'claude'>): string {
  return JSON.stringify([c.permissionMode, [...c.allowedTools].sort(), c.claude.command]);
}

export class PermissionConsent {
  constructor(private readonly state: vscode.Memento) {}

  isGiven(c: SprintRunnerConfig): boolean {
    return this.state.get<string>(KEY) === consentFingerprint(c);
  }

  /** Asks (modal) unless already given for these settings; true when the run may start. */
  async ensure(c: SprintRunnerConfig): Promise<boolean> {
    if (this.isGiven(c)) return true;
    const tools = c.allowedTools.length ? c.allowedTools.join(', ') : 'none listed';
    const bypass = c.permissionMode === 'bypassPermissions' ? ' Agents may edit any file and run any command in this workspace without asking.' : '';
    const pick = await vscode.window.showWarningMessage(
      'Sprint Runner will start Claude agents in this workspace.',
      {
        modal: true,
        detail: `Command: ${c.claude.command}${c.claude.args.length ? ` ${c.claude.args.join(' ')}` : ''}\nPermission mode: ${c.permissionMode}\nAllowed tools: ${tools}\n${bypass}\n\nThis is asked once per workspace (again if these settings change).`,
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
