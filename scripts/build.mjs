// Builds every bundle with esbuild: the extension (CJS, `vscode` external), the engine and the ledger
// reader it requires on first use (session.js, ledger.js), the CLI and sim-claude (CJS, Node), the
// dashboard webview (IIFE, browser), and copies sql.js' wasm next to them so the runtime reads it
// from dist/ and never fetches it.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, existsSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { copyMedia } from './copy-media.mjs';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const dist = path.join(root, 'dist');
mkdirSync(dist, { recursive: true });
const production = process.argv.includes('--production');

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  external: ['vscode'],
};

const entries = [
  { in: 'src/extension.ts', out: 'extension.js' },
  // The engine, required by the extension on the first session it opens (src/vscode/lazySessionOpener.ts),
  // so activation does not load sql.js, execa or the workflow.
  { in: 'src/vscode/openSprintSession.ts', out: 'session.js' },
  // yaml + the ledger parser, required when the tree first resolves (src/vscode/lazyLedger.ts).
  { in: 'src/vscode/ledgerBundle.ts', out: 'ledger.js' },
  { in: 'src/cli/cli.ts', out: 'cli.js', banner: '#!/usr/bin/env node' },
  // The Claude CLI simulator for demos and tests (not shipped in the .vsix).
  { in: 'tools/sim-claude/simClaude.ts', out: 'sim-claude.js', banner: '#!/usr/bin/env node' },
  // The thread that owns the sql.js run database (SqlJsRunStore looks for it next to the bundle).
  { in: 'src/infra/store/storeWorker.ts', out: 'store-worker.js' },
];

const webview = { in: 'src/webview/main.ts', out: 'webview.js' };
// A listed entry that does not exist is a mistake in this list, not something to skip quietly.
const missing = [...entries, webview].filter((e) => !existsSync(path.join(root, e.in)));
if (missing.length > 0) {
  console.error(`build: ${missing.map((e) => `${e.in} (for dist/${e.out})`).join(', ')} not found. Fix: restore the file or remove its entry from scripts/build.mjs.`);
  process.exit(1);
}

const builds = [];
for (const e of entries) {
  const src = path.join(root, e.in);
  builds.push(
    esbuild.build({
      ...node,
      entryPoints: [src],
      outfile: path.join(dist, e.out),
      banner: e.banner ? { js: e.banner } : undefined,
    }).then(() => { if (e.banner) chmodSync(path.join(dist, e.out), 0o755); }),
  );
}
builds.push(esbuild.build({
  bundle: true, platform: 'browser', target: 'es2022', format: 'iife',
  sourcemap: !production, minify: production, logLevel: 'warning',
  entryPoints: [path.join(root, webview.in)], outfile: path.join(dist, webview.out),
}));
await Promise.all(builds);
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), path.join(dist, 'sql-wasm.wasm'));
copyMedia(root);
