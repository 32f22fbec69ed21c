// The operating-system side of process control, behind one port: listing processes (pid, parent, group,
// session, start time), finding the processes that carry a step's token, ending what a step left and
// identifying this boot. `ClaudeProcess` (stopping a step) and `reapOrphans` (after a crash) use only this
// port; the implementation is chosen by `process.platform` and can be injected (tests drive the macOS and
// Windows paths here with recorded `ps` / PowerShell output and a recording command runner).
//
// - linux: /proc (processTree.ts) — the tested home of the CLI;
// - darwin: `ps` (ps-based walk; environments through `ps -E`, own processes only), POSIX signals;
// - win32: PowerShell's Win32_Process for the table, `taskkill /T` for trees; environments cannot be read,
//   so orphans are found by their recorded pid + creation time only.
//
// Start times are comparable only within one implementation: clock ticks since boot (linux), whole seconds
// since the epoch (darwin: `ps -o lstart`), milliseconds since the epoch (win32).

import { promises as fsp } from 'node:fs';
import { darwinProcessControl } from './darwinProcessControl';
import { execCommand, killEachVerified, type CommandRunner } from './processCommands';
import {
  findStepProcesses,
  killProcesses,
  listProcesses,
  readBootTicks,
  readProcStat,
  signalProcess,
  type ProcStat,
} from './processTree';
import { win32ProcessControl } from './win32ProcessControl';

export type ProcessPlatform = 'linux' | 'darwin' | 'win32';

export interface ProcessControl {
  readonly platform: ProcessPlatform;
  /** Every live process (zombies marked with state `Z`). */
  list(): Promise<ProcStat[]>;
  stat(pid: number): Promise<ProcStat | undefined>;
  /** A start time no later than that of any process started after this call. */
  startTimeFloor(): Promise<number>;
  /** Identity of this boot of this machine; undefined when it cannot be read. */
  bootId(): Promise<string | undefined>;
  /**
   * The processes of `all` whose environment holds STEP_TOKEN_VARIABLE=<token>, per token; undefined when
   * the platform cannot read other processes' environments (win32).
   */
  tokenBearers(all: ProcStat[], tokens: string[]): Promise<Map<string, ProcStat[]> | undefined>;
  /**
   * Asks the step's root process to stop (SIGINT; on win32 `taskkill /T /PID`, which reaches the whole tree)
   * or forces it (SIGKILL; on win32 `taskkill /T /F /PID`). Returns false when nothing could be signalled.
   */
  stopRoot(pid: number, force: boolean): Promise<boolean>;
  /**
   * Ends `members` (each re-verified live by pid + start time just before it is signalled; on linux/darwin
   * their groups first, as the step's tree is spread over the sessions its tools made). Returns the pids ended.
   */
  kill(members: ProcStat[]): Promise<number[]>;
  /** Ends exactly these processes, one by one, each re-verified live (pid + start time); no group, no tree. */
  killEach(members: ProcStat[]): Promise<number[]>;
}

export const linuxProcessControl: ProcessControl = {
  platform: 'linux',
  list: listProcesses,
  stat: readProcStat,
  startTimeFloor: readBootTicks,
  async bootId() {
    try {
      return (await fsp.readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim() || undefined;
    } catch {
      return undefined;
    }
  },
  tokenBearers: findStepProcesses,
  async stopRoot(pid, force) {
    return signalProcess(pid, force ? 'SIGKILL' : 'SIGINT');
  },
  kill: killProcesses,
  killEach(members) {
    return killEachVerified(linuxProcessControl, members);
  },
};

/** The implementation for `platform` (default: this process's); other platforms fall back to the POSIX `ps` one. */
export function processControlFor(platform: NodeJS.Platform = process.platform, run: CommandRunner = execCommand): ProcessControl {
  if (platform === 'linux') return linuxProcessControl;
  if (platform === 'win32') return win32ProcessControl(run);
  return darwinProcessControl(run);
}
export type { CommandRunner } from './processCommands';
