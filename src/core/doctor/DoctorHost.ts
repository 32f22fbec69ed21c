// The doctor's view of the machine: the process it runs in, programs on PATH, running a program briefly.
// infra/doctor/NodeDoctorHost is the real one; tests pass their own uid, platform and environment.

export interface ProgramLocation {
  /** Absolute path of the program, when found. */
  path?: string;
  /** Found and may be executed by this user (scripts run under Node need only be readable). */
  executable: boolean;
}

export interface ProgramOutput {
  /** Undefined when the program could not be started or was killed by the time limit. */
  exitCode?: number;
  stdout: string;
  stderr: string;
  /** Why it did not run to an exit code (`ENOENT`, `EACCES`, `timed out`…). */
  error?: string;
}

export interface DoctorHost {
  readonly platform: string;
  /** Undefined where the platform has no uids (Windows). */
  readonly uid: number | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  /** Finds `command` as the agents' runner would: a path (relative to `cwd`) or a name on PATH. */
  locate(command: string, cwd: string): Promise<ProgramLocation>;
  /** Runs a program for at most `timeoutMs` with stdin closed. Never rejects. */
  run(command: string, args: readonly string[], options: { cwd: string; timeoutMs: number }): Promise<ProgramOutput>;
}
