// 003 step 2: after create-story ∥ discovery, the project context goes into each
// `{story}-discovery-story.md` so reviewers get it without their own discovery. Without the BMAD script
// the engine appends it under one header; running it again replaces that section (idempotent, and a
// refreshed context replaces the stale one).

import type { FileSystem } from '../fs/FileSystem';

export const PROJECT_CONTEXT_HEADER = '## Project Context';

/** Returns the new discovery text with `context` under PROJECT_CONTEXT_HEADER (replacing an earlier copy). */
export function withProjectContext(discovery: string, context: string): string {
  const section = `${PROJECT_CONTEXT_HEADER}\n\n${context.trim()}\n`;
  const lines = discovery.split('\n');
  const start = lines.findIndex((l) => l.trimEnd() === PROJECT_CONTEXT_HEADER);
  if (start < 0) {
    const base = discovery.trimEnd();
    return base === '' ? section : `${base}\n\n${section}`;
  }
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    if (/^#{1,2} /.test(lines[i])) {
      end = i;
      break;
    }
  }
  const before = lines.slice(0, start).join('\n');
  const after = lines.slice(end).join('\n');
  return `${before}${before ? '\n' : ''}${section}${after ? `\n${after}` : ''}`;
}

export async function appendProjectContext(fs: FileSystem, discoveryFile: string, contextFile: string): Promise<void> {
  const context = await fs.readText(contextFile);
  const discovery = await fs.readText(discoveryFile);
  const next = withProjectContext(discovery, context);
  if (next !== discovery) await fs.writeTextAtomic(discoveryFile, next);
}
