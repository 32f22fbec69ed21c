// Argument parsing for the headless CLI. Pure, so every usage error is unit-tested. The options are one
// table (cliOptions.ts): which commands take each, its help line, and the setting it overrides.

import { COMMANDS, OPTIONS, type CliCommandName, type OptionSpec } from './cliOptions';
import { UsageError } from './UsageError';

import { DEFAULT_IDLE_TIMEOUT_MINUTES, DEFAULT_STEP_TIMEOUT_MINUTES } from '../core/workflow/EngineSettings';
export type CliCommand =
  | { kind: 'run'; cycles: number | 'all'; cyclesGiven: boolean; story?: string; init: boolean; common: CommonOptions }
  | { kind: 'resume'; common: CommonOptions }
  | { kind: 'status'; common: CommonOptions }
  | { kind: 'stop'; common: CommonOptions }
  | { kind: 'doctor'; common: CommonOptions }
  | { kind: 'help'; command?: CliCommandName; common?: CommonOptions }
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
  /** Values given as flags, keyed by the `sprintRunner.*` setting they override (without the prefix). */
  settings: Record<string, unknown>;
  /** Read `sprintRunner.*` from the workspace's `.vscode/settings.json` (off with `--no-settings`). */
  useSettingsFile: boolean;
}

export { UsageError };

export { USAGE } from './cliHelp';

export function parseCycles(value: string): number | 'all' {
  const v = value.trim().toLowerCase();
  if (v === 'all') return 'all';
  if (!/^\d+$/.test(v) || Number(v) < 1) {
    throw new UsageError(`--cycles must be a positive whole number or "all", got "${value}"`);
  }
  return Number(v);
}

function isCommand(s: string): s is CliCommandName {
  return (COMMANDS as readonly string[]).includes(s);
}

export function parseCliArgs(argv: readonly string[]): CliCommand {
  if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help') return { kind: 'help' };
  if (argv[0] === 'help') return argv[1] && isCommand(argv[1]) ? { kind: 'help', command: argv[1] } : { kind: 'help' };
  if (argv[0] === '--version' || argv[0] === '-v') return { kind: 'version' };
  const [command, ...rest] = argv;
  if (!isCommand(command)) {
    throw new UsageError(`unknown command "${command}" (expected ${COMMANDS.slice(0, -1).join(', ')} or ${COMMANDS[COMMANDS.length - 1]})`);
  }
  const given = new Map<OptionSpec, string[]>();
  let help = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const spec = OPTIONS.find((o) => o.flag === name);
    if (!spec) throw new UsageError(`unknown option "${arg}" for "${command}"`);
    if (!spec.commands.includes(command)) {
      throw new UsageError(
        spec.flag === '--cycles' && command === 'resume'
          ? '--cycles cannot be used with resume: a batch resumes with the cycles it was started with'
          : `${spec.flag} is not an option of "${command}"`,
      );
    }
    let value = '';
    if (spec.value) {
      value = (eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : rest[++i]) ?? '';
      if (value === '') throw new UsageError(`${spec.flag} needs a value`);
    } else if (eq > 0) {
      throw new UsageError(`${spec.flag} takes no value`);
    }
    const list = given.get(spec) ?? [];
    if (list.length > 0 && !spec.repeat) throw new UsageError(`${spec.flag} given twice`);
    given.set(spec, [...list, value]);
  }
  const one = (flag: string) => {
    const spec = OPTIONS.find((o) => o.flag === flag);
    return spec ? given.get(spec)?.[0] : undefined;
  };
  const has = (flag: string) => one(flag) !== undefined;
  const settings: Record<string, unknown> = {};
  for (const [spec, values] of given) {
    if (!spec.apply) continue;
    spec.apply(spec.repeat ? values : values[0], settings);
  }
  const common: CommonOptions = {
    workspace: one('--workspace'),
    stateDir: one('--state-dir'),
    claude: one('--claude'),
    ledger: one('--ledger'),
    json: has('--json'),
    stepTimeoutSeconds: settings['timeouts.stepMinutes'] !== undefined ? (settings['timeouts.stepMinutes'] as number) * 60 : undefined,
    idleTimeoutSeconds: settings['timeouts.idleMinutes'] !== undefined ? (settings['timeouts.idleMinutes'] as number) * 60 : undefined,
    settings,
    useSettingsFile: !has('--no-settings'),
  };
  if (help) return { kind: 'help', command, common };
  switch (command) {
    case 'run': {
      const c = one('--cycles');
      return { kind: 'run', cycles: c === undefined ? 2 : parseCycles(c), cyclesGiven: c !== undefined, story: one('--story'), init: has('--init'), common };
    }
    case 'resume':
    case 'status':
    case 'stop':
    case 'doctor':
      return { kind: command, common };
  }
}
