// Every option of the CLI in one table: the commands that take it, its help line, and the
// `sprintRunner.*` setting it overrides (the same settings the extension reads), so flags, the workspace's
// `.vscode/settings.json` and the extension all mean one thing.

import { PERMISSION_MODES } from '../core/claude/ClaudeInvocation';
import { UsageError } from './UsageError';

export const COMMANDS = ['run', 'resume', 'status', 'stop', 'doctor'] as const;
export type CliCommandName = (typeof COMMANDS)[number];

export interface OptionSpec {
  flag: string;
  /** Name of the value in help (`N`, `DIR`); absent for a switch. */
  value?: string;
  help: string;
  commands: readonly CliCommandName[];
  /** May be given more than once; `apply` then gets every value. */
  repeat?: boolean;
  /** Writes the flag's value under its setting key (without `sprintRunner.`). Throws UsageError when invalid. */
  apply?: (value: string | string[], settings: Record<string, unknown>) => void;
  /** Help section. */
  group: 'run' | 'where' | 'agents' | 'reviews' | 'git' | 'containers' | 'output';
}

const ENGINE: readonly CliCommandName[] = ['run', 'resume', 'doctor'];

function positiveNumber(flag: string, v: string, what = 'number'): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive ${what}, got "${v}"`);
  return n;
}

function wholeNumber(flag: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`${flag} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got "${v}"`);
  return Number(v);
}

function oneOf(flag: string, v: string, allowed: readonly string[]): string {
  if (!allowed.includes(v)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got "${v}"`);
  return v;
}

const str = (v: string | string[]) => (Array.isArray(v) ? v[0] : v);
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

