// The outcome of one quality gate (a configured command such as `npm test`) run in a story's cwd.

export interface GateResult {
  /** Display name (configured, or the command line). */
  name: string;
  ok: boolean;
  /** null when the command was killed (timeout) or could not start. */
  exitCode: number | null;
  /** Combined stdout+stderr, bounded (head and tail kept, the middle elided with a marker). */
  output: string;
  durationMs: number;
  timedOut?: boolean;
  /** Why it could not run at all (command not found, bad cwd). */
  error?: string;
}
