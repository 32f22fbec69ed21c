// Process control on Windows: the table from PowerShell's Win32_Process (pid, parent pid, creation time in
// milliseconds), trees ended with `taskkill /T` (which follows the parent links Windows keeps), single
// processes with `taskkill /F /PID`. Other processes' environments cannot be read, so step tokens are not
// searched: orphans are found by their recorded pid + creation time only. Windows has no process groups or
// sessions in the POSIX sense: group and session are 0 (never used to widen anything).

import type { ProcessControl } from './ProcessControl';
import { killEachVerified, type CommandRunner } from './processCommands';
import type { ProcStat } from './processTree';

/** One line per process: `<pid> <parent pid> <creation time as a UTC FILETIME>`. A constant script, no data in it. */
export const WIN32_PROCESS_TABLE_SCRIPT =
  "Get-CimInstance Win32_Process | ForEach-Object { $t = if ($_.CreationDate) { $_.CreationDate.ToFileTimeUtc() } else { 0 }; '{0} {1} {2}' -f $_.ProcessId, $_.ParentProcessId, $t }";
const BOOT_SCRIPT = '(Get-CimInstance Win32_OperatingSystem).LastBootUpTime.ToFileTimeUtc()';
const POWERSHELL = ['-NoProfile', '-NonInteractive', '-Command'];

/** 100-ns ticks since 1601-01-01 (FILETIME) → milliseconds since the epoch. */
export function fileTimeToEpochMs(fileTime: number): number {
  return Math.round(fileTime / 10_000 - 11_644_473_600_000);
}

export function parseWin32Table(stdout: string): ProcStat[] {
  const out: ProcStat[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (!m) continue;
    out.push({ pid: Number(m[1]), ppid: Number(m[2]), pgrp: 0, session: 0, state: 'R', startTime: fileTimeToEpochMs(Number(m[3])) });
  }
  return out;
}

export function win32ProcessControl(run: CommandRunner): ProcessControl {
  const taskkill = async (args: string[]): Promise<boolean> => (await run('taskkill', args)).code === 0;
  const control: ProcessControl = {
    platform: 'win32',
    async list() {
      return parseWin32Table((await run('powershell.exe', [...POWERSHELL, WIN32_PROCESS_TABLE_SCRIPT])).stdout);
    },
    async stat(pid) {
      return (await control.list()).find((p) => p.pid === pid);
    },
    async startTimeFloor() {
      return Date.now() - 1000;
    },
    async bootId() {
      const r = await run('powershell.exe', [...POWERSHELL, BOOT_SCRIPT]);
      const id = r.stdout.trim();
      return r.code === 0 && /^\d+$/.test(id) ? id : undefined;
    },
    async tokenBearers() {
      return undefined;
    },
    stopRoot(pid, force) {
      // Without /F taskkill asks the tree's windows to close; console programs need /F.
      return taskkill(force ? ['/T', '/F', '/PID', String(pid)] : ['/T', '/PID', String(pid)]);
    },
    kill(members) {
      return killEachVerified(control, members, (pid) => taskkill(['/T', '/F', '/PID', String(pid)]));
    },
    killEach(members) {
      return killEachVerified(control, members, (pid) => taskkill(['/F', '/PID', String(pid)]));
    },
  };
  return control;
}
