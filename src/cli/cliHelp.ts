// `--help` text: the overview, and one page per command listing only the options that command takes.

import { COMMANDS, OPTIONS, type CliCommandName, type OptionSpec } from './cliOptions';

const SUMMARY: Record<CliCommandName, string> = {
  run: 'Run cycles of the sprint (default 2 cycles)',
  resume: 'Continue the interrupted batch with the options it was started with',
  status: 'Show the latest batch, stories, tokens and cost (exit 1 when the run history is damaged)',
  stop: 'Ask a run in the same state folder to stop gracefully',
  doctor: 'Check the setup (Claude CLI, login, permissions, BMAD, ledger, git, platform) without spending anything',
};

const DETAIL: Record<CliCommandName, string> = {
  run:
    'Checks the setup first (as `sprint-runner doctor` does) and exits 2 before anything is written or any agent\n' +
    'starts when a check fails. Then runs the cycles, each: create-story → story review → tech-spec → dev-story →\n' +
    'code-review loop → batch commit.',
  resume: 'Checks the setup first, like run. Continues the batch a stop, a pause or a crash interrupted.',
  status: 'Reads the state folder only; works while a run is active.',
  stop: 'Asks the run holding the state folder to stop its agents and keep its state (resume continues it).',
  doctor: 'Exit 0 when no check fails (warnings are allowed), 2 when one does. Every failure says how to fix it.',
};

const GROUPS: Record<OptionSpec['group'], string> = {
  run: 'Run',
  where: 'Workspace',
  agents: 'Agents',
  reviews: 'Reviews and budgets',
  git: 'Git and quality gates',
  containers: 'Containers',
  output: 'Output',
};

const EXIT_CODES = 'Exit codes: 0 done, 1 run failed, 2 bad input, configuration or a failed setup check, 3 stopped or paused.';

const SETTINGS_NOTE =
  'Settings: the same sprintRunner.* keys the VS Code extension uses are read from <workspace>/.vscode/settings.json\n' +
  '(comments allowed); a flag wins over the file. See docs/configuration.md.';

export const USAGE = `Usage: sprint-runner <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.padEnd(8)} ${SUMMARY[c]}`).join('\n')}

Run "sprint-runner <command> --help" for the options of one command.
  -h, --help         Show this help
  --version          Show the version

${SETTINGS_NOTE}

${EXIT_CODES}`;

export interface PermissionInForce {
  mode: string;
  /** Where the mode came from: a flag, the settings file, or the default. */
  source: string;
}

export function permissionMeaning(mode: string): string {
  switch (mode) {
    case 'bypassPermissions':
      return 'agents edit files and run any command without asking (as root the Claude CLI also needs IS_SANDBOX=1)';
    case 'acceptEdits':
      return 'agents edit files without asking; other tools run only when allowed with --allowed-tool';
    case 'plan':
      return 'agents only plan: they change nothing, so stories do not progress';
    default:
      return 'anything that would need a prompt is silently denied, since nobody answers prompts; allow tools with --allowed-tool';
  }
}

export function commandHelp(command: CliCommandName, permission?: PermissionInForce): string {
  const options = OPTIONS.filter((o) => o.commands.includes(command));
  const lines = [`Usage: sprint-runner ${command} [options]`, '', SUMMARY[command] + '.', DETAIL[command]];
  if (permission && (command === 'run' || command === 'resume' || command === 'doctor')) {
    lines.push('', `Permission mode in force: ${permission.mode} (${permission.source}) — ${permissionMeaning(permission.mode)}.`);
  }
  for (const group of Object.keys(GROUPS) as OptionSpec['group'][]) {
    const inGroup = options.filter((o) => o.group === group);
    if (inGroup.length === 0) continue;
    lines.push('', `${GROUPS[group]}:`);
    for (const o of inGroup) {
      const left = `  ${o.flag}${o.value ? ` ${o.value}` : ''}`;
      lines.push(left.length < 30 ? `${left.padEnd(30)} ${o.help}` : `${left}\n${' '.repeat(31)}${o.help}`);
    }
  }
  lines.push('  -h, --help'.padEnd(30) + ' Show this help');
  if (command !== 'stop') lines.push('', SETTINGS_NOTE);
  lines.push('', EXIT_CODES);
  return lines.join('\n');
}
