// The "Check Setup (Doctor)" command: the same setup doctor the CLI runs before `run` (core/doctor, in
// dist/ledger.js because its workspace checks read YAML), fed with the extension's settings and worded in
// them, and its report in the "Sprint Runner" output with a notification summing it up.

import * as vscode from 'vscode';
import type { DoctorReport } from '../../core/doctor/DoctorCheck';
import type { SprintRunnerSettings } from '../SprintRunnerSettings';
import type { SprintSessionHost } from '../SprintSessionHost';

export async function runDoctor(host: SprintSessionHost, settings: SprintRunnerSettings): Promise<DoctorReport> {
  const layout = await host.layout();
  const c = settings.current;
  const workspaceRoot = layout?.root ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!workspaceRoot) throw new Error('Open the folder of a BMAD project first: the setup is checked for a workspace.');
  return host.ledger().checkSetup({
    workspaceRoot,
    ...(c.ledgerPath ? { ledgerOverride: c.ledgerPath } : {}),
    claude: { command: c.claude.command, args: c.claude.args },
    permissionMode: c.permissionMode,
    containers: c.git.container !== undefined,
    bmadMissingWorkflows: c.bmadMissingWorkflows,
    env: process.env,
  });
}

/** Writes the report to the log; a notification summarises it unless `quiet` (scripts, tests). */
export async function showDoctorReport(report: DoctorReport, text: string, log: vscode.LogOutputChannel, quiet: boolean): Promise<void> {
  log.info(`Check Setup (Doctor):\n${text}`);
  if (quiet) return;
  const failed = report.checks.filter((x) => x.status === 'fail');
  const warned = report.checks.filter((x) => x.status === 'warn');
  const summary = failed.length
    ? `Sprint Runner setup: ${failed.map((x) => `${x.title}: ${x.detail}${x.fix ? ` Fix: ${x.fix}` : ''}`).join(' ')}`
    : `Sprint Runner setup: no check failed${warned.length ? ` (${warned.length} warning(s): ${warned.map((x) => x.title).join(', ')})` : ''}.`;
  const show = failed.length ? vscode.window.showErrorMessage : warned.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const pick = await show(summary, 'Show Report');
  if (pick) log.show(true);
}
