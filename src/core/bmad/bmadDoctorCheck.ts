// The doctor's view of the BMAD install: which workflow every step runs and where its file is, failing
// when a Claude Code install lacks a workflow the run needs.

import { STEP_COMMANDS, type StepCommand } from '../commands';
import type { FileSystem } from '../fs/FileSystem';
import { detectBmadInstall, type BmadInstall } from './BmadInstall';
import { mapWorkflows, type MissingWorkflowPolicy, type WorkflowMapping } from './mapWorkflows';

export type DoctorStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheckResult {
  id: string;
  title: string;
  status: DoctorStatus;
  detail: string;
  fix?: string;
  data?: unknown;
}

export interface BmadMappingRow {
  step: StepCommand;
  /** `/name` of the installed workflow, or `runner prompt`. */
  runs: string;
  kind: 'command' | 'skill' | 'runner-prompt';
  /** The command file or SKILL.md, when installed. */
  file?: string;
  scope?: 'project' | 'user';
  reason?: string;
}

/** The setting (and CLI environment variable) that lets missing workflows run on the runner's prompts. */
export const MISSING_WORKFLOWS_SETTING = 'sprintRunner.bmad.missingWorkflows';
export const MISSING_WORKFLOWS_ENV = 'SPRINT_RUNNER_BMAD_MISSING_WORKFLOWS';

export function mappingRows(mapping: WorkflowMapping): BmadMappingRow[] {
  return STEP_COMMANDS.map((step) => {
    const t = mapping.targets[step];
    return t.kind === 'installed'
      ? { step, runs: `/${t.name}`, kind: t.entry.kind, file: t.entry.file, scope: t.entry.scope }
      : { step, runs: 'runner prompt', kind: 'runner-prompt', reason: t.reason };
  });
}

/** How to get the missing workflows, in the words of the install at hand. */
export function missingWorkflowsFix(install: BmadInstall): string {
  const reinstall =
    install.generation === '6.12'
      ? 'reinstall BMAD with its workflow shims: npx bmad-method install --shims'
      : 'reinstall BMAD for Claude Code: npx bmad-method install --tools claude-code';
  return `${reinstall}; or run those steps on Sprint Runner's own prompts: setting ${MISSING_WORKFLOWS_SETTING} = "runner-prompt" (CLI: ${MISSING_WORKFLOWS_ENV}=runner-prompt)`;
}

/** One line naming the missing workflows, the install and the fix (the CLI's exit-2 message). */
export function describeMissingWorkflows(install: BmadInstall, mapping: WorkflowMapping): string {
  const where = install.manifestPath ?? install.configDir ?? 'the workspace';
  return (
    `BMAD ${install.version ?? install.generation} (${where}) has no Claude Code workflow for ${mapping.missing.join(', ')}: ` +
    `no step would load a BMAD workflow for ${mapping.missing.length === 1 ? 'it' : 'them'}. Fix: ${missingWorkflowsFix(install)}.`
  );
}

export function bmadDoctorCheck(install: BmadInstall, mapping: WorkflowMapping, policy: MissingWorkflowPolicy = 'refuse'): DoctorCheckResult {
  const rows = mappingRows(mapping);
  const data = {
    generation: install.generation,
    ...(install.version ? { version: install.version } : {}),
    ...(install.configDir ? { configDir: install.configDir } : {}),
    ...(install.manifestPath ? { manifest: install.manifestPath } : {}),
    missing: mapping.missing,
    mapping: rows,
    notLoadedByClaude: install.entries.filter((e) => !e.claudeLoads).map((e) => e.file),
  };
  const title = 'BMAD workflows for Claude Code';
  const installed = rows.filter((r) => r.kind !== 'runner-prompt').map((r) => `${r.step} → ${r.runs}`);
  const summary = `BMAD ${install.version ?? install.generation}${install.configDir ? ` in ${install.configDir}` : ''}`;
  if (mapping.missing.length > 0) {
    if (policy === 'runner-prompt') {
      return {
        id: 'bmad-workflows',
        title,
        status: 'warn',
        detail: `${summary}: ${mapping.missing.join(', ')} run on Sprint Runner's own prompts (${MISSING_WORKFLOWS_SETTING} = runner-prompt); ${installed.join(', ') || 'no step'} load BMAD workflows.`,
        fix: 'npx bmad-method install --shims (then the installed workflows are used)',
        data,
      };
    }
    return { id: 'bmad-workflows', title, status: 'fail', detail: describeMissingWorkflows(install, mapping), fix: missingWorkflowsFix(install), data };
  }
  if (mapping.noClaudeInstall) {
    return {
      id: 'bmad-workflows',
      title,
      status: 'warn',
      detail:
        install.generation === 'none'
          ? "No BMAD install found: every step runs on Sprint Runner's own prompts."
          : `${summary} has no Claude Code commands or skills (.claude/commands, .claude/skills): every step runs on Sprint Runner's own prompts.`,
      fix: 'npx bmad-method install --tools claude-code (or commit the .claude folder BMAD wrote)',
      data,
    };
  }
  return { id: 'bmad-workflows', title, status: 'ok', detail: `${summary}: ${installed.join(', ')}; the other steps run on Sprint Runner's own prompts.`, data };
}

/** Detection, mapping and the check in one call, for `sprint-runner doctor` and the extension. */
export async function checkBmadWorkflows(
  root: string,
  fs: FileSystem,
  options: { homeDir?: string; missingWorkflows?: MissingWorkflowPolicy } = {},
): Promise<{ install: BmadInstall; mapping: WorkflowMapping; check: DoctorCheckResult }> {
  const install = await detectBmadInstall(root, fs, options.homeDir !== undefined ? { homeDir: options.homeDir } : {});
  const policy = options.missingWorkflows ?? 'refuse';
  const mapping = mapWorkflows(install, policy);
  return { install, mapping, check: bmadDoctorCheck(install, mapping, policy) };
}
