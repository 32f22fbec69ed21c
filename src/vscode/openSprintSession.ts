// Maps the extension's settings onto SprintSession's options (src/session) and opens it. Called on first use
// (a run, Resume, the dashboard's history), never at activation: this is where sql.js gets loaded.

import type { PermissionMode } from '../core/claude/ClaudeInvocation';
import { SprintSession, type SprintSessionOptions } from '../session/SprintSession';
import type { SprintRunnerConfig } from './SprintRunnerSettings';
import type { SessionOpener } from './SprintSessionHost';

type MappedOptions = Pick<SprintSessionOptions, 'claude' | 'ledgerOverride' | 'engine' | 'agent' | 'git'>;

export function sessionOptionsFrom(config: SprintRunnerConfig): MappedOptions {
  const g = config.git;
  return {
    claude: { command: config.claude.command, args: config.claude.args },
    ...(config.ledgerPath ? { ledgerOverride: config.ledgerPath } : {}),
    engine: {
      defaultModel: config.defaultModel,
      reviewModel: config.reviewModel,
      cheapModelFromAttempt: config.cheapModelFromAttempt,
      maxStoryReviews: config.maxStoryReviews,
      maxTechSpecReviews: config.maxStoryReviews,
      maxCodeReviews: config.maxCodeReviews,
      projectContextMaxAgeHours: config.projectContextMaxAgeHours,
      budgets: {
        ...(config.budgetPerStoryUsd ? { perStoryUsd: config.budgetPerStoryUsd } : {}),
        ...(config.budgetPerBatchUsd ? { perBatchUsd: config.budgetPerBatchUsd } : {}),
      },
      commitMode: g.commitMode,
      qualityGates: g.qualityGates,
      maxParallel: g.maxParallel,
      independentStories: g.independentStories,
      mergeSprintIntoBase: g.mergeSprintIntoBase,
      sprintReport: g.sprintReport,
    },
    git: {
      verifyCommits: g.verifyCommits,
      ...(g.worktreesDir ? { worktreesDir: g.worktreesDir } : {}),
      ...(g.baseBranch ? { baseBranch: g.baseBranch } : {}),
    },
    agent: {
      extraArgs: config.extraArgs,
      // The settings' enum is the CLI's list; ClaudeInvocation rejects anything else with the setting's name.
      permission: { mode: config.permissionMode as PermissionMode, ...(config.allowedTools.length ? { allowedTools: config.allowedTools } : {}) },
      timeouts: { wallMs: config.stepTimeoutMinutes * 60_000, idleMs: config.idleTimeoutMinutes * 60_000 },
      ...(g.container ? { container: g.container } : {}),
    },
  };
}

export function openSprintSession(extensionRoot: string): SessionOpener {
  return async ({ workspaceRoot, stateDir, config, onLog }) =>
    SprintSession.open({
      workspaceRoot,
      stateDir,
      extensionRoot,
      onLog,
      // The extension host is every extension's process: sql.js' memory (it only grows) and its CPU go
      // to a child process at a lower priority instead (docs/state.md).
      database: { where: 'process', priority: 'low' },
      ...sessionOptionsFrom(config),
    });
}
