// The workspace side of the doctor: the sprint ledger, the BMAD install, git, and the platform.

import * as path from 'node:path';
import { LedgerError } from '../ledger/LedgerError';
import { SprintLedger } from '../ledger/SprintLedger';
import { BmadConfigError } from '../workspace/BmadConfigError';
import { discoverWorkspace } from '../workspace/discoverWorkspace';
import { LedgerNotFoundError } from '../ledger/LedgerNotFoundError';
import type { CheckResult, DoctorCheck, DoctorContext } from './DoctorCheck';

export const ledgerCheck: DoctorCheck = {
  id: 'ledger',
  async run(ctx) {
    const base = { id: 'ledger', title: 'sprint-status.yaml' };
    const create = `run BMAD's sprint-planning workflow, or create one from the template with ${ctx.vocabulary.initLedger}`;
    try {
      const layout = await discoverWorkspace(ctx.workspaceRoot, ctx.fs, { ledgerOverride: ctx.ledgerOverride });
      const snapshot = await new SprintLedger(layout.ledgerPath, ctx.fs).read();
      const done = snapshot.stories.filter((s) => s.status === 'done').length;
      return {
        ...base,
        status: 'ok',
        detail: `${layout.ledgerPath}: ${snapshot.stories.length} stories, ${done} done.`,
        data: { path: layout.ledgerPath, stories: snapshot.stories.length, done },
      };
    } catch (err) {
      if (err instanceof LedgerNotFoundError) {
        if (ctx.ledgerWillBeCreated) {
          return { ...base, status: 'ok', detail: `Not there yet: it will be created from BMAD's template at ${err.suggestedPath}.`, data: { path: err.suggestedPath } };
        }
        return {
          ...base,
          status: 'fail',
          detail: `No sprint-status.yaml found. Looked at: ${err.searched.join(', ')}.`,
          fix: `Name an existing one with ${ctx.vocabulary.ledger}; or ${create} (writes ${err.suggestedPath}).`,
          data: { searched: err.searched },
        };
      }
      if (err instanceof LedgerError || err instanceof BmadConfigError) {
        return { ...base, status: 'fail', detail: `${err.file}:${err.line}:${err.col}: ${err.reason}.`, fix: err.hint, data: { path: err.file, line: err.line } };
      }
      throw err;
    }
  },
};

/** BMAD's folders, newest layout first. */
const BMAD_FOLDERS = ['_bmad', 'bmad', '.bmad'];

/**
 * A minimal presence check: a BMAD install, and whether Claude Code can load its workflows as commands or
 * skills. A fuller check (which workflow the run needs, per BMAD version) takes its place by id.
 */
export const bmadPresenceCheck: DoctorCheck = {
  id: 'bmad',
  async run(ctx) {
    const base = { id: 'bmad', title: 'BMAD install' };
    const root = ctx.workspaceRoot;
    let folder: string | undefined;
    for (const name of BMAD_FOLDERS) {
      if ((await ctx.fs.stat(path.join(root, name)))?.isDirectory) {
        folder = path.join(root, name);
        break;
      }
    }
    if (!folder) {
      return {
        ...base,
        status: 'warn',
        detail: `No BMAD install in ${root} (looked for ${BMAD_FOLDERS.join(', ')}): agents get the runner's own prompts only.`,
        fix: 'Install BMAD for Claude Code in the project: `npx bmad-method install` (choose the bmm module and Claude Code).',
      };
    }
    const version = await manifestVersion(ctx, folder);
    const commands = await claudeBmadEntries(ctx);
    const data = { folder, ...(version ? { version } : {}), claudeEntries: commands.length };
    if (commands.length === 0) {
      return {
        ...base,
        status: 'warn',
        detail: `BMAD ${version ?? ''} is installed in ${folder} but Claude Code has no BMAD commands or skills (.claude/commands, .claude/skills): the runner's own prompts are used.`.replace('  ', ' '),
        fix: 'Re-run the BMAD installer with Claude Code selected as a tool.',
        data,
      };
    }
    return { ...base, status: 'ok', detail: `BMAD ${version ?? '(version unknown)'} in ${folder}; ${commands.length} Claude Code command(s)/skill(s).`, data };
  },
};

async function manifestVersion(ctx: DoctorContext, folder: string): Promise<string | undefined> {
  const manifest = path.join(folder, '_config', 'manifest.yaml');
  if (!(await ctx.fs.exists(manifest))) return undefined;
  const text = await ctx.fs.readText(manifest).catch(() => '');
  return /^\s*version:\s*["']?([^"'\s]+)/m.exec(text)?.[1];
}

async function claudeBmadEntries(ctx: DoctorContext): Promise<string[]> {
  const found: string[] = [];
  for (const dir of [path.join(ctx.workspaceRoot, '.claude', 'commands'), path.join(ctx.workspaceRoot, '.claude', 'skills')]) {
    if (!(await ctx.fs.stat(dir))?.isDirectory) continue;
    for (const name of await ctx.fs.readDir(dir)) if (/^bmad/i.test(name)) found.push(path.join(dir, name));
  }
  return found;
}

export const gitCheck: DoctorCheck = {
  id: 'git',
  async run(ctx) {
    const base = { id: 'git', title: 'git' };
    const out = await ctx.host.run('git', ['rev-parse', '--show-toplevel'], { cwd: ctx.workspaceRoot, timeoutMs: 15_000 });
    if (out.error === 'ENOENT') {
      return {
        ...base,
        status: 'warn',
        detail: 'git is not installed: batch commits are not verified, engine commit mode and parallel lanes are unavailable.',
        fix: 'Install git.',
      };
    }
    if (out.exitCode !== 0) {
      return {
        ...base,
        status: 'warn',
        detail: `${ctx.workspaceRoot} is not in a git repository: batch commits are not verified, engine commit mode and parallel lanes are unavailable.`,
        fix: 'Make it one: `git init && git add -A && git commit -m "Start"`.',
      };
    }
    return { ...base, status: 'ok', detail: `Repository at ${out.stdout.trim()}.`, data: { root: out.stdout.trim() } };
  },
};

export const platformCheck: DoctorCheck = {
  id: 'platform',
  async run(ctx): Promise<CheckResult> {
    const base = { id: 'platform', title: 'Platform' };
    const p = ctx.host.platform;
    if (p === 'linux') return { ...base, status: 'ok', detail: 'Linux: fully supported.', data: { platform: p } };
    return {
      ...base,
      status: 'warn',
      detail: `${p}: stopping agents and ending processes left by a crash are built and tested on Linux first; see "Supported platforms" in the README.`,
      data: { platform: p },
    };
  },
};
