// A small typed wrapper over the git CLI for one working tree (the main checkout or a worktree).
// Every call: execa with an argument array (never a shell), explicit cwd, LC_ALL=C (parseable English),
// no prompts, literal pathspecs (a file named `:(top)` is a file, not magic).
// Safety: this class can never push, rebase, reset, or force anything; `assertSafeGitArgs` refuses such
// argument lists even if a future caller builds one.

import * as path from 'node:path';
import { promises as fsp } from 'node:fs';
import { GitError } from './GitError';
import { loadExeca } from './loadExeca';

export interface StatusEntry {
  /** Two-letter porcelain v1 code (`M `, ` M`, `??`, `R `, `UU`, …). */
  code: string;
  /** Repo-relative path, `/`-separated. */
  path: string;
  /** Rename/copy source. */
  origPath?: string;
}

export interface CommitInfo {
  sha: string;
  parents: string[];
  message: string;
  subject: string;
  /** Files changed against the first parent (against the empty tree for a root commit). */
  files: string[];
}

export interface WorktreeInfo {
  path: string;
  head?: string;
  /** Short branch name (`sprint/r1/1-2`), undefined when detached. */
  branch?: string;
  bare: boolean;
  detached: boolean;
  locked: boolean;
  prunable: boolean;
}

export type MergeResult =
  | { ok: true; sha: string; fastForward: boolean }
  | { ok: false; conflict: true; files: string[]; detail: string }
  | { ok: false; conflict: false; detail: string };

interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const FORBIDDEN_SUBCOMMANDS = new Set(['push', 'rebase', 'reset', 'filter-branch', 'filter-repo', 'gc', 'update-ref', 'replace']);
const FORBIDDEN_FLAGS = new Set(['--force', '-f', '-D', '--hard', '--force-with-lease']);

/** Throws when an argument list could rewrite history, push, or discard work. */
export function assertSafeGitArgs(args: readonly string[]): void {
  const sub = args[0];
  if (sub === undefined || FORBIDDEN_SUBCOMMANDS.has(sub)) throw new Error(`Refusing to run "git ${args.join(' ')}": Sprint Runner never pushes, rebases or resets.`);
  const dashdash = args.indexOf('--');
  const opts = dashdash < 0 ? args : args.slice(0, dashdash);
  for (const a of opts) {
    if (FORBIDDEN_FLAGS.has(a)) throw new Error(`Refusing to run "git ${args.join(' ')}": the flag ${a} can discard work.`);
  }
}

