// Copies the codicon font and stylesheet into media/codicons/ so the webview loads them from the
// extension's own folder (its CSP allows nothing else).
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export function copyMedia(root) {
  const target = path.join(root, 'media', 'codicons');
  mkdirSync(target, { recursive: true });
  const css = require.resolve('@vscode/codicons/dist/codicon.css');
  for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(path.join(path.dirname(css), file), path.join(target, file));
}
