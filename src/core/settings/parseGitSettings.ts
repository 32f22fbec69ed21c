// The git, quality-gate, parallel, report and container settings as raw values → typed options. Pure
// (no `vscode`): the extension's settings and the CLI's flags and settings file both end here, so the two
// front ends mean the same by each setting. Parallel mode and containers are opt-in: the defaults give
// exactly the 003 workflow on the host.

import { forbiddenMountReason } from '../git/forbiddenMountReason';
import type { QualityGateConfig } from '../gates/QualityGatePort';

/** The agents' container, as infra's ClaudeAgent takes it (same shape, declared here: core imports no infra). */
export interface ClaudeContainerOptions {
  runtime: 'podman' | 'docker' | 'auto';
  image: string;
  cpus?: number;
  memory?: string;
  network?: 'none' | 'bridge' | 'host';
  command?: string;
  envNames?: string[];
  extraMounts?: string[];
}

export const MAX_PARALLEL = 5;

/** The settings as `WorkspaceConfiguration.get` returns them (anything a user may have typed). */
export interface RawGitSettings {
  commitMode: unknown;
  verifyCommits: unknown;
  qualityGates: unknown;
  maxParallel: unknown;
  independentStories: unknown;
  mergeSprintIntoBase: unknown;
  baseBranch: unknown;
  worktreesDir: unknown;
  reportEnabled: unknown;
  /** Absent = off (the review point before the batch commit). */
  reviewBeforeCommit?: unknown;
  containers: {
    enabled: unknown;
    runtime: unknown;
    image: unknown;
    cpus: unknown;
    memory: unknown;
    network: unknown;
    command: unknown;
    env: unknown;
    extraMounts: unknown;
  };
}

export interface GitSettings {
  commitMode: 'agent' | 'engine';
  verifyCommits: boolean;
  qualityGates: QualityGateConfig[];
  /** 1..5; 1 = 003 (no worktrees). */
  maxParallel: number;
  independentStories: string[];
  mergeSprintIntoBase: boolean;
  baseBranch?: string;
  worktreesDir?: string;
  sprintReport: boolean;
  /** Pause before each batch commit for a human's approve / reject-with-reason. */
  reviewBeforeCommit: boolean;
  /** Set only when `containers.enabled` is on and the settings are usable. */
  container?: ClaudeContainerOptions;
  /**
   * Settings that cannot be honoured as written (a gate without a command, containers on without an
   * image…). A run refuses to start with them rather than silently skip a gate or run on the host.
   */
  errors: string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()) : [];
}

