// Real packages from npm for the real-BMAD suite (bmad-method, @anthropic-ai/claude-code), installed once
// into ~/.cache/sprint-runner-test/<name>-<version> (XDG_CACHE_HOME / SPRINT_RUNNER_TEST_CACHE respected,
// as the VS Code test host does), through a staging folder renamed into place, so an interrupted install
// never looks finished. Once installed, nothing here touches the network.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { testCacheBase, withoutNpmScriptEnv } from '../../../scripts/testToolCache.mjs';

export { testCacheBase, withoutNpmScriptEnv };


export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? withoutNpmScriptEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (b: Buffer): void => {
      tail = (tail + b.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code === 0) resolve(tail);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail}`));
    });
  });
}

export interface CachedPackage {
  /** The install prefix (holds node_modules/). */
  prefix: string;
  /** `node_modules/.bin/<bin>`. */
  bin(name: string): string;
  /** True when this call installed it (a cold cache). */
  installedNow: boolean;
}

/** `npm install <name>@<version>` into the cache, once; later calls return the cached prefix. */
export async function cachedNpmPackage(name: string, version: string): Promise<CachedPackage> {
  const folder = path.join(testCacheBase(), `${name.replace(/^@/, '').replace(/\//g, '-')}-${version}`);
  const marker = path.join(folder, 'installed.json');
  const make = (installedNow: boolean): CachedPackage => ({ prefix: folder, bin: (b) => path.join(folder, 'node_modules', '.bin', b), installedNow });
  if (existsSync(marker)) return make(false);
  mkdirSync(path.dirname(folder), { recursive: true });
  const staging = `${folder}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await run('npm', ['install', '--prefix', staging, '--no-audit', '--no-fund', '--no-save', '--loglevel=error', `${name}@${version}`], { timeoutMs: 10 * 60_000 });
    writeFileSync(path.join(staging, 'installed.json'), `${JSON.stringify({ name, version, installedAt: new Date().toISOString() })}\n`);
    rmSync(folder, { recursive: true, force: true });
    renameSync(staging, folder);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  return make(true);
}
