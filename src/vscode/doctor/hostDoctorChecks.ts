// "Sprint Runner: Check Setup (Doctor)" in the editor: the checks the extension host can make itself
// before any agent is paid for — the Claude CLI (found, version, login), root without IS_SANDBOX under
// bypassPermissions, BMAD, the ledger, git and the platform. No `vscode` here: the command passes ports
// (unit-tested in Node). Each failing or warning check names the cause and the fix.

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  id: 'claude-cli' | 'claude-login' | 'sandbox' | 'bmad' | 'ledger' | 'git' | 'platform';
  status: CheckStatus;
  /** What was found, e.g. `claude 2.1.197 (Claude Code)`. */
  message: string;
  /** What to do about a warning or failure. */
  fix?: string;
}

export interface DoctorReport {
  checks: DoctorCheck[];
  /** True when no check failed (warnings do not fail). */
  ok: boolean;
}

export interface ProgramResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The spawn itself failed (`ENOENT`, `EACCES`). */
  errorCode?: string;
  timedOut?: boolean;
}

export interface HostDoctorPorts {
  /** The Claude CLI as the settings resolve it (`claude`, a path, or `node` + `sim-claude.js`). */
  claude: { command: string; args: string[]; source: string };
  permissionMode: string;
  env: Record<string, string | undefined>;
  isRoot: boolean;
  platform: string;
  homeDir: string;
  /** Runs a program without a shell; never rejects. */
  run(command: string, args: string[], cwd: string | undefined): Promise<ProgramResult>;
  exists(path: string): Promise<boolean>;
  /** The folder whose ledger the runner uses, or the first workspace folder; undefined without a folder. */
  workspaceRoot: string | undefined;
  /** The ledger found by discovery, or undefined. */
  ledgerPath: string | undefined;
  /** A reason discovery failed (bad `_bmad/bmm/config.yaml` …), when it did. */
  discoveryError?: string;
}

const INSTALL_CLAUDE = 'install it with `npm install -g @anthropic-ai/claude-code`, or set sprintRunner.claude.command to its full path';

function join(p: string, ...rest: string[]): string {
  return [p.replace(/[\\/]+$/, ''), ...rest].join('/');
}

async function checkClaude(p: HostDoctorPorts): Promise<DoctorCheck[]> {
  const shown = [p.claude.command, ...p.claude.args].join(' ');
  const r = await p.run(p.claude.command, [...p.claude.args, '--version'], p.workspaceRoot);
  if (r.errorCode === 'ENOENT') {
    return [{ id: 'claude-cli', status: 'fail', message: `${shown} was not found (from ${p.claude.source}).`, fix: INSTALL_CLAUDE }];
  }
  if (r.errorCode === 'EACCES') {
    return [{ id: 'claude-cli', status: 'fail', message: `${shown} is not executable (EACCES).`, fix: `chmod +x it, or set sprintRunner.claude.command to the right program` }];
  }
  if (r.errorCode || r.timedOut || r.exitCode !== 0) {
    const why = r.timedOut ? 'did not answer within 20 s' : r.errorCode ? `could not start (${r.errorCode})` : `exited with ${r.exitCode}`;
    const said = (r.stderr || r.stdout).trim().split('\n')[0];
    return [{ id: 'claude-cli', status: 'fail', message: `\`${shown} --version\` ${why}${said ? `: ${said}` : ''}.`, fix: INSTALL_CLAUDE }];
  }
  const version = r.stdout.trim().split('\n')[0] || '(no version printed)';
  const checks: DoctorCheck[] = [{ id: 'claude-cli', status: 'ok', message: `${shown}: ${version} (from ${p.claude.source})` }];
  if (!/\d+\.\d+\.\d+/.test(version)) {
    checks[0] = { ...checks[0], status: 'warn', fix: 'make sure sprintRunner.claude.command is the Claude Code CLI (`claude --version` prints e.g. "2.1.197 (Claude Code)")' };
  }

  // The CLI keeps its login in ~/.claude/.credentials.json (Linux, Windows) or the macOS keychain; an
  // API key or OAuth token in the environment works everywhere. Unknown is a warning: the first step
  // would report "authentication_failed".
  if (p.env.ANTHROPIC_API_KEY || p.env.CLAUDE_CODE_OAUTH_TOKEN || p.env.ANTHROPIC_AUTH_TOKEN) {
    checks.push({ id: 'claude-login', status: 'ok', message: 'An API key or token is set in the editor\'s environment.' });
  } else if (await p.exists(join(p.homeDir, '.claude', '.credentials.json'))) {
    checks.push({ id: 'claude-login', status: 'ok', message: `Logged in (${join(p.homeDir, '.claude', '.credentials.json')}).` });
  } else {
    checks.push({
      id: 'claude-login',
      status: 'warn',
      message: p.platform === 'darwin' ? 'Could not confirm a login (macOS keeps it in the keychain) and no ANTHROPIC_API_KEY is set.' : 'No Claude Code login found and no ANTHROPIC_API_KEY in the editor\'s environment.',
      fix: 'run `claude` in a terminal and log in with /login, or start the editor with ANTHROPIC_API_KEY set',
    });
  }
  return checks;
}

