// Test support: the macOS and Windows process tools, answered from this Linux machine's /proc, so the
// darwin and win32 ProcessControl paths run against real processes here. `ps` prints what macOS' ps prints
// (C locale, UTC, start times to the second); PowerShell's Win32_Process table and `taskkill` behave like
// Windows' (creation times in FILETIME, `/T` ends the tree by parent pid, `/F` is needed for console
// programs). Every invocation is recorded, argv as given.

import { readdirSync, readFileSync } from 'node:fs';
import type { CommandRunner } from '../../../../src/infra/claude/ProcessControl';
import { parseProcStat, type ProcStat } from '../../../../src/infra/claude/processTree';
import { WIN32_PROCESS_TABLE_SCRIPT } from '../../../../src/infra/claude/win32ProcessControl';

export interface Invocation {
  file: string;
  args: string[];
}

const BOOT_SECONDS = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function procTable(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = parseProcStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (s) out.push(s);
    } catch {
      // gone
    }
  }
  return out;
}

/** Epoch milliseconds of a /proc start time (clock ticks since boot, 100 per second). */
const startMs = (p: ProcStat): number => BOOT_SECONDS * 1000 + p.startTime * 10;

/** `Fri Dec  4 18:13:48 2026`, as macOS' ps prints lstart in the C locale with TZ=UTC. */
export function lstart(epochMs: number): string {
  const d = new Date(Math.floor(epochMs / 1000) * 1000);
  const hms = [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${hms} ${d.getUTCFullYear()}`;
}

function psLine(p: ProcStat): string {
  return `${String(p.pid).padStart(5)} ${String(p.ppid).padStart(5)} ${String(p.pgrp).padStart(5)} ${p.state}s   ${lstart(startMs(p))}`;
}

function envLine(pid: number): string | undefined {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).join(' ');
    return `${String(pid).padStart(5)} ${cmd} ${env}`;
  } catch {
    return undefined; // another user's process: macOS' ps -E shows no environment either
  }
}

/** What macOS' `ps` and `sysctl` would print, for the invocations darwinProcessControl makes. */
export function fakeDarwinTools(calls: Invocation[] = []): CommandRunner {
  return async (file, args) => {
    calls.push({ file, args: [...args] });
    const a = args.join(' ');
    if (file === 'sysctl' && a === '-n kern.boottime') return { code: 0, stdout: `{ sec = ${BOOT_SECONDS}, usec = 0 } Thu Jan  1 00:00:00 2026\n` };
    if (file !== 'ps') return { code: 127, stdout: '' };
    if (a === '-A -o pid=,ppid=,pgid=,stat=,lstart=') return { code: 0, stdout: `${procTable().map(psLine).join('\n')}\n` };
    const one = /^-p (\d+) -o pid=,ppid=,pgid=,stat=,lstart=$/.exec(a);
    if (one) {
      const p = procTable().find((q) => q.pid === Number(one[1]));
      return p ? { code: 0, stdout: `${psLine(p)}\n` } : { code: 1, stdout: '' };
    }
    if (a === '-A -E -ww -o pid=,command=') return { code: 0, stdout: `${procTable().map((p) => envLine(p.pid)).filter(Boolean).join('\n')}\n` };
    return { code: 1, stdout: '' };
  };
}

const toFileTime = (epochMs: number): bigint => (BigInt(epochMs) + 11_644_473_600_000n) * 10_000n;

function kill(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/**
 * What Windows' PowerShell and taskkill would do. `taskkill /T` ends the pid and its descendants by parent
 * pid; without `/F` a console program refuses (exit 1), as on Windows.
 */
export function fakeWindowsTools(calls: Invocation[] = []): CommandRunner {
  return async (file, args) => {
    calls.push({ file, args: [...args] });
    if (file === 'powershell.exe' && args[args.length - 1] === WIN32_PROCESS_TABLE_SCRIPT) {
      const lines = procTable()
        .filter((p) => p.state !== 'Z')
        .map((p) => `${p.pid} ${p.ppid} ${toFileTime(startMs(p))}`);
      return { code: 0, stdout: `${lines.join('\r\n')}\r\n` };
    }
    if (file === 'powershell.exe' && /LastBootUpTime/.test(args[args.length - 1])) return { code: 0, stdout: `${toFileTime(BOOT_SECONDS * 1000)}\r\n` };
    if (file !== 'taskkill') return { code: 1, stdout: '' };
    const pid = Number(args[args.indexOf('/PID') + 1]);
    if (!args.includes('/F')) return { code: 1, stdout: '' };
    const table = procTable();
    const targets = [pid];
    if (args.includes('/T')) {
      for (let i = 0; i < targets.length; i++) for (const p of table) if (p.ppid === targets[i] && !targets.includes(p.pid)) targets.push(p.pid);
    }
    const ended = targets.filter(kill);
    return { code: ended.includes(pid) ? 0 : 128, stdout: '' };
  };
}
