// What the engine checks before it believes an agent that says it finished (exit 0, clean result):
// each step leaves evidence on disk or in the ledger, and a step without its evidence is not a success.
// An agent that stopped short of it is continued in its own session with the autonomous-mode reminder.

import type { GitSnapshot } from './GitPort';
import { PROGRESS_LOG_FILE } from './GitPort';
import type { RunContext } from './RunContext';
import type { CycleContext, StoryRef } from './RunTypes';

/** 003 rule 4: what an agent that hesitates or asks for input is told, in its own session. */
export const REMINDER_PHRASE = 'AUTONOMOUS MODE: Take the decision yourself. Choose the most thorough option. Proceed without confirmation.';

/** The prompt of a reminder: the phrase, then what the step still lacks (so the agent knows what "done" means). */
export function reminderPrompt(missing: string): string {
  return `${REMINDER_PHRASE}\n\nThe step is not finished yet: ${missing}`;
}

/** The last lines end with a question, or ask for a choice or a confirmation. */
export function asksAQuestion(output: string): boolean {
  const tail = output.trim().slice(-600);
  return /\?\s*(\**\s*)?$/.test(tail) || /\b(would you like|do you want|shall I|should I|please confirm|let me know|which option|waiting for your)\b/i.test(tail);
}

/** The story file create-story must write: `{story dir}/<key>.md`, naming the story (its key or short id). */
export async function storyFileEvidence(run: RunContext, cc: CycleContext, stories: readonly StoryRef[]): Promise<string | undefined> {
  const problems: string[] = [];
  for (const s of stories) {
    const file = storyFilePath(run, cc, s);
    if (!(await run.deps.fs.exists(file))) {
      problems.push(`the story file ${file} does not exist`);
      continue;
    }
    const text = (await run.deps.fs.readText(file)).toLowerCase();
    if (!text.includes(s.key.toLowerCase()) && !text.includes(s.shortId.toLowerCase())) {
      problems.push(`the story file ${file} does not name the story (neither ${s.key} nor ${s.shortId} appears in it)`);
    }
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** Where the agent was told to write story files: SPRINT_RUNNER_STORY_DIR when the session sets one, else the step's artifacts folder. */
export function storyFilePath(run: RunContext, cc: CycleContext, s: StoryRef): string {
  const configured = cc.lane ? undefined : run.deps.env?.SPRINT_RUNNER_STORY_DIR;
  return `${configured ?? cc.layout.implementationArtifacts}/${s.key}.md`;
}

export function techSpecPath(cc: CycleContext, s: StoryRef): string {
  return `${cc.layout.implementationArtifacts}/tech-spec-${s.key}.md`;
}

/** The tech spec create-tech-spec must write. */
export async function techSpecEvidence(run: RunContext, cc: CycleContext, s: StoryRef): Promise<string | undefined> {
  const file = techSpecPath(cc, s);
  return (await run.deps.fs.exists(file)) ? undefined : `the tech spec ${file} does not exist`;
}

/**
 * dev-story: the story moved to `review` in the ledger the agent works in and, when git is available, the
 * working tree changed since the step started (the ledger and the progress log do not count as work).
 */
export async function devStoryEvidence(
  run: RunContext,
  cc: CycleContext,
  s: StoryRef,
  before: GitSnapshot | null,
  cwd: string,
): Promise<string | undefined> {
  const problems: string[] = [];
  const now = (await cc.agentLedger.read()).stories.find((x) => x.key === s.key)?.status;
  if (now !== 'review' && now !== 'done') problems.push(`${s.key} is at "${now ?? 'missing'}" in ${cc.agentLedger.path}, not "review"`);
  const git = run.deps.git;
  if (git && before) {
    let after: GitSnapshot | undefined;
    try {
      after = await git.snapshot(cwd);
    } catch {
      after = undefined;
    }
    if (after && !treeChanged(before, after, cc.agentLedger.path, cwd)) problems.push(`nothing changed in the working tree ${cwd}`);
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** A new commit, or any dirty path (or its content) other than the ledger and the progress log that differs. */
export function treeChanged(before: GitSnapshot, after: GitSnapshot, ledgerPath: string, cwd: string): boolean {
  if (before.head !== after.head) return true;
  const ledgerRel = ledgerPath.startsWith(cwd + '/') ? ledgerPath.slice(cwd.length + 1) : ledgerPath;
  const ignored = (p: string): boolean => p === ledgerRel || p === PROGRESS_LOG_FILE || ledgerPath.endsWith(`/${p}`);
  const state = (snap: GitSnapshot): string =>
    snap.dirty
      .filter((d) => !ignored(d.path))
      .map((d) => `${d.path}\u0000${d.code}\u0000${d.blob ?? ''}`)
      .sort()
      .join('\n');
  return state(before) !== state(after);
}
