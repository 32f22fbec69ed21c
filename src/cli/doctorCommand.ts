// `sprint-runner doctor`, and the same checks as the first thing `run` and `resume` do: before the state
// lock, before any file is written, before any agent is paid to run.

import type { DoctorCheck, DoctorReport } from '../core/doctor/DoctorCheck';
import { CLI_VOCABULARY } from '../core/doctor/DoctorCheck';
import type { DoctorHost } from '../core/doctor/DoctorHost';
import { formatDoctorReport, runDoctor } from '../core/doctor/runDoctor';
import { NodeDoctorHost } from '../infra/doctor/NodeDoctorHost';
import { NodeFileSystem } from '../infra/NodeFileSystem';

/**
 * Checks the CLI adds to core's built-in ones for every doctor and every run. One with a built-in id runs in its
 * place: a full BMAD install check (`id: 'bmad'`) goes here and replaces the built-in presence check.
 */
export const PRODUCT_CHECKS: readonly DoctorCheck[] = [];

/** What the CLI's caller may replace: tests inject a host (uid, platform) and extra checks. */
export interface CliDeps {
  /** Checks added to the built-in ones instead of PRODUCT_CHECKS; one with a built-in id (e.g. `bmad`) replaces it. */
  doctorChecks?: readonly DoctorCheck[];
  doctorHost?: (env: NodeJS.ProcessEnv) => DoctorHost;
  /** Where the review before the batch commit reads its answers (default: process.stdin). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface PreflightInput {
  workspace: string;
  ledger?: string;
  claude: { command: string; args: string[] };
  permissionMode: string;
  containers: boolean;
  ledgerWillBeCreated?: boolean;
  bmadMissingWorkflows?: 'refuse' | 'runner-prompt';
}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export function diagnose(input: PreflightInput, env: NodeJS.ProcessEnv, deps: CliDeps): Promise<DoctorReport> {
  const host = deps.doctorHost?.(env) ?? new NodeDoctorHost({ env });
  return runDoctor(
    {
      workspaceRoot: input.workspace,
      ...(input.ledger ? { ledgerOverride: input.ledger } : {}),
      claude: input.claude,
      permissionMode: input.permissionMode,
      containers: input.containers,
      ...(input.ledgerWillBeCreated ? { ledgerWillBeCreated: true } : {}),
      ...(input.bmadMissingWorkflows ? { bmadMissingWorkflows: input.bmadMissingWorkflows } : {}),
      vocabulary: CLI_VOCABULARY,
      host,
      fs: new NodeFileSystem(),
    },
    deps.doctorChecks ?? PRODUCT_CHECKS,
  );
}

/** `sprint-runner doctor`: every check, exit 0 when none failed (warnings allowed), 2 when one did. */
export async function doctorCommand(input: PreflightInput, json: boolean, io: Io, deps: CliDeps): Promise<number> {
  const report = await diagnose(input, io.env, deps);
  if (json) io.out(JSON.stringify(report, null, 2));
  else for (const line of formatDoctorReport(report)) io.out(line);
  return report.ok ? 0 : 2;
}

/**
 * The checks before a run. Returns true when the run may go on; otherwise the failures (and warnings) are
 * on stderr and nothing was written or started.
 */
export async function preflight(input: PreflightInput, io: Io, deps: CliDeps): Promise<boolean> {
  const report = await diagnose(input, io.env, deps);
  // Failures first (the first line of stderr says what stopped the run), then the warnings.
  const failures = formatDoctorReport(report, { only: ['fail'] }).slice(0, -1);
  const warnings = formatDoctorReport(report, { only: ['warn'] }).slice(0, -1);
  for (const line of [...failures, ...warnings]) io.err(line);
  if (report.ok) return true;
  io.err('sprint-runner: the setup check failed, so nothing was started and nothing was written. Fix the above, then run again (`sprint-runner doctor` shows every check).');
  return false;
}
