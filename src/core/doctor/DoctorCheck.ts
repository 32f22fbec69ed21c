// What the doctor reports: one result per check, in the shape every check (built in or injected) returns.

import type { FileSystem } from '../fs/FileSystem';
import type { DoctorHost } from './DoctorHost';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** Stable id (`claude.cli`, `ledger`, `bmad`…): scripts read `--json` output by it. */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found, in a sentence. */
  detail: string;
  /** What to do about it; every `fail` has one. */
  fix?: string;
  /** Machine-readable facts behind the detail (paths, versions). Never secrets. */
  data?: Record<string, unknown>;
}

/** What a check may look at. Everything outside the process comes through `host` and `fs`. */
export interface DoctorContext {
  workspaceRoot: string;
  /** Explicit sprint-status.yaml (absolute or relative to the workspace), as `--ledger` or the ledger setting. */
  ledgerOverride?: string;
  /** The claude-compatible program the agents run (command + its leading arguments). */
  claude: { command: string; args: string[] };
  /** The agents' `--permission-mode`. */
  permissionMode: string;
  /** Agents run inside a container: the host's claude, login and root checks do not apply. */
  containers: boolean;
  /** The ledger is about to be created from the template (`run --init`): its absence is not a failure. */
  ledgerWillBeCreated?: boolean;
  /** A Claude Code BMAD install lacking a workflow the run needs: fail (`refuse`, the default) or run it on the runner's prompt. */
  bmadMissingWorkflows?: 'refuse' | 'runner-prompt';
  /** How the front end names its options in fixes (`--ledger FILE` vs the `sprintRunner.ledger.path` setting). */
  vocabulary: DoctorVocabulary;
  host: DoctorHost;
  fs: FileSystem;
}

export interface DoctorVocabulary {
  ledger: string;
  claude: string;
  permissionMode: string;
  /** How to create sprint-status.yaml from BMAD's template. */
  initLedger: string;
}

export const CLI_VOCABULARY: DoctorVocabulary = {
  ledger: '--ledger FILE (or sprintRunner.ledger.path in the workspace\'s .vscode/settings.json)',
  claude: '--claude PATH (or the environment variable SPRINT_RUNNER_CLAUDE)',
  permissionMode: '--permission-mode',
  initLedger: '`sprint-runner run --init`',
};

export const SETTINGS_VOCABULARY: DoctorVocabulary = {
  ledger: 'the setting sprintRunner.ledger.path',
  claude: 'the setting sprintRunner.claude.command',
  permissionMode: 'the setting sprintRunner.claude.permissionMode',
  initLedger: 'the command "Sprint Runner: Create sprint-status.yaml from Template"',
};

/**
 * One check. `id` names what it checks so an injected check can take the place of a built-in one with the
 * same id (the full BMAD install check replaces the built-in presence check this way).
 */
export interface DoctorCheck {
  id: string;
  run(context: DoctorContext): Promise<CheckResult | CheckResult[]>;
}

export interface DoctorReport {
  /** True when no check failed (warnings do not count). */
  ok: boolean;
  checks: CheckResult[];
  counts: Record<CheckStatus, number>;
}