function checkSandbox(p: HostDoctorPorts): DoctorCheck {
  if (p.isRoot && p.permissionMode === 'bypassPermissions' && p.env.IS_SANDBOX !== '1') {
    return {
      id: 'sandbox',
      status: 'fail',
      message: 'The editor runs as root and agents would run with bypassPermissions: the Claude CLI refuses that unless IS_SANDBOX=1 is set.',
      fix: 'run the editor as a normal user; or, only in a throw-away container or VM, start it with IS_SANDBOX=1; or choose another sprintRunner.claude.permissionMode',
    };
  }
  return { id: 'sandbox', status: 'ok', message: p.isRoot ? `Root with permission mode ${p.permissionMode}${p.env.IS_SANDBOX === '1' ? ' (IS_SANDBOX=1)' : ''}.` : `Permission mode ${p.permissionMode}.` };
}

async function checkBmad(p: HostDoctorPorts): Promise<DoctorCheck> {
  const root = p.workspaceRoot;
  if (!root) return { id: 'bmad', status: 'warn', message: 'No folder is open.', fix: 'open the folder of a BMAD project' };
  const config = join(root, '_bmad', 'bmm', 'config.yaml');
  if (!(await p.exists(config))) {
    return { id: 'bmad', status: 'warn', message: `No BMAD install (${config} is missing): the runner uses its own prompts and the default folders.`, fix: 'install BMAD for Claude Code: `npx bmad-method install --directory . --modules bmm --tools claude-code --yes`' };
  }
  const commands = [join(root, '.claude', 'commands'), join(root, '.claude', 'skills')];
  const hasClaudeCommands = (await Promise.all(commands.map((c) => p.exists(c)))).some(Boolean);
  if (!hasClaudeCommands) {
    return { id: 'bmad', status: 'warn', message: `BMAD is installed (${config}) without Claude Code commands or skills: the runner's own prompts are used for every step.`, fix: 'reinstall BMAD with `--tools claude-code` to use its workflows' };
  }
  return { id: 'bmad', status: 'ok', message: `BMAD installed (${config}) with Claude Code commands.` };
}

function checkLedger(p: HostDoctorPorts): DoctorCheck {
  if (p.discoveryError) return { id: 'ledger', status: 'fail', message: p.discoveryError, fix: 'fix the file named above, or set sprintRunner.ledger.path' };
  if (!p.ledgerPath) {
    return { id: 'ledger', status: 'fail', message: 'No sprint-status.yaml in this workspace.', fix: 'run BMAD\'s sprint-planning, or "Sprint Runner: Create sprint-status.yaml from Template", or set sprintRunner.ledger.path' };
  }
  return { id: 'ledger', status: 'ok', message: p.ledgerPath };
}

async function checkGit(p: HostDoctorPorts): Promise<DoctorCheck> {
  if (!p.workspaceRoot) return { id: 'git', status: 'warn', message: 'No folder is open.' };
  const r = await p.run('git', ['rev-parse', '--is-inside-work-tree'], p.workspaceRoot);
  if (r.errorCode === 'ENOENT') return { id: 'git', status: 'warn', message: 'git is not installed: batch commits are not made or verified.', fix: 'install git' };
  if (r.exitCode !== 0 || r.stdout.trim() !== 'true') {
    return { id: 'git', status: 'warn', message: `${p.workspaceRoot} is not a git repository: batch commits are not made or verified, parallel mode is unavailable.`, fix: 'run `git init` and commit the project' };
  }
  return { id: 'git', status: 'ok', message: `${p.workspaceRoot} is a git repository.` };
}

function checkPlatform(p: HostDoctorPorts): DoctorCheck {
  if (p.platform === 'linux') return { id: 'platform', status: 'ok', message: 'Linux.' };
  return {
    id: 'platform',
    status: 'warn',
    message: `Platform ${p.platform}: stopping agents and cleaning up after a crash are only proven on Linux; tool processes an agent started may outlive Stop.`,
    fix: 'check the README\'s supported platforms for this version',
  };
}

export async function runHostDoctor(p: HostDoctorPorts): Promise<DoctorReport> {
  const checks = [...(await checkClaude(p)), checkSandbox(p), await checkBmad(p), checkLedger(p), await checkGit(p), checkPlatform(p)];
  return { checks, ok: checks.every((c) => c.status !== 'fail') };
}

/** The report as the output channel shows it: one line per check, the fix indented under it. */
export function formatDoctorReport(r: DoctorReport): string {
  const mark: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗' };
  const lines = r.checks.map((c) => `${mark[c.status]} ${c.id}: ${c.message}${c.fix ? `\n    fix: ${c.fix}` : ''}`);
  const failed = r.checks.filter((c) => c.status === 'fail').length;
  const warned = r.checks.filter((c) => c.status === 'warn').length;
  lines.push(failed ? `${failed} check(s) failed, ${warned} warning(s): fix the failures before running the sprint.` : `No check failed${warned ? ` (${warned} warning(s))` : ''}.`);
  return lines.join('\n');
}
