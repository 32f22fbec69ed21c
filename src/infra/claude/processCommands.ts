// What the non-/proc process controls share: running a system tool (`ps`, `taskkill`, PowerShell) with an
// argument array, and signalling processes one by one after re-checking their identity.

import { execFile } from 'node:child_process';
import type { ProcStat } from './processTree';

/** Runs a program (argument array, never a shell) and collects its stdout. */
export type CommandRunner = (file: string, args: readonly string[], env?: NodeJS.ProcessEnv) => Promise<{ code: number | null; stdout: string }>;

export const execCommand: CommandRunner = (file, args, env) =>
  new Promise((resolve) => {
    execFile(file, [...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, windowsHide: true, env: env ?? process.env }, (err, stdout) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
      resolve({ code, stdout: String(stdout ?? '') });
    });
  });

function killOne(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** Signals each member that is still the same process (pid + start time), looked up in one fresh table. */
export async function killEachVerified(control: { list(): Promise<ProcStat[]> }, members: ProcStat[], signal: (pid: number) => boolean | Promise<boolean> = killOne): Promise<number[]> {
  if (members.length === 0) return [];
  const live = new Map((await control.list()).map((p) => [p.pid, p]));
  const killed: number[] = [];
  for (const m of members) {
    const now = live.get(m.pid);
    if (!now || now.startTime !== m.startTime || now.state === 'Z' || m.pid === process.pid || m.pid <= 1) continue;
    if (await signal(m.pid)) killed.push(m.pid);
  }
  return killed;
}

