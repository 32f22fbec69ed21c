// The doctor's port on Node: PATH lookup as the agents' spawn does it, and short read-only program runs
// (`claude --version`, `claude auth status`, `git rev-parse`) with argument arrays, never a shell.

import { execFile } from 'node:child_process';
import { constants, promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DoctorHost, ProgramLocation, ProgramOutput } from '../../core/doctor/DoctorHost';

const SCRIPT = /\.(c|m)?js$/i;

export interface NodeDoctorHostOptions {
  env?: NodeJS.ProcessEnv;
  /** Tests stand in for another user or platform. */
  uid?: number | undefined;
  platform?: string;
  homeDir?: string;
}

export class NodeDoctorHost implements DoctorHost {
  readonly platform: string;
  readonly uid: number | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly homeDir: string;

  constructor(o: NodeDoctorHostOptions = {}) {
    this.env = o.env ?? process.env;
    this.platform = o.platform ?? process.platform;
    this.uid = 'uid' in o ? o.uid : process.getuid?.();
    this.homeDir = o.homeDir ?? this.env.HOME ?? this.env.USERPROFILE ?? os.homedir();
  }

  async locate(command: string, cwd: string): Promise<ProgramLocation> {
    if (command.includes('/') || command.includes('\\') || path.isAbsolute(command)) {
      return this.probe(path.resolve(cwd, command));
    }
    const dirs = (this.env.PATH ?? this.env.Path ?? '').split(path.delimiter).filter(Boolean);
    const extensions = this.platform === 'win32' ? ['', ...(this.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').map((e) => e.toLowerCase())] : [''];
    let notExecutable: ProgramLocation | undefined;
    for (const dir of dirs) {
      for (const ext of extensions) {
        const found = await this.probe(path.join(dir, command + ext));
        if (found.executable) return found;
        if (found.path && !notExecutable) notExecutable = found;
      }
    }
    return notExecutable ?? { executable: false };
  }

  private async probe(file: string): Promise<ProgramLocation> {
    const st = await fsp.stat(file).catch(() => undefined);
    if (!st?.isFile()) return { executable: false };
    // A script runs under this process's Node (as the agents' runner does): readable is enough.
    const mode = SCRIPT.test(file) ? constants.R_OK : constants.X_OK;
    const ok = await fsp.access(file, mode).then(
      () => true,
      () => false,
    );
    return { path: file, executable: ok };
  }

  run(command: string, args: readonly string[], options: { cwd: string; timeoutMs: number }): Promise<ProgramOutput> {
    const script = SCRIPT.test(command);
    const file = script ? process.execPath : command;
    const argv = script ? [path.resolve(options.cwd, command), ...args] : [...args];
    const env = script ? { ...this.env, ELECTRON_RUN_AS_NODE: '1' } : this.env;
    return new Promise((resolve) => {
      const child = execFile(file, argv, { cwd: options.cwd, env, timeout: options.timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: string | number }) | null;
        if (!e) return resolve({ exitCode: 0, stdout: String(stdout), stderr: String(stderr) });
        if (typeof e.code === 'number') return resolve({ exitCode: e.code, stdout: String(stdout), stderr: String(stderr) });
        resolve({ stdout: String(stdout ?? ''), stderr: String(stderr ?? ''), error: e.killed ? 'timed out' : (e.code ?? e.message) });
      });
      child.stdin?.end();
    });
  }
}
