// 003 step 2: after create-story ∥ discovery, the project context goes into each
// `{story}-discovery-story.md` so reviewers get it without their own discovery. Without the BMAD script
// the engine appends it under one header; running it again replaces that section (idempotent, and a
// refreshed context replaces the stale one).

import type { FileSystem } from '../fs/FileSystem';

export const PROJECT_CONTEXT_HEADER = '## Project Context';
// The context itself has headings, so the injected copy is delimited by comments, not by the next heading.
const BEGIN = '<!-- sprint-runner: project-context begin -->';
const END = '<!-- sprint-runner: project-context end -->';

/**
 * The discovery text with `context` under PROJECT_CONTEXT_HEADER: appended the first time, replaced
 * between its delimiters afterwards. A header without our delimiters was written by someone else
 * (the BMAD script, a person): left alone.
 */
export function withProjectContext(discovery: string, context: string): string {
  const block = `${BEGIN}\n${context.trim()}\n${END}`;
  const b = discovery.indexOf(BEGIN);
  const e = discovery.indexOf(END, b + 1);
  if (b >= 0 && e > b) return `${discovery.slice(0, b)}${block}${discovery.slice(e + END.length)}`;
  if (discovery.split('\n').some((l) => l.trimEnd() === PROJECT_CONTEXT_HEADER)) return discovery;
  const base = discovery.trimEnd();
  return `${base}${base === '' ? '' : '\n\n'}${PROJECT_CONTEXT_HEADER}\n\n${block}\n`;
}

export async function appendProjectContext(fs: FileSystem, discoveryFile: string, contextFile: string): Promise<void> {
  const context = await fs.readText(contextFile);
  const discovery = await fs.readText(discoveryFile);
  const next = withProjectContext(discovery, context);
  if (next !== discovery) await fs.writeTextAtomic(discoveryFile, next);
}
