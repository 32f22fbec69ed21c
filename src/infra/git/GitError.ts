// A git command that failed. Carries git's own stderr; the message names the command, the folder, the
// cause (git's words) and, when known, the fix.

export class GitError extends Error {
  override readonly name = 'GitError';

  constructor(
    readonly args: readonly string[],
    readonly cwd: string,
    readonly exitCode: number | undefined,
    readonly stderr: string,
    hint?: string,
  ) {
    const cause = stderr.trim() || `exit code ${exitCode ?? 'unknown'}`;
    super(`git ${args.join(' ')} failed in ${cwd}: ${cause}${hint ? `. Fix: ${hint}` : ''}`);
  }
}
