// The "Check Setup (Doctor)" command: gathers what the host knows (settings, environment, the ledger
// the view found) into the checks' ports, runs them and shows the report in the "Sprint Runner" output.

import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { SprintRunnerSettings } from '../SprintRunnerSettings';
import type { SprintSessionHost } from '../SprintSessionHost';
import { formatDoctorReport, runHostDoctor, type DoctorReport, type ProgramResult } from './hostDoctorChecks';

const VERSION_TIMEOUT_MS = 20_000;

function runProgram(command: string, args: string[], cwd: string | undefined): Promise<ProgramResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: VERSION_TIMEOUT_MS, windowsHide: true, maxBuffer: 256 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: string | number }) | null;
      if (!e) return resolve({ exitCode: 0, stdout, stderr });
      if (typeof e.code === 'string') return resolve({ exitCode: null, stdout, stderr, errorCode: e.code });
      resolve({ exitCode: typeof e.code === 'number' ? e.code : null, stdout, stderr, timedOut: e.killed === true });
    });
  });
}

export async function runDoctor(host: SprintSessionHost, settings: SprintRunnerSettings): Promise<DoctorReport> {
  const layout = await host.layout();
  const c = settings.current;
  return runHostDoctor({
    claude: c.claude,
    permissionMode: c.permissionMode,
    env: process.env,
    isRoot: process.getuid?.() === 0,
    platform: process.platform,
    homeDir: os.homedir(),
    run: runProgram,
    exists: (p) => access(p).then(() => true, () => false),
    workspaceRoot: layout?.root ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    ledgerPath: layout?.ledgerPath,
  });
}

/** Writes the report to the log; a notification summarises it unless `quiet` (scripts, tests). */
export async function showDoctorReport(report: DoctorReport, log: vscode.LogOutputChannel, quiet: boolean): Promise<void> {
  const text = formatDoctorReport(report);
  log.info(`Check Setup (Doctor):\n${text}`);
  if (quiet) return;
  const failed = report.checks.filter((x) => x.status === 'fail');
  const warned = report.checks.filter((x) => x.status === 'warn');
  const summary = failed.length
    ? `Sprint Runner setup: ${failed.map((x) => `${x.message}${x.fix ? ` Fix: ${x.fix}.` : ''}`).join(' ')}`
    : `Sprint Runner setup: no check failed${warned.length ? ` (${warned.length} warning(s): ${warned.map((x) => x.id).join(', ')})` : ''}.`;
  const show = failed.length ? vscode.window.showErrorMessage : warned.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const pick = await show(summary, 'Show Report');
  if (pick) log.show(true);
}
