// Argument parsing for the headless CLI. Pure, so every usage error is unit-tested.

export type CliCommand =
  | { kind: 'run'; cycles: number | 'all'; cyclesGiven: boolean; story?: string; init: boolean; common: CommonOptions }
  | { kind: 'resume'; common: CommonOptions }
  | { kind: 'status'; common: CommonOptions }
  | { kind: 'stop'; common: CommonOptions }
  | { kind: 'help' }
  | { kind: 'version' };

export interface CommonOptions {
  workspace?: string;
  stateDir?: string;
  claude?: string;
  ledger?: string;
  json: boolean;
  /** Seconds an agent may run in total / stay silent before it is stopped. */
  stepTimeoutSeconds?: number;
  idleTimeoutSeconds?: number;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: sprint-runner <command> [options]

Commands:
  run      Run cycles of the sprint (default 2 cycles)
  resume   Continue the interrupted batch with the options it was started with
  status   Show the latest batch, stories, tokens and cost
  stop     Ask a run in the same state folder to stop gracefully

Options:
  --cycles N|all     Cycles to run (run only; default 2)
  --story KEY        Start the first cycle with this story (run only)
  --init             Create sprint-status.yaml from BMAD's template; refused when one exists (run only)
  --workspace DIR    BMAD workspace root (default: current folder)
  --state-dir DIR    State folder (default: <workspace>/.sprint-runner)
  --ledger FILE      Use this sprint-status.yaml (relative to the workspace) instead of discovering it
  --claude PATH      Claude-compatible command to run (default: env SPRINT_RUNNER_CLAUDE, else "claude")
  --step-timeout S   Stop an agent that runs longer than S seconds (default 3600)
  --idle-timeout S   Stop an agent that prints nothing for S seconds (default 900)
  --json             Print one JSON object per event (run/resume) or the status as JSON
  -h, --help         Show this help
  --version          Show the version

Exit codes: 0 done, 1 run failed, 2 bad input or configuration, 3 stopped or paused.`;

const VALUE_FLAGS = new Set(['--cycles', '--story', '--workspace', '--state-dir', '--claude', '--ledger', '--step-timeout', '--idle-timeout']);

function parseSeconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number of seconds, got "${value}"`);
  return n;
}
const BOOL_FLAGS = new Set(['--json', '--init']);

export function parseCycles(value: string): number | 'all' {
  const v = value.trim().toLowerCase();
  if (v === 'all') return 'all';
  if (!/^\d+$/.test(v) || Number(v) < 1) {
    throw new UsageError(`--cycles must be a positive whole number or "all", got "${value}"`);
  }
  return Number(v);
}

export function parseCliArgs(argv: readonly string[]): CliCommand {
  if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help' || argv[0] === 'help') return { kind: 'help' };
  if (argv[0] === '--version' || argv[0] === '-v') return { kind: 'version' };
  const [command, ...rest] = argv;
  if (!['run', 'resume', 'status', 'stop'].includes(command)) {
    throw new UsageError(`unknown command "${command}" (expected run, resume, status or stop)`);
  }
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (VALUE_FLAGS.has(name)) {
      const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : rest[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
      if (values.has(name)) throw new UsageError(`${name} given twice`);
      values.set(name, value);
    } else if (BOOL_FLAGS.has(arg)) {
      flags.add(arg);
    } else {
      throw new UsageError(`unknown option "${arg}" for "${command}"`);
    }
  }
  const common: CommonOptions = {
    workspace: values.get('--workspace'),
    stateDir: values.get('--state-dir'),
    claude: values.get('--claude'),
    ledger: values.get('--ledger'),
    json: flags.has('--json'),
    stepTimeoutSeconds: parseSeconds('--step-timeout', values.get('--step-timeout')),
    idleTimeoutSeconds: parseSeconds('--idle-timeout', values.get('--idle-timeout')),
  };
  const only = (flag: string, allowed: string[]) => {
    if ((values.has(flag) || flags.has(flag)) && !allowed.includes(command)) {
      throw new UsageError(
        flag === '--cycles' && command === 'resume'
          ? '--cycles cannot be used with resume: a batch resumes with the cycles it was started with'
          : `${flag} is not an option of "${command}"`,
      );
    }
  };
  only('--cycles', ['run']);
  only('--story', ['run']);
  only('--init', ['run']);
  only('--claude', ['run', 'resume']);
  only('--step-timeout', ['run', 'resume']);
  only('--idle-timeout', ['run', 'resume']);
  switch (command) {
    case 'run': {
      const c = values.get('--cycles');
      return { kind: 'run', cycles: c === undefined ? 2 : parseCycles(c), cyclesGiven: c !== undefined, story: values.get('--story'), init: flags.has('--init'), common };
    }
    case 'resume':
      return { kind: 'resume', common };
    case 'status':
      return { kind: 'status', common };
    default:
      return { kind: 'stop', common };
  }
}
