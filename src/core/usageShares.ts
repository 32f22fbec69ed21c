// How a command's usage is counted per story. A command covering several stories (create-story of a
// pair, the batch commit) costs each of them an even share; the store, the dashboard, the tree and
// the sprint report all split it by this rule.

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
}

/** Each story's share of a command that covered `storyKeys` (a key listed twice counts once). */
export function costShareOf(storyKeys: readonly string[]): number {
  return 1 / Math.max(1, new Set(storyKeys).size);
}

/** Every token the model read or wrote, cache included. */
export function totalTokens(u: TokenCounts): number {
  return u.inputTokens + u.outputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens;
}
