// Compiles test/integration/*.ts into out/test/integration/ (CJS, `vscode` and `mocha` external) so
// the extension host can load them: index.js is the entry (`run()`), each *.test.js a suite file.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

export async function buildIntegrationTests(root) {
  const srcDir = path.join(root, 'test', 'integration');
  const outDir = path.join(root, 'out', 'test', 'integration');
  rmSync(outDir, { recursive: true, force: true });
  const entryPoints = readdirSync(srcDir)
    .filter((f) => f === 'index.ts' || f.endsWith('.test.ts'))
    .map((f) => path.join(srcDir, f));
  await esbuild.build({
    entryPoints,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'warning',
    external: ['vscode', 'mocha'],
  });
  return outDir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  await buildIntegrationTests(root);
}
