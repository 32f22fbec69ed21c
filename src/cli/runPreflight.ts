// What `run` checks and says before the first agent is paid to run: every ledger problem (as `status`
// lists them), and that `--story` names a story the ledger has.

import type { LedgerSnapshot } from '../core/ledger/LedgerTypes';

/** `--story` names no story of the ledger: bad input (exit 2), found before any agent runs. */
export class UnknownStoryError extends Error {
  override readonly name = 'UnknownStoryError';
}

/** The ledger's problems as `status` prints them: `warning: <file>:<line>:<col>: <message>`. */
export function ledgerProblemLines(snapshot: LedgerSnapshot): string[] {
  return snapshot.problems.map((p) => `warning: ${p.file}:${p.line}:${p.col}: ${p.message}`);
}

/** Throws UnknownStoryError unless `storyKey` is a story of the ledger (exact key, as the engine needs it). */
export function checkStartStory(snapshot: LedgerSnapshot, storyKey: string | undefined): void {
  if (storyKey === undefined || snapshot.stories.some((s) => s.key === storyKey)) return;
  const near = snapshot.stories.filter((s) => s.shortId === storyKey || s.key.startsWith(storyKey) || storyKey.startsWith(s.key)).map((s) => s.key);
  throw new UnknownStoryError(
    `--story ${JSON.stringify(storyKey)}: ${snapshot.path} has no story with this key. ` +
      (near.length > 0 ? `Fix: give the whole key, e.g. --story ${near[0]}.` : 'Fix: give a story key exactly as written in the ledger (see `sprint-runner status`).'),
  );
}