export const OPTIONS: readonly OptionSpec[] = [
  { flag: '--cycles', value: 'N|all', help: 'Cycles to run (setting run.defaultCycles; default 2)', commands: ['run'], group: 'run' },
  { flag: '--story', value: 'KEY', help: 'Start the first cycle with this story', commands: ['run'], group: 'run' },
  { flag: '--init', help: 'Create sprint-status.yaml from BMAD\'s template; refused when the workspace has one anywhere the runner looks', commands: ['run'], group: 'run' },

  { flag: '--workspace', value: 'DIR', help: 'BMAD workspace root (default: current folder)', commands: COMMANDS, group: 'where' },
  { flag: '--state-dir', value: 'DIR', help: 'State folder (default: <workspace>/.sprint-runner)', commands: ['run', 'resume', 'status', 'stop'], group: 'where' },
  { flag: '--ledger', value: 'FILE', help: 'Use this sprint-status.yaml (relative to the workspace) instead of discovering it (setting ledger.path)', commands: ['run', 'resume', 'status', 'doctor'], group: 'where' },
  { flag: '--no-settings', help: 'Ignore sprintRunner.* in <workspace>/.vscode/settings.json', commands: ['run', 'resume', 'status', 'doctor'], group: 'where' },

  { flag: '--claude', value: 'PATH', help: 'Claude-compatible command (setting claude.command; else env SPRINT_RUNNER_CLAUDE; else "claude")', commands: ENGINE, group: 'agents' },
  {
    flag: '--permission-mode',
    value: 'MODE',
    help: `Agents' --permission-mode: ${PERMISSION_MODES.join(', ')} (setting claude.permissionMode)`,
    commands: ENGINE,
    group: 'agents',
    apply: (v, s) => (s['claude.permissionMode'] = oneOf('--permission-mode', str(v), PERMISSION_MODES)),
  },
  {
    flag: '--allowed-tool',
    value: 'RULE',
    help: 'Allow a tool or rule without asking, e.g. "Bash(git:*)"; repeat for more (setting claude.allowedTools)',
    commands: ENGINE,
    repeat: true,
    group: 'agents',
    apply: (v, s) => (s['claude.allowedTools'] = list(v)),
  },
  { flag: '--model', value: 'NAME', help: 'Model for the steps and first reviews (setting models.default)', commands: ENGINE, group: 'agents', apply: (v, s) => (s['models.default'] = str(v)) },
  {
    flag: '--step-timeout',
    value: 'S',
    help: 'Stop an agent that runs longer than S seconds (setting timeouts.stepMinutes; default 3600)',
    commands: ENGINE,
    group: 'agents',
    apply: (v, s) => (s['timeouts.stepMinutes'] = positiveNumber('--step-timeout', str(v), 'number of seconds') / 60),
  },
  {
    flag: '--idle-timeout',
    value: 'S',
    help: 'Stop an agent that prints nothing for S seconds (setting timeouts.idleMinutes; default 900)',
    commands: ENGINE,
    group: 'agents',
    apply: (v, s) => (s['timeouts.idleMinutes'] = positiveNumber('--idle-timeout', str(v), 'number of seconds') / 60),
  },

  { flag: '--review-model', value: 'NAME', help: 'Cheaper model for later reviews (setting models.review; default haiku)', commands: ENGINE, group: 'reviews', apply: (v, s) => (s['models.review'] = str(v)) },
  {
    flag: '--cheap-model-from-attempt',
    value: 'N',
    help: 'Review attempt from which the review model is used (setting reviews.cheapModelFromAttempt; default 2)',
    commands: ENGINE,
    group: 'reviews',
    apply: (v, s) => (s['reviews.cheapModelFromAttempt'] = wholeNumber('--cheap-model-from-attempt', str(v), 1)),
  },
  {
    flag: '--max-story-reviews',
    value: 'N',
    help: 'Story (and tech-spec) reviews per story at most (setting reviews.maxStoryReviews; default 3)',
    commands: ENGINE,
    group: 'reviews',
    apply: (v, s) => (s['reviews.maxStoryReviews'] = wholeNumber('--max-story-reviews', str(v), 1)),
  },
  {
    flag: '--max-code-reviews',
    value: 'N',
    help: 'Code reviews per story before it is blocked (setting reviews.maxCodeReviews; default 10)',
    commands: ENGINE,
    group: 'reviews',
    apply: (v, s) => (s['reviews.maxCodeReviews'] = wholeNumber('--max-code-reviews', str(v), 1)),
  },
  {
    flag: '--budget-story',
    value: 'USD',
    help: 'Pause when one story has cost this much (setting budgets.perStoryUsd)',
    commands: ENGINE,
    group: 'reviews',
    apply: (v, s) => (s['budgets.perStoryUsd'] = positiveNumber('--budget-story', str(v), 'amount in USD')),
  },
  {
    flag: '--budget-batch',
    value: 'USD',
    help: 'Pause when the batch has cost this much (setting budgets.perBatchUsd)',
    commands: ENGINE,
    group: 'reviews',
    apply: (v, s) => (s['budgets.perBatchUsd'] = positiveNumber('--budget-batch', str(v), 'amount in USD')),
  },

  {
    flag: '--gate',
    value: 'CMD',
    help: 'Quality gate run after dev-story and each code review, e.g. "npm test"; repeat for more (setting git.qualityGates)',
    commands: ENGINE,
    repeat: true,
    group: 'git',
    apply: (v, s) => (s['git.qualityGates'] = list(v).map((command) => ({ command }))),
  },
  {
    flag: '--commit-mode',
    value: 'agent|engine',
    help: 'Who makes the batch commit (setting git.commitMode; default agent)',
    commands: ENGINE,
    group: 'git',
    apply: (v, s) => (s['git.commitMode'] = oneOf('--commit-mode', str(v), ['agent', 'engine'])),
  },
  {
    flag: '--parallel',
    value: 'N',
    help: 'Independent stories at a time, 1-5, each in its own git worktree (setting git.maxParallel; default 1)',
    commands: ENGINE,
    group: 'git',
    apply: (v, s) => (s['git.maxParallel'] = wholeNumber('--parallel', str(v), 1, 5)),
  },
  {
    flag: '--review-before-commit',
    help: 'Pause before each batch commit: print the diff stat and ask on the terminal to approve or reject with a reason (setting git.reviewBeforeCommit)',
    commands: ENGINE,
    group: 'git',
    apply: (_v, s) => (s['git.reviewBeforeCommit'] = true),
  },
  { flag: '--no-review-before-commit', help: 'Commit without asking even when the settings turn the review on', commands: ENGINE, group: 'git', apply: (_v, s) => (s['git.reviewBeforeCommit'] = false) },
  { flag: '--no-report', help: 'Write no sprint report at the end of a batch (setting report.enabled)', commands: ENGINE, group: 'git', apply: (_v, s) => (s['report.enabled'] = false) },

  {
    flag: '--container-image',
    value: 'IMAGE',
    help: 'Run every agent in a container of this image (settings containers.enabled, containers.image)',
    commands: ENGINE,
    group: 'containers',
    apply: (v, s) => {
      s['containers.enabled'] = true;
      s['containers.image'] = str(v);
    },
  },
  {
    flag: '--container-runtime',
    value: 'auto|podman|docker',
    help: 'Container runtime (setting containers.runtime; default auto)',
    commands: ENGINE,
    group: 'containers',
    apply: (v, s) => (s['containers.runtime'] = oneOf('--container-runtime', str(v), ['auto', 'podman', 'docker'])),
  },
  { flag: '--no-containers', help: 'Run agents on this machine even when the settings turn containers on', commands: ENGINE, group: 'containers', apply: (_v, s) => (s['containers.enabled'] = false) },

  { flag: '--json', help: 'Machine-readable output (one JSON object per event for run/resume)', commands: ['run', 'resume', 'status', 'doctor'], group: 'output' },
];
