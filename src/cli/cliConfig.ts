// The CLI's settings: the same `sprintRunner.*` keys as the extension, read from the workspace's
// `.vscode/settings.json` (which VS Code applies as the workspace's settings, so one file drives both front
// ends), with the command line's flags on top. Parsed by core/settings exactly as the extension parses them.

import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PERMISSION_MODES } from '../core/claude/ClaudeInvocation';
import { JsoncError, parseJsonc, sectionValues } from '../core/settings/parseJsonc';
import { parseSprintRunnerConfig, SETTINGS_SECTION, type SprintRunnerConfig } from '../core/settings/SprintRunnerConfig';
import type { CommonOptions } from './parseCliArgs';
import { UsageError } from './UsageError';

export interface CliConfig {
  workspace: string;
  stateDir: string;
  /** Absolute, or undefined to discover it. */
  ledger?: string;
  config: SprintRunnerConfig;
  /** The settings file read, when there was one. */
  settingsFile?: string;
  /** Where the permission mode came from, for `--help` and the log. */
  permissionSource: string;
}

export function settingsFileOf(workspace: string): string {
  return path.join(workspace, '.vscode', 'settings.json');
}

/** `sprintRunner.*` of `<workspace>/.vscode/settings.json`, keyed without the prefix; {} when there is none. */
export function readSettingsFile(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = parseJsonc(readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof JsoncError) {
      throw new UsageError(`${file}:${err.line}: not valid JSON (${err.reason}). Fix: correct the file, or pass --no-settings to ignore it.`);
    }
    throw new UsageError(`${file}: cannot be read (${(err as Error).message}). Fix: check its permissions, or pass --no-settings.`);
  }
  return sectionValues(parsed, SETTINGS_SECTION);
}

export function resolveCliConfig(common: CommonOptions, cwd: string, env: NodeJS.ProcessEnv): CliConfig {
  const workspace = path.resolve(cwd, common.workspace ?? '.');
  const stateDir = path.resolve(cwd, common.stateDir ?? path.join(workspace, '.sprint-runner'));
  const file = settingsFileOf(workspace);
  const fromFile = common.useSettingsFile ? readSettingsFile(file) : {};
  const values: Record<string, unknown> = { ...fromFile, ...common.settings };
  // Paths on the command line are the shell's (relative to the current folder); in the file, the workspace's.
  const fileCommand = typeof fromFile['claude.command'] === 'string' ? (fromFile['claude.command'] as string).trim() : '';
  const explicitClaudeCommand = common.claude
    ? relativeTo(cwd, common.claude)
    : fileCommand
      ? relativeTo(workspace, fileCommand)
      : undefined;
  const config = parseSprintRunnerConfig((key) => values[key], { env, explicitClaudeCommand });
  if (!(PERMISSION_MODES as readonly string[]).includes(config.permissionMode)) {
    throw new UsageError(`${file}: sprintRunner.claude.permissionMode "${config.permissionMode}" is not one of ${PERMISSION_MODES.join(', ')}. Fix: correct it, or pass --permission-mode.`);
  }
  if (config.git.errors.length > 0) {
    const where = Object.keys(fromFile).length > 0 ? ` (${file} or the flags)` : '';
    throw new UsageError(`settings that cannot be honoured${where}:\n  ${config.git.errors.join('\n  ')}`);
  }
  // A relative --ledger names a file of the workspace (like the extension's setting), whatever the shell's folder.
  const ledger = common.ledger
    ? path.resolve(workspace, common.ledger)
    : config.ledgerPath
      ? path.resolve(workspace, config.ledgerPath)
      : undefined;
  const permissionSource =
    common.settings['claude.permissionMode'] !== undefined
      ? '--permission-mode'
      : fromFile['claude.permissionMode'] !== undefined
        ? `sprintRunner.claude.permissionMode in ${file}`
        : 'the default';
  return { workspace, stateDir, ...(ledger ? { ledger } : {}), config, ...(Object.keys(fromFile).length > 0 ? { settingsFile: file } : {}), permissionSource };
}

/** A command with a folder in it is a path: resolved against `base`. A bare name is looked up on PATH. */
function relativeTo(base: string, command: string): string {
  return /[\\/]/.test(command) ? path.resolve(base, command) : command;
}
