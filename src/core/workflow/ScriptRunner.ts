// Runs the optional BMAD helper scripts (`_bmad/scripts/*.sh`). Injected so the engine runs in plain
// Node tests; infra/NodeScriptRunner is the real one.

export interface ScriptResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ScriptRunner {
  /** Runs `file` with `args` (an argument array, never a shell string) in `cwd`. Never rejects on a non-zero exit. */
  run(file: string, args: readonly string[], cwd: string): Promise<ScriptResult>;
}
