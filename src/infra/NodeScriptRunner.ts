// Runs BMAD helper scripts with execa: argument arrays only, `.sh` files through `sh` so a script
// without the executable bit still runs, never rejects on a non-zero exit (the caller decides).

import { loadExeca } from './git/loadExeca';
import type { ScriptResult, ScriptRunner } from '../core/workflow/ScriptRunner';

export interface NodeScriptRunnerOptions {
  /** Kill the script after this long (default 5 minutes). */
  timeoutMs?: number;
  env?: Record<string, string>;
}

export class NodeScriptRunner implements ScriptRunner {
  constructor(private readonly options: NodeScriptRunnerOptions = {}) {}

  async run(file: string, args: readonly string[], cwd: string): Promise<ScriptResult> {
    const [command, argv] = file.endsWith('.sh') ? ['sh', [file, ...args]] : [file, [...args]];
    const { execa } = await loadExeca();
    const result = await execa(command, argv, {
      cwd,
      reject: false,
      timeout: this.options.timeoutMs ?? 5 * 60_000,
      env: this.options.env,
      stdin: 'ignore',
    });
    const exitCode = typeof result.exitCode === 'number' ? result.exitCode : 1;
    const stderr = String(result.stderr ?? '');
    return {
      exitCode,
      stdout: String(result.stdout ?? ''),
      stderr: result.failed && result.exitCode === undefined ? `${stderr}${stderr ? '\n' : ''}${result.shortMessage}` : stderr,
    };
  }
}
