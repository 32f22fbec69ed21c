// Maps the `sprintRunner.*` settings snapshot onto SprintSession's options: one mapping for the
// extension and the CLI, so a setting means the same in both.

import type { PermissionMode } from '../core/claude/ClaudeInvocation';
import type { SprintRunnerConfig } from '../core/settings/SprintRunnerConfig';
import type { SprintSessionOptions } from '../session/SprintSession';

export type MappedOptions = Pick<SprintSessionOptions, 'claude' | 'ledgerOverride' | 'engine' | 'agent' | 'git' | 'bmad'>;

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
      reviewBeforeCommit: g.reviewBeforeCommit,
    },
    bmad: { missingWorkflows: config.bmadMissingWorkflows },
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