/** One `sprintRunner.git.qualityGates` entry, or the reason it is not usable. */
function gateOf(raw: unknown, index: number): QualityGateConfig | string {
  const where = `sprintRunner.git.qualityGates[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return `${where} must be an object like {"name": "tests", "command": ["npm", "test"]}.`;
  }
  const o = raw as Record<string, unknown>;
  const c = o.command;
  let command: string | string[];
  if (typeof c === 'string' && c.trim() !== '') command = c.trim();
  else if (Array.isArray(c) && c.length > 0 && c.every((x) => typeof x === 'string') && (c[0] as string).trim() !== '') command = c as string[];
  else return `${where}: "command" must be a non-empty string or an array of strings (e.g. ["npm", "test"]).`;
  const gate: QualityGateConfig = { command };
  const name = text(o.name);
  if (name) gate.name = name;
  if (o.timeoutMs !== undefined) {
    if (typeof o.timeoutMs !== 'number' || !Number.isFinite(o.timeoutMs) || o.timeoutMs < 1000) {
      return `${where}: "timeoutMs" must be a number of milliseconds ≥ 1000 (got ${JSON.stringify(o.timeoutMs)}).`;
    }
    gate.timeoutMs = Math.floor(o.timeoutMs);
  }
  return gate;
}

function containerOf(raw: RawGitSettings['containers'], errors: string[]): ClaudeContainerOptions | undefined {
  if (raw.enabled !== true) return undefined;
  const image = text(raw.image);
  if (!image) {
    errors.push('sprintRunner.containers.enabled is on but sprintRunner.containers.image is empty. Fix: set the image that has the Claude Code CLI, or turn containers off.');
    return undefined;
  }
  const runtime = raw.runtime === 'podman' || raw.runtime === 'docker' ? raw.runtime : 'auto';
  const network = raw.network === 'none' || raw.network === 'host' ? raw.network : 'bridge';
  const env = stringList(raw.env);
  const badEnv = env.filter((n) => !ENV_NAME.test(n));
  if (badEnv.length > 0) {
    errors.push(`sprintRunner.containers.env lists names only; not a variable name: ${badEnv.map((n) => JSON.stringify(n.replace(/=.*/s, '=…'))).join(', ')}. Fix: write the NAME (e.g. ANTHROPIC_API_KEY); the value is taken from the editor's environment.`);
  }
  const mounts = stringList(raw.extraMounts);
  const relative = mounts.filter((m) => !m.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(m));
  if (relative.length > 0) errors.push(`sprintRunner.containers.extraMounts must be absolute folders: ${relative.join(', ')}.`);
  for (const m of mounts.filter((x) => !relative.includes(x))) {
    const forbidden = forbiddenMountReason(m);
    if (forbidden) errors.push(`sprintRunner.containers.extraMounts: refusing ${JSON.stringify(m)}: ${forbidden}. Fix: remove it (check the workspace's .vscode/settings.json too).`);
  }
  const cpus = typeof raw.cpus === 'number' && Number.isFinite(raw.cpus) && raw.cpus > 0 ? raw.cpus : undefined;
  const memory = text(raw.memory);
  return {
    runtime,
    image,
    network,
    command: text(raw.command) ?? 'claude',
    ...(cpus !== undefined ? { cpus } : {}),
    ...(memory ? { memory } : {}),
    ...(env.length > 0 ? { envNames: env.filter((n) => ENV_NAME.test(n)) } : {}),
    ...(mounts.length > 0 ? { extraMounts: mounts.filter((m) => !relative.includes(m)) } : {}),
  };
}

export function parseGitSettings(raw: RawGitSettings): GitSettings {
  const errors: string[] = [];
  const qualityGates: QualityGateConfig[] = [];
  if (raw.qualityGates !== undefined && raw.qualityGates !== null && !Array.isArray(raw.qualityGates)) {
    errors.push('sprintRunner.git.qualityGates must be an array of {"name", "command", "timeoutMs"} objects.');
  }
  (Array.isArray(raw.qualityGates) ? raw.qualityGates : []).forEach((g, i) => {
    const gate = gateOf(g, i);
    if (typeof gate === 'string') errors.push(gate);
    else qualityGates.push(gate);
  });
  const n = typeof raw.maxParallel === 'number' && Number.isFinite(raw.maxParallel) ? Math.floor(raw.maxParallel) : 1;
  const baseBranch = text(raw.baseBranch);
  const worktreesDir = text(raw.worktreesDir);
  if (worktreesDir && !worktreesDir.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(worktreesDir)) {
    errors.push(`sprintRunner.git.worktreesDir must be an absolute folder (got ${JSON.stringify(worktreesDir)}). Fix: give a full path, or leave it empty for the extension's state folder.`);
  }
  const container = containerOf(raw.containers, errors);
  return {
    commitMode: raw.commitMode === 'engine' ? 'engine' : 'agent',
    verifyCommits: raw.verifyCommits !== false,
    qualityGates,
    maxParallel: Math.min(MAX_PARALLEL, Math.max(1, n)),
    independentStories: stringList(raw.independentStories),
    mergeSprintIntoBase: raw.mergeSprintIntoBase === true,
    ...(baseBranch ? { baseBranch } : {}),
    ...(worktreesDir ? { worktreesDir } : {}),
    sprintReport: raw.reportEnabled !== false,
    reviewBeforeCommit: raw.reviewBeforeCommit === true,
    ...(container ? { container } : {}),
    errors,
  };
}
