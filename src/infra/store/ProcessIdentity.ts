// A process is identified by its pid AND its start time, so a pid the kernel reused for another process
// is not mistaken for the one we recorded (Linux: /proc/<pid>/stat field 22, in clock ticks since boot).

import * as fs from 'node:fs';

/** Start time of `pid`, or undefined when no such process exists (or /proc is not available). */
export function readProcessStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (comm) is in parentheses and may contain spaces or ')': split after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field 22 is rest[19].
  const startTime = rest[19];
  return startTime && /^\d+$/.test(startTime) ? startTime : undefined;
}

/** Whether a process with this pid exists (signal 0 probes without signalling). */
export function pidExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process we recorded is still the one running under that pid. Without a recorded start
 * time (or without /proc) only the pid can be checked.
 */
export function isRecordedProcessAlive(pid: number, startTime: string | null | undefined): boolean {
  if (!pidExists(pid)) return false;
  if (!startTime) return true;
  const now = readProcessStartTime(pid);
  return now === undefined ? true : now === startTime;
}
