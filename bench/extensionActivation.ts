// B6: extension activation time and bundle size, on a production build (`node scripts/build.mjs
// --production`, run in a temporary copy of the sources so dist/ of the working tree is not touched).
//
// Activation: each repeat is a fresh Node process (bench/activationHost.cjs) that loads dist/extension.js
// against a minimal *stubbed* `vscode` module injected through the require cache and calls
// activate(context) with a fake context. It measures our module evaluation plus activate(), not VS Code's
// extension-host overhead. Baseline in the same run, alternating: a minimal extension (one command, one
// log channel) loaded the same way.
//
// Size: every shipped bundle of that build (extension.js, the engine session.js and ledger reader
// ledger.js it requires on first use, webview.js, store-worker.js) + dist/sql-wasm.wasm.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { reportOf, type BenchmarkReport } from './BenchReport';
import { distribution } from './BenchStats';

const ROOT = path.join(__dirname, '..');
const HOST = path.join(__dirname, 'activationHost.cjs');
const SHIPPED = ['extension.js', 'session.js', 'ledger.js', 'webview.js', 'store-worker.js', 'sql-wasm.wasm'];
const MB = 1024 * 1024;

interface Activation {
  loadMs: number;
  activateMs: number;
  subscriptions: number;
  required: string[];
  filesRead: string[];
  missing: string[];
}

/** A production build of the current sources into `<tmp>/dist`, with the project's own build script. */
function productionBuild(tmp: string): string {
  for (const entry of ['scripts', 'src', 'media', 'package.json', 'tsconfig.json']) {
    cpSync(path.join(ROOT, entry), path.join(tmp, entry), { recursive: true });
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(tmp, 'node_modules'), 'dir');
  const res = spawnSync(process.execPath, [path.join(tmp, 'scripts', 'build.mjs'), '--production'], { cwd: tmp, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`B6: production build failed (exit ${res.status}):\n${res.stderr}`);
  return path.join(tmp, 'dist');
}

function activateOnce(bundle: string, extensionRoot: string, workspace: string, storage: string): Activation {
  const res = spawnSync(process.execPath, [HOST, bundle, extensionRoot, workspace, storage], { encoding: 'utf8' });
  const last = res.stdout.trim().split('\n').pop() ?? '';
  if (res.status !== 0 || !last.startsWith('{')) throw new Error(`B6: activation of ${bundle} failed (exit ${res.status}):\n${res.stderr}`);
  return JSON.parse(last) as Activation;
}

export async function benchExtensionActivation(reps = 15): Promise<BenchmarkReport> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'bench-activation-'));
  try {
    const dist = productionBuild(tmp);
    const sizes = SHIPPED.map((f) => ({ file: f, bytes: existsSync(path.join(dist, f)) ? statSync(path.join(dist, f)).size : Number.NaN }));
    const totalBytes = sizes.reduce((sum, s) => sum + s.bytes, 0);

    // A BMAD workspace like the ones the extension activates on (workspaceContains:**/sprint-status.yaml).
    const workspace = path.join(tmp, 'workspace');
    cpSync(path.join(ROOT, 'sample-workspace'), workspace, { recursive: true });
    const storage = path.join(tmp, 'storage');
    mkdirSync(storage);
    const minimal = path.join(tmp, 'minimal-extension.js');
    writeFileSync(
      minimal,
      [
        "const vscode = require('vscode');",
        'exports.activate = (context) => {',
        "  context.subscriptions.push(vscode.window.createOutputChannel('Minimal', { log: true }));",
        "  context.subscriptions.push(vscode.commands.registerCommand('minimal.hello', () => undefined));",
        '};',
      ].join('\n'),
    );

    activateOnce(path.join(dist, 'extension.js'), tmp, workspace, storage); // warm the page cache
    const ours: Activation[] = [];
    const base: Activation[] = [];
    for (let i = 0; i < reps; i++) {
      ours.push(activateOnce(path.join(dist, 'extension.js'), tmp, workspace, storage));
      base.push(activateOnce(minimal, tmp, workspace, storage));
    }
    const total = distribution(ours.map((a) => a.loadMs + a.activateMs));
    const load = distribution(ours.map((a) => a.loadMs));
    const activate = distribution(ours.map((a) => a.activateMs));
    const baseTotal = distribution(base.map((a) => a.loadMs + a.activateMs));
    const sample = ours[0];
    const builtins = sample.required.filter((r) => !path.isAbsolute(r));
    return reportOf(
      'B6',
      'extension activation (stubbed host) and bundle size (production build)',
      [
        {
          name: 'activation (load + activate)',
          unit: 'ms',
          value: total,
          baseline: baseTotal,
          baselineName: 'minimal extension, same stub',
          ratio: total.median / baseTotal.median,
          ratioMeaning: 'ours / minimal extension (time)',
          target: '< 50 ms',
          pass: total.median < 50,
        },
        { name: 'module load (require of dist/extension.js)', unit: 'ms', value: load },
        { name: 'activate(context)', unit: 'ms', value: activate },
        {
          name: 'bundle size (extension + session + ledger + webview + store-worker + wasm)',
          unit: 'MB',
          value: distribution([totalBytes / MB]),
          target: '< 2.5 MB',
          pass: totalBytes / MB < 2.5,
        },
      ],
      [
        'The VS Code host is STUBBED: each repeat is a fresh Node process that injects a minimal `vscode` module through the require cache (bench/activationHost.cjs) and calls activate() with a fake context on a copy of sample-workspace. The figure is our module evaluation + activate(), not VS Code\'s extension-host overhead.',
        `Production build (scripts/build.mjs --production, minified, no source maps) of the current sources in a temp copy. Sizes: ${sizes.map((s) => `${s.file} ${(s.bytes / 1024).toFixed(0)} KiB`).join(', ')}; total ${(totalBytes / MB).toFixed(2)} MB.`,
        `Loaded eagerly (Node modules required while loading and activating): ${builtins.join(', ')}. Files read: ${sample.filesRead.map((f) => path.basename(f)).join(', ')}. activate() registered ${sample.subscriptions} disposables.`,
        ...(sample.missing.length > 0 ? [`vscode API the stub lacked (returned undefined): ${sample.missing.join(', ')}.`] : []),
      ],
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
