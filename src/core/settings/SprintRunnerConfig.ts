// The `sprintRunner.*` settings as one typed snapshot, parsed from raw values the same way for both front
// ends: the extension reads them from VS Code's configuration, the CLI from flags and the workspace's
// `.vscode/settings.json`. Invalid values fall back to the defaults here; settings that cannot be honoured
// as written are listed in `git.errors` and stop a run.

import { DEFAULT_IDLE_TIMEOUT_MINUTES, DEFAULT_STEP_TIMEOUT_MINUTES, defaultEngineSettings } from '../workflow/EngineSettings';
import { DEFAULT_CYCLES } from '../workflow/RunTypes';
import { extraArgsProblem } from '../claude/extraArgsPolicy';
import { parseClaudeEnv } from './parseClaudeEnv';
import { parseGitSettings, type GitSettings } from './parseGitSettings';

export type RetrospectiveDisplay = 'dimmed' | 'hidden';

export interface ClaudeCommand {
  command: string;
  args: string[];
  /** Where the command came from, for the log and the permission prompt. */
  source: 'setting' | 'environment' | 'default';
}

export interface SprintRunnerConfig {
  claude: ClaudeCommand;
  extraArgs: string[];
  defaultModel?: string;
  reviewModel: string;
  permissionMode: string;
  allowedTools: string[];
  maxStoryReviews: number;
  maxCodeReviews: number;
  cheapModelFromAttempt: number;
  defaultCycles: number | 'all';
  projectContextMaxAgeHours: number;
  stepTimeoutMinutes: number;
  idleTimeoutMinutes: number;
  budgetPerStoryUsd?: number;
  budgetPerBatchUsd?: number;
  ledgerPath?: string;
  webhookUrl?: string;
  retrospectives: RetrospectiveDisplay;
  statusBarWhenIdle: boolean;
  /** A Claude Code BMAD install lacking create-story/dev-story/code-review: refuse the run, or run them on the runner's prompts. */
  bmadMissingWorkflows: 'refuse' | 'runner-prompt';
  /** Commit verification/mode, quality gates, parallel lanes, sprint report, containers. */
  git: GitSettings;
}

export const SETTINGS_SECTION = 'sprintRunner';

/** Defaults shared by both front ends (package.json's `contributes.configuration` says the same). */
const ENGINE_DEFAULTS = defaultEngineSettings();
export const SETTING_DEFAULTS = {
  permissionMode: 'bypassPermissions',
  reviewModel: ENGINE_DEFAULTS.reviewModel,
  maxStoryReviews: ENGINE_DEFAULTS.maxStoryReviews,
  maxCodeReviews: ENGINE_DEFAULTS.maxCodeReviews,
  cheapModelFromAttempt: ENGINE_DEFAULTS.cheapModelFromAttempt,
  defaultCycles: DEFAULT_CYCLES,
  projectContextMaxAgeHours: ENGINE_DEFAULTS.projectContextMaxAgeHours,
  stepTimeoutMinutes: DEFAULT_STEP_TIMEOUT_MINUTES,
  idleTimeoutMinutes: DEFAULT_IDLE_TIMEOUT_MINUTES,
} as const;

function positive(n: unknown, fallback: number): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : fallback;
}

function optionalUsd(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

function nonEmpty(s: unknown): string | undefined {
  return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined;
}

function strings(a: unknown): string[] {
  return Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}

/**
 * `get(key)` returns the raw value of `sprintRunner.<key>` (undefined when unset). `explicitClaudeCommand` is
 * the command a user set (not a default): it wins over `SPRINT_RUNNER_CLAUDE`, which wins over `claude`.
 */
export function parseSprintRunnerConfig(
  get: (key: string) => unknown,
  options: { env: Readonly<Record<string, string | undefined>>; explicitClaudeCommand?: unknown },
): SprintRunnerConfig {
  const explicit = nonEmpty(options.explicitClaudeCommand);
  const fromEnv = options.env.SPRINT_RUNNER_CLAUDE ? parseClaudeEnv(options.env.SPRINT_RUNNER_CLAUDE) : undefined;
  const claude: ClaudeCommand = explicit
    ? { command: explicit, args: [], source: 'setting' }
    : fromEnv
      ? { ...fromEnv, source: 'environment' }
      : { command: 'claude', args: [], source: 'default' };
  const d = SETTING_DEFAULTS;
  const cycles = get('run.defaultCycles') ?? d.defaultCycles;
  const extraArgs = strings(get('claude.extraArgs'));
  const git = parseGitSettings({
    commitMode: get('git.commitMode'),
    verifyCommits: get('git.verifyCommits'),
    qualityGates: get('git.qualityGates'),
    maxParallel: get('git.maxParallel'),
    independentStories: get('git.independentStories'),
    mergeSprintIntoBase: get('git.mergeSprintIntoBase'),
    baseBranch: get('git.baseBranch'),
    worktreesDir: get('git.worktreesDir'),
    reportEnabled: get('report.enabled'),
    reviewBeforeCommit: get('git.reviewBeforeCommit'),
    containers: {
      enabled: get('containers.enabled'),
      runtime: get('containers.runtime'),
      image: get('containers.image'),
      cpus: get('containers.cpus'),
      memory: get('containers.memory'),
      network: get('containers.network'),
      command: get('containers.command'),
      env: get('containers.env'),
      extraMounts: get('containers.extraMounts'),
    },
  });
  // Refused like a gate without a command: the run does not start (both front ends show these).
  const extraArgsError = extraArgsProblem(extraArgs);
  if (extraArgsError) git.errors.push(extraArgsError);
  return {
    claude,
    extraArgs,
    defaultModel: nonEmpty(get('models.default')),
    reviewModel: nonEmpty(get('models.review')) ?? d.reviewModel,
    permissionMode: nonEmpty(get('claude.permissionMode')) ?? d.permissionMode,
    allowedTools: strings(get('claude.allowedTools')),
    maxStoryReviews: Math.floor(positive(get('reviews.maxStoryReviews'), d.maxStoryReviews)),
    maxCodeReviews: Math.floor(positive(get('reviews.maxCodeReviews'), d.maxCodeReviews)),
    cheapModelFromAttempt: Math.floor(positive(get('reviews.cheapModelFromAttempt'), d.cheapModelFromAttempt)),
    defaultCycles: cycles === 'all' ? 'all' : Math.floor(positive(typeof cycles === 'string' ? Number(cycles) : cycles, d.defaultCycles)),
    projectContextMaxAgeHours: positive(get('projectContext.maxAgeHours'), d.projectContextMaxAgeHours),
    stepTimeoutMinutes: positive(get('timeouts.stepMinutes'), d.stepTimeoutMinutes),
    idleTimeoutMinutes: positive(get('timeouts.idleMinutes'), d.idleTimeoutMinutes),
    budgetPerStoryUsd: optionalUsd(get('budgets.perStoryUsd')),
    budgetPerBatchUsd: optionalUsd(get('budgets.perBatchUsd')),
    ledgerPath: nonEmpty(get('ledger.path')),
    webhookUrl: nonEmpty(get('webhook.url')),
    retrospectives: get('tree.retrospectives') === 'hidden' ? 'hidden' : 'dimmed',
    statusBarWhenIdle: get('statusBar.showWhenIdle') !== false,
    bmadMissingWorkflows: get('bmad.missingWorkflows') === 'runner-prompt' ? 'runner-prompt' : 'refuse',
    git,
  };
}