function splitZ(text: string): string[] {
  const parts = text.split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export class GitRepository {
  /** Absolute path of this working tree's folder (as given). */
  readonly cwd: string;

  constructor(cwd: string) {
    if (!path.isAbsolute(cwd)) throw new Error(`GitRepository needs an absolute folder, got ${JSON.stringify(cwd)}.`);
    this.cwd = cwd;
  }

  /** Runs git; throws GitError unless the exit code is 0 or listed in `okExitCodes`. */
  async run(args: readonly string[], opts: { okExitCodes?: number[]; input?: string; hint?: string } = {}): Promise<RunResult> {
    assertSafeGitArgs(args);
    const { execa } = await loadExeca();
    const result = await execa('git', [...args], {
      cwd: this.cwd,
      reject: false,
      stripFinalNewline: false,
      input: opts.input,
      stdin: opts.input === undefined ? 'ignore' : undefined,
      env: { LC_ALL: 'C', LANG: 'C', GIT_TERMINAL_PROMPT: '0', GIT_LITERAL_PATHSPECS: '1', GIT_MERGE_AUTOEDIT: 'no' },
      maxBuffer: 64 * 1024 * 1024,
    });
    const stdout = typeof result.stdout === 'string' ? result.stdout : '';
    const stderr = typeof result.stderr === 'string' ? result.stderr : '';
    if (result.exitCode === undefined) {
      // Spawn failure (git missing, cwd missing): execa reports it on the result.
      const cause = result.message ?? 'git could not be started';
      throw new GitError(args, this.cwd, undefined, cause, opts.hint ?? 'check that git is installed and the folder exists');
    }
    const ok = result.exitCode === 0 || (opts.okExitCodes ?? []).includes(result.exitCode);
    if (!ok) throw new GitError(args, this.cwd, result.exitCode, stderr || stdout, opts.hint);
    return { stdout, stderr, exitCode: result.exitCode };
  }

  async head(): Promise<string> {
    const r = await this.run(['rev-parse', '--verify', 'HEAD^{commit}'], { hint: 'the repository needs at least one commit' });
    return r.stdout.trim();
  }

  /** Sha of a ref, or undefined when it does not exist. */
  async resolve(ref: string): Promise<string | undefined> {
    const r = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], { okExitCodes: [1] });
    return r.exitCode === 0 ? r.stdout.trim() : undefined;
  }

  /** Short branch name, or undefined when HEAD is detached. */
  async currentBranch(): Promise<string | undefined> {
    const r = await this.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], { okExitCodes: [1] });
    return r.exitCode === 0 ? r.stdout.trim() : undefined;
  }

  async topLevel(): Promise<string> {
    return (await this.run(['rev-parse', '--show-toplevel'])).stdout.trim();
  }

  /** The shared `.git` folder (the same for every worktree of a repository), absolute. */
  async commonDir(): Promise<string> {
    const dir = (await this.run(['rev-parse', '--git-common-dir'])).stdout.trim();
    return path.resolve(this.cwd, dir);
  }

  async statusPorcelain(): Promise<StatusEntry[]> {
    const r = await this.run(['status', '--porcelain=v1', '-z', '--untracked-files=all']);
    const parts = splitZ(r.stdout);
    const out: StatusEntry[] = [];
    for (let i = 0; i < parts.length; i++) {
      const rec = parts[i];
      const code = rec.slice(0, 2);
      const entry: StatusEntry = { code, path: rec.slice(3) };
      if (code[0] === 'R' || code[0] === 'C') entry.origPath = parts[++i];
      out.push(entry);
    }
    return out;
  }

  async isDirty(): Promise<boolean> {
    return (await this.statusPorcelain()).length > 0;
  }

  /** Commits reachable from HEAD but not from `sha`, newest first. */
  async commitsSince(sha: string): Promise<string[]> {
    const r = await this.run(['rev-list', `${sha}..HEAD`, '--']);
    return r.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const r = await this.run(['merge-base', '--is-ancestor', ancestor, descendant], { okExitCodes: [1] });
    return r.exitCode === 0;
  }

  async mergeBase(a: string, b: string): Promise<string> {
    return (await this.run(['merge-base', a, b])).stdout.trim();
  }

  async showCommit(sha: string): Promise<CommitInfo> {
    const parentsLine = (await this.run(['rev-list', '--parents', '-n', '1', sha, '--'])).stdout.trim().split(/\s+/);
    const full = parentsLine[0];
    const parents = parentsLine.slice(1);
    const message = (await this.run(['log', '-1', '--format=%B', full, '--'])).stdout.replace(/\n+$/, '');
    const diffArgs = parents.length > 0 ? ['diff-tree', '-r', '--name-only', '-z', '--no-renames', parents[0], full] : ['diff-tree', '-r', '--root', '--no-commit-id', '--name-only', '-z', '--no-renames', full];
    const files = splitZ((await this.run(diffArgs)).stdout);
    return { sha: full, parents, message, subject: message.split('\n', 1)[0] ?? '', files };
  }

  /** `git add -A -- paths` (stages modifications, new files and deletions of exactly these paths). */
  async addPaths(paths: readonly string[]): Promise<void> {
    for (let i = 0; i < paths.length; i += 200) {
      await this.run(['add', '-A', '--', ...paths.slice(i, i + 200)]);
    }
  }

  /**
   * Commits and returns the new HEAD. With `only`, commits exactly those paths (`git commit --only`):
   * anything else staged stays staged and out of the commit. Hooks run (their failure is a GitError).
   */
  async commit(message: string, opts: { only?: readonly string[]; allowEmpty?: boolean } = {}): Promise<string> {
    const args = ['commit', '-q', '-F', '-'];
    if (opts.allowEmpty) args.push('--allow-empty');
    if (opts.only) args.push('--only', '--', ...opts.only);
    await this.run(args, { input: message.endsWith('\n') ? message : `${message}\n` });
    return this.head();
  }

  async branchExists(name: string): Promise<boolean> {
    const r = await this.run(['show-ref', '--verify', '--quiet', `refs/heads/${name}`], { okExitCodes: [1] });
    return r.exitCode === 0;
  }

  async assertValidBranchName(name: string): Promise<void> {
    const r = await this.run(['check-ref-format', '--branch', name], { okExitCodes: [1, 128] });
    if (r.exitCode !== 0 || name.startsWith('-')) throw new GitError(['check-ref-format', '--branch', name], this.cwd, r.exitCode, `"${name}" is not a valid branch name`);
  }

  async createBranch(name: string, startPoint: string): Promise<void> {
    await this.assertValidBranchName(name);
    await this.run(['branch', '--no-track', name, startPoint]);
  }

  /** Deletes a branch only when it is merged into HEAD (`git branch -d`); never forces. */
  async deleteMergedBranch(name: string): Promise<void> {
    await this.run(['branch', '-d', name]);
  }

  /** Adds a worktree at `dir`. With `newBranch`, creates that branch from `startPoint` there. */
  async worktreeAdd(dir: string, opts: { branch: string; newBranch: boolean; startPoint?: string }): Promise<void> {
    if (!path.isAbsolute(dir)) throw new Error(`worktreeAdd needs an absolute folder, got ${JSON.stringify(dir)}.`);
    await this.assertValidBranchName(opts.branch);
    const args = opts.newBranch
      ? ['worktree', 'add', '-b', opts.branch, '--', dir, opts.startPoint ?? 'HEAD']
      : ['worktree', 'add', '--', dir, opts.branch];
    await this.run(args);
  }

  /** Removes a worktree; git itself refuses when it has modified or untracked files (never forced). */
  async worktreeRemove(dir: string): Promise<void> {
    await this.run(['worktree', 'remove', '--', dir], { hint: 'the worktree has uncommitted changes; commit or move them first' });
  }

  /** Forgets worktrees whose folder is gone (a crash between `mkdir` and checkout). */
  async worktreePrune(): Promise<void> {
    await this.run(['worktree', 'prune']);
  }

  async worktreeList(): Promise<WorktreeInfo[]> {
    const r = await this.run(['worktree', 'list', '--porcelain', '-z']);
    const out: WorktreeInfo[] = [];
    let cur: WorktreeInfo | undefined;
    for (const field of r.stdout.split('\0')) {
      if (field === '') {
        if (cur) out.push(cur);
        cur = undefined;
        continue;
      }
      const sp = field.indexOf(' ');
      const key = sp < 0 ? field : field.slice(0, sp);
      const value = sp < 0 ? '' : field.slice(sp + 1);
      if (key === 'worktree') cur = { path: value, bare: false, detached: false, locked: false, prunable: false };
      else if (!cur) continue;
      else if (key === 'HEAD') cur.head = value;
      else if (key === 'branch') cur.branch = value.replace(/^refs\/heads\//, '');
      else if (key === 'bare') cur.bare = true;
      else if (key === 'detached') cur.detached = true;
      else if (key === 'locked') cur.locked = true;
      else if (key === 'prunable') cur.prunable = true;
    }
    if (cur) out.push(cur);
    return out;
  }

  async mergeInProgress(): Promise<boolean> {
    return (await this.resolve('MERGE_HEAD')) !== undefined;
  }

  async unmergedFiles(): Promise<string[]> {
    const r = await this.run(['diff', '--name-only', '-z', '--diff-filter=U']);
    return [...new Set(splitZ(r.stdout))];
  }

  /**
   * Merges `branch` into the branch checked out here: fast-forward when possible, else a merge commit
   * (`ffOnly` refuses anything but a fast-forward). A conflict is reported with its files, and the merge
   * is left in progress for the caller to `abortMerge()` (WorktreeLanes always does).
   */
  async merge(branch: string, opts: { ffOnly?: boolean; message?: string } = {}): Promise<MergeResult> {
    const before = await this.head();
    const target = await this.resolve(branch);
    if (!target) return { ok: false, conflict: false, detail: `branch ${branch} does not exist` };
    const args = ['merge', '--no-edit', opts.ffOnly ? '--ff-only' : '--ff'];
    if (opts.message && !opts.ffOnly) args.push('-m', opts.message);
    args.push(branch);
    const r = await this.run(args, { okExitCodes: [1, 128] });
    if (r.exitCode === 0) {
      const after = await this.head();
      return { ok: true, sha: after, fastForward: after === target && before !== after };
    }
    const files = await this.unmergedFiles();
    const detail = (r.stderr + r.stdout).trim();
    if (files.length > 0 || (await this.mergeInProgress())) return { ok: false, conflict: true, files, detail };
    return { ok: false, conflict: false, detail };
  }

  async abortMerge(): Promise<void> {
    await this.run(['merge', '--abort']);
  }

  /** Blob ids of the working-tree content of `paths` (undefined for a path that is not a file). */
  async hashWorkingFiles(paths: readonly string[]): Promise<Map<string, string | undefined>> {
    const out = new Map<string, string | undefined>();
    const files: string[] = [];
    for (const p of paths) {
      const st = await fsp.lstat(path.join(this.cwd, p)).catch(() => undefined);
      if (st && (st.isFile() || st.isSymbolicLink())) files.push(p);
      else out.set(p, undefined);
    }
    for (let i = 0; i < files.length; i += 200) {
      const chunk = files.slice(i, i + 200);
      const r = await this.run(['hash-object', '--', ...chunk]);
      const shas = r.stdout.split('\n').filter(Boolean);
      chunk.forEach((p, k) => out.set(p, shas[k]));
    }
    return out;
  }
}
