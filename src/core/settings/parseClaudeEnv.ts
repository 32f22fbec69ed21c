// The SPRINT_RUNNER_CLAUDE environment variable, read without a shell.

/**
 * `SPRINT_RUNNER_CLAUDE` is a path to an executable, or a JSON array `["node", "/x/sim-claude.js"]`
 * for a command with arguments (never split on spaces: paths may contain them).
 */
export function parseClaudeEnv(value: string): { command: string; args: string[] } | undefined {
  const v = value.trim();
  if (!v) return undefined;
  if (v.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(v);
      if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((x) => typeof x === 'string')) {
        return { command: parsed[0] as string, args: parsed.slice(1) as string[] };
      }
    } catch {
      // Not JSON after all: treat it as a path below.
    }
  }
  return { command: v, args: [] };
}
