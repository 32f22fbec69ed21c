// The one place that reads `sprintRunner.*` settings. Everything else gets a typed snapshot and an
// event when it changes, so changes apply without a reload (the next run / the next render uses them).

import { DEFAULT_IDLE_TIMEOUT_MINUTES, DEFAULT_STEP_TIMEOUT_MINUTES, defaultEngineSettings } from '../core/workflow/EngineSettings';
import { DEFAULT_CYCLES } from '../core/workflow/RunTypes';
import * as vscode from 'vscode';
import { parseSprintRunnerConfig, SETTINGS_SECTION, type SprintRunnerConfig } from '../core/settings/SprintRunnerConfig';

// The snapshot's types live in core/settings: the CLI parses the same settings the same way.
export type { ClaudeCommand, RetrospectiveDisplay, SprintRunnerConfig } from '../core/settings/SprintRunnerConfig';

export const SECTION = SETTINGS_SECTION;

export function readSprintRunnerConfig(
  scope: vscode.ConfigurationScope | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SprintRunnerConfig {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  // An explicitly set command wins; otherwise the environment variable; otherwise `claude` on PATH.
  const inspected = c.inspect<string>('claude.command');
  return parseSprintRunnerConfig(
    // User settings only for the webhook: a workspace must not redirect notifications (the URL is a credential).
    (key) => (key === 'webhook.url' ? c.inspect<string>(key)?.globalValue : c.get(key)),
    {
      env,
      explicitClaudeCommand: inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue,
    },
  );
}

/** Reads the settings for the sprint's folder and tells listeners when any `sprintRunner.*` value changed. */
export class SprintRunnerSettings implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SprintRunnerConfig>();
  readonly onDidChange = this.changed.event;
  private readonly listener: vscode.Disposable;
  private scope: vscode.ConfigurationScope | undefined;

  constructor() {
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) this.changed.fire(this.current);
    });
  }

  /** The folder whose (folder-level) settings apply: the one holding the sprint ledger. */
  setScope(scope: vscode.ConfigurationScope | undefined): void {
    this.scope = scope;
  }

  get current(): SprintRunnerConfig {
    return readSprintRunnerConfig(this.scope);
  }

  dispose(): void {
    this.listener.dispose();
    this.changed.dispose();
  }
}
