// execa 9 is ESM-only. A dynamic import works in every place this code runs: the esbuild CJS bundle
// (bundled), and plain Node + tsx/cjs in tests (native import()); a static import breaks under tsx/cjs
// because execa's dependencies export no `require` condition.

export type ExecaModule = typeof import('execa');

let loaded: Promise<ExecaModule> | undefined;

export function loadExeca(): Promise<ExecaModule> {
  loaded ??= import('execa');
  return loaded;
}
