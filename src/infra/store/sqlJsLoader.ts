// Loads sql.js with its wasm read from disk, never fetched. The bundles live in dist/ and the build
// copies sql-wasm.wasm next to them; from sources (tests) the package's own copy is used.

import * as fs from 'node:fs';
import * as path from 'node:path';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';

/** Where the wasm is looked for when no bytes are given, in order. */
export function sqlJsWasmCandidates(): string[] {
  const candidates = [path.join(__dirname, 'sql-wasm.wasm')];
  try {
    candidates.push(require.resolve('sql.js/dist/sql-wasm.wasm'));
  } catch {
    // Bundled runs have no node_modules; the first candidate is the one that counts there.
  }
  return candidates;
}

export function readSqlJsWasm(): Uint8Array {
  const candidates = sqlJsWasmCandidates();
  for (const file of candidates) {
    if (fs.existsSync(file)) return fs.readFileSync(file);
  }
  throw new Error(
    `sql-wasm.wasm not found (looked in ${candidates.join(', ')}). ` +
      'Run `npm run build`, which copies it next to the bundles in dist/, or reinstall the sql.js package.',
  );
}

// One compiled module per process (per worker thread): compiling the wasm costs ~50 ms and the module
// is stateless until a Database is created, so sharing it is safe.
let cached: Promise<SqlJsStatic> | undefined;

export function loadSqlJs(wasmBinary?: Uint8Array): Promise<SqlJsStatic> {
  if (!cached) {
    const bytes = wasmBinary ?? readSqlJsWasm();
    // sql.js' typings say ArrayBuffer; a Uint8Array view is what Emscripten actually accepts and copies.
    const wasm = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    cached = initSqlJs({ wasmBinary: wasm }).catch((err: unknown) => {
      cached = undefined;
      throw err;
    });
  }
  return cached;
}
