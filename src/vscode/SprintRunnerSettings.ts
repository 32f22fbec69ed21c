// The one place that reads `sprintRunner.*` settings. Everything else gets a typed snapshot and an
// event when it changes, so changes apply without a reload (the next run / the next render uses them).

import { DEFAULT_IDLE_TIMEOUT_MINUTES, DEFAULT_STEP_TIMEOUT_MINUTES, defaultEngineSettings } from '../core/workflow/EngineSettings';
import { DEFAULT_CYCLES } from '../core/workflow/RunTypes';
import * as vscode from 'vscode';
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
  /** Commit verification/mode, quality gates, parallel lanes, sprint report, containers. */
  git: GitSettings;
}

export const SECTION = 'sprintRunner';

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

export function readSprintRunnerConfig(
  scope: vscode.ConfigurationScope | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SprintRunnerConfig {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  // An explicitly set command wins; otherwise the environment variable; otherwise `claude` on PATH.
  const inspected = c.inspect<string>('claude.command');
  const explicit = nonEmpty(
    inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue,
  );
  const fromEnv = env.SPRINT_RUNNER_CLAUDE ? parseClaudeEnv(env.SPRINT_RUNNER_CLAUDE) : undefined;
  const claude: ClaudeCommand = explicit
    ? { command: explicit, args: [], source: 'setting' }
    : fromEnv
      ? { ...fromEnv, source: 'environment' }
      : { command: 'claude', args: [], source: 'default' };
  const cycles = c.get<unknown>('run.defaultCycles', DEFAULT_CYCLES);
  const engine = defaultEngineSettings();
  return {
    claude,
    extraArgs: strings(c.get('claude.extraArgs')),
    defaultModel: nonEmpty(c.get('models.default')),
    reviewModel: nonEmpty(c.get('models.review')) ?? engine.reviewModel,
    permissionMode: nonEmpty(c.get('claude.permissionMode')) ?? 'bypassPermissions',
    allowedTools: strings(c.get('claude.allowedTools')),
    maxStoryReviews: Math.floor(positive(c.get('reviews.maxStoryReviews'), engine.maxStoryReviews)),
    maxCodeReviews: Math.floor(positive(c.get('reviews.maxCodeReviews'), engine.maxCodeReviews)),
    cheapModelFromAttempt: Math.floor(positive(c.get('reviews.cheapModelFromAttempt'), engine.cheapModelFromAttempt)),
    defaultCycles: cycles === 'all' ? 'all' : Math.floor(positive(typeof cycles === 'string' ? Number(cycles) : cycles, DEFAULT_CYCLES)),
    projectContextMaxAgeHours: positive(c.get('projectContext.maxAgeHours'), engine.projectContextMaxAgeHours),
    stepTimeoutMinutes: positive(c.get('timeouts.stepMinutes'), DEFAULT_STEP_TIMEOUT_MINUTES),
    idleTimeoutMinutes: positive(c.get('timeouts.idleMinutes'), DEFAULT_IDLE_TIMEOUT_MINUTES),
    budgetPerStoryUsd: optionalUsd(c.get('budgets.perStoryUsd')),
    budgetPerBatchUsd: optionalUsd(c.get('budgets.perBatchUsd')),
    ledgerPath: nonEmpty(c.get('ledger.path')),
    webhookUrl: nonEmpty(c.get('webhook.url')),
    retrospectives: c.get('tree.retrospectives') === 'hidden' ? 'hidden' : 'dimmed',
    statusBarWhenIdle: c.get<boolean>('statusBar.showWhenIdle', true) !== false,
    git: parseGitSettings({
      commitMode: c.get('git.commitMode'),
      verifyCommits: c.get('git.verifyCommits'),
      qualityGates: c.get('git.qualityGates'),
      maxParallel: c.get('git.maxParallel'),
      independentStories: c.get('git.independentStories'),
      mergeSprintIntoBase: c.get('git.mergeSprintIntoBase'),
      baseBranch: c.get('git.baseBranch'),
      worktreesDir: c.get('git.worktreesDir'),
      reportEnabled: c.get('report.enabled'),
      containers: {
        enabled: c.get('containers.enabled'),
        runtime: c.get('containers.runtime'),
        image: c.get('containers.image'),
        cpus: c.get('containers.cpus'),
        memory: c.get('containers.memory'),
        network: c.get('containers.network'),
        command: c.get('containers.command'),
        env: c.get('containers.env'),
        extraMounts: c.get('containers.extraMounts'),
      },
    }),
  };
}

/** Reads the settings for the sprint's folder and tells listeners when any `sprintRunner.*` value changed. */
export class SprintRunnerSettings implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SprintRunnerConfig>();
  readonly onDidChange = this.changed.event;
  private readonly listener: vscode.Disposable;
  private scope: vscode.ConfigurationScope | undefined;

  constructor() {
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) this.changed.fire(this.current);
    });
  }

  /** The folder whose (folder-level) settings apply: the one holding the sprint ledger. */
  setScope(scope: vscode.ConfigurationScope | undefined): void {
    this.scope = scope;
  }

  get current(): SprintRunnerConfig {
    return readSprintRunnerConfig(this.scope);
  }

  dispose(): void {
    this.listener.dispose();
    this.changed.dispose();
  }
}
