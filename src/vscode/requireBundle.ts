// Requires one of the extension's own bundles (dist/session.js, dist/ledger.js) from the folder of the
// running bundle, on first use. The path is computed, so esbuild leaves the require alone instead of
// inlining the module into dist/extension.js (activation stays under 50 ms).

import * as path from 'node:path';

/** How a bundle file becomes a module (Node's require; tests may pass their own). */
export type BundleLoader = (file: string) => unknown;

const nodeRequire: BundleLoader = (file) => require(file) as unknown;

/**
 * `<bundleDir>/<name>`, checked to export the function `expected` (so a stale or foreign file is named, not
 * half-used). Errors name the file, the cause and the fix.
 */
export function requireBundle<T extends object>(bundleDir: string, name: string, expected: keyof T & string, load: BundleLoader = nodeRequire): T {
  const file = path.join(bundleDir, name);
  let loaded: unknown;
  try {
    loaded = load(file);
  } catch (err) {
    throw new Error(
      `${file}: cannot load this part of Sprint Runner (${(err as Error).message}). ` +
        `Rebuild with \`npm run build\`, which writes dist/${name} next to dist/extension.js, or reinstall the extension.`,
    );
  }
  if (typeof loaded !== 'object' || loaded === null || typeof (loaded as Record<string, unknown>)[expected] !== 'function') {
    throw new Error(`${file}: does not export ${expected}; it is not the bundle scripts/build.mjs writes. Rebuild with \`npm run build\`.`);
  }
  return loaded as T;
}
