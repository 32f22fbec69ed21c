// Process control on macOS (and other POSIX systems without /proc): a `ps`-based walk. `ps -A -o
// pid=,ppid=,pgid=,stat=,lstart=` gives the table (start times in whole seconds, read in UTC with the C
// locale), `ps -E` the environments of our own processes (where the step token is found), `sysctl
// kern.boottime` the boot's identity. Signals are POSIX: groups first, then each process, every one
// re-verified by pid + start time in a fresh table just before.

import type { ProcessControl } from './ProcessControl';
import { killEachVerified, type CommandRunner } from './processCommands';
import { STEP_TOKEN_VARIABLE, trySignal, type ProcStat } from './processTree';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Fri Dec  4 18:13:48 2026` (C locale, UTC) → seconds since the epoch; undefined when unreadable. */
export function parseLstart(text: string): number | undefined {
  const m = /^\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})$/.exec(text.trim());
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1]);
  if (month < 0) return undefined;
  return Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) / 1000;
}

/** Parses `ps -A -o pid=,ppid=,pgid=,stat=,lstart=` output. The session is not printed by macOS' ps: the group stands in. */
export function parsePsTable(stdout: string): ProcStat[] {
  const out: ProcStat[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.+)$/.exec(line);
    if (!m) continue;
    const startTime = parseLstart(m[5]);
    if (startTime === undefined) continue;
    const pgrp = Number(m[3]);
    out.push({ pid: Number(m[1]), ppid: Number(m[2]), pgrp, session: pgrp, state: m[4].charAt(0), startTime });
  }
  return out;
}

/** The pids of `ps -A -E -ww -o pid=,command=` lines whose environment holds `NAME=value` exactly. */
export function pidsWithEnvEntry(stdout: string, entry: string): Set<number> {
  const found = new Set<number>();
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s(.*)$/.exec(line);
    if (!m) continue;
    const at = m[2].indexOf(` ${entry}`);
    if (at === -1) continue;
    const after = m[2].charAt(at + 1 + entry.length);
    if (after === '' || after === ' ') found.add(Number(m[1]));
  }
  return found;
}

const PS_ENV = { ...process.env, LC_ALL: 'C', TZ: 'UTC' };
const TABLE_COLUMNS = ['-o', 'pid=,ppid=,pgid=,stat=,lstart='];

const signal = trySignal;

export function darwinProcessControl(run: CommandRunner): ProcessControl {
  const control: ProcessControl = {
    platform: 'darwin',
    async list() {
      return parsePsTable((await run('ps', ['-A', ...TABLE_COLUMNS], PS_ENV)).stdout);
    },
    async stat(pid) {
      return parsePsTable((await run('ps', ['-p', String(pid), ...TABLE_COLUMNS], PS_ENV)).stdout).find((p) => p.pid === pid);
    },
    async startTimeFloor() {
      return Math.floor(Date.now() / 1000) - 1;
    },
    async bootId() {
      const r = await run('sysctl', ['-n', 'kern.boottime'], PS_ENV);
      const m = /\{[^}]*\}/.exec(r.stdout);
      return r.code === 0 && m ? m[0] : undefined;
    },
    async tokenBearers(all, tokens) {
      const found = new Map<string, ProcStat[]>(tokens.map((t) => [t, []]));
      if (tokens.length === 0) return found;
      const text = (await run('ps', ['-A', '-E', '-ww', '-o', 'pid=,command='], PS_ENV)).stdout;
      const byPid = new Map(all.map((p) => [p.pid, p]));
      for (const t of tokens) {
        for (const pid of pidsWithEnvEntry(text, `${STEP_TOKEN_VARIABLE}=${t}`)) {
          const p = byPid.get(pid);
          if (p && p.state !== 'Z' && pid !== process.pid && pid > 1) found.get(t)?.push(p);
        }
      }
      return found;
    },
    async stopRoot(pid, force) {
      return signal(pid, force ? 'SIGKILL' : 'SIGINT');
    },
    async kill(members) {
      const table = await control.list();
      const self = table.find((p) => p.pid === process.pid);
      const banned = new Set([0, 1, process.pid, ...(self ? [self.pgrp] : [])]);
      const live = new Map(table.map((p) => [p.pid, p]));
      const alive = members.filter((m) => {
        const now = live.get(m.pid);
        return now !== undefined && now.startTime === m.startTime && now.state !== 'Z' && !banned.has(m.pid);
      });
      const groups = new Set<number>();
      for (const g of new Set(alive.map((m) => m.pgrp))) if (!banned.has(g) && signal(-g, 'SIGKILL')) groups.add(g);
      return alive.filter((m) => signal(m.pid, 'SIGKILL') || groups.has(m.pgrp)).map((m) => m.pid);
    },
    killEach(members) {
      return killEachVerified(control, members);
    },
  };
  return control;
}
