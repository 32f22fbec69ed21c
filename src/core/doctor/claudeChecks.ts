// The Claude Code CLI the agents run: found and executable, its version, logged in (or a key in the
// environment), and whether bypassPermissions can work for this user. Nothing here talks to the API:
// `claude --version` and `claude auth status` answer locally, so the doctor never costs money.

import type { CheckResult, DoctorCheck, DoctorContext } from './DoctorCheck';

/** Variables the CLI takes credentials from; only their names are ever reported. */
export const CREDENTIAL_VARIABLES = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN'] as const;

/** The oldest major version whose `-p --output-format stream-json` the engine was checked against. */
const MIN_MAJOR = 2;

const INSTALL_FIX = 'Install Claude Code (`npm install -g @anthropic-ai/claude-code`) and log in with `claude auth login`';

export const claudeChecks: DoctorCheck = {
  id: 'claude',
  async run(ctx) {
    if (ctx.containers) {
      return [
        {
          id: 'claude.cli',
          title: 'Claude Code CLI',
          status: 'ok',
          detail: 'Agents run in a container: the CLI, its login and the permission mode are the image\'s (not checked here).',
        },
      ];
    }
    const cli = await checkCli(ctx);
    const results: CheckResult[] = [cli];
    if (cli.status !== 'fail') results.push(await checkVersion(ctx), await checkLogin(ctx));
    results.push(checkPermissionMode(ctx));
    return results;
  },
};

function display(ctx: DoctorContext): string {
  return [ctx.claude.command, ...ctx.claude.args].join(' ');
}

async function checkCli(ctx: DoctorContext): Promise<CheckResult> {
  const base = { id: 'claude.cli', title: 'Claude Code CLI' };
  const where = await ctx.host.locate(ctx.claude.command, ctx.workspaceRoot);
  if (!where.path) {
    const onPath = !/[\\/]/.test(ctx.claude.command);
    return {
      ...base,
      status: 'fail',
      detail: onPath ? `"${ctx.claude.command}" was not found on PATH.` : `${ctx.claude.command} does not exist.`,
      fix: `${INSTALL_FIX}, or point ${ctx.vocabulary.claude} at the CLI.`,
      data: { command: ctx.claude.command },
    };
  }
  if (!where.executable) {
    return {
      ...base,
      status: 'fail',
      detail: `${where.path} exists but may not be executed by this user.`,
      fix: `Make it executable (\`chmod +x ${where.path}\`), or point ${ctx.vocabulary.claude} at the CLI.`,
      data: { command: ctx.claude.command, path: where.path },
    };
  }
  return { ...base, status: 'ok', detail: where.path, data: { command: ctx.claude.command, path: where.path } };
}

async function checkVersion(ctx: DoctorContext): Promise<CheckResult> {
  const base = { id: 'claude.version', title: 'Claude Code version' };
  const out = await ctx.host.run(ctx.claude.command, [...ctx.claude.args, '--version'], { cwd: ctx.workspaceRoot, timeoutMs: 20_000 });
  const version = /\b(\d+\.\d+\.\d+)\b/.exec(`${out.stdout}\n${out.stderr}`)?.[1];
  if (out.exitCode === 0 && version && Number(version.split('.')[0]) < MIN_MAJOR) {
    return {
      ...base,
      status: 'warn',
      detail: `${version}: older than ${MIN_MAJOR}.0, which Sprint Runner is not tested with (its stream-json output and flags differ).`,
      fix: 'Update it: `npm install -g @anthropic-ai/claude-code` (or `claude update`).',
      data: { version },
    };
  }
  if (out.exitCode === 0 && version) return { ...base, status: 'ok', detail: version, data: { version } };
  return {
    ...base,
    status: 'warn',
    detail: `\`${display(ctx)} --version\` did not print a version (${out.error ?? `exit ${out.exitCode}`}${firstLine(out.stderr || out.stdout)}).`,
    fix: 'Check that the command is the Claude Code CLI; reinstall it if it is broken.',
  };
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0]?.trim();
  return line ? `: ${line.slice(0, 160)}` : '';
}

/** `claude auth status` prints JSON with `loggedIn` in current versions; older ones lack the command. */
export function parseAuthStatus(stdout: string, stderr: string): boolean | undefined {
  const text = stdout.trim();
  const json = text.startsWith('{') ? tryJson(text) : undefined;
  if (json && typeof json === 'object' && json !== null && typeof (json as { loggedIn?: unknown }).loggedIn === 'boolean') {
    return (json as { loggedIn: boolean }).loggedIn;
  }
  const all = `${stdout}\n${stderr}`;
  if (/\bnot (logged|signed) in\b/i.test(all)) return false;
  if (/\b(logged|signed) in\b/i.test(all)) return true;
  return undefined;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function checkLogin(ctx: DoctorContext): Promise<CheckResult> {
  const base = { id: 'claude.login', title: 'Claude Code login' };
  const fix = 'Log in with `claude auth login` (or `/login` inside `claude`), or set ANTHROPIC_API_KEY in the environment the runner starts from.';
  const variable = CREDENTIAL_VARIABLES.find((name) => (ctx.host.env[name] ?? '').trim() !== '');
  if (variable) return { ...base, status: 'ok', detail: `${variable} is set in the environment.`, data: { method: 'environment', variable } };
  const out = await ctx.host.run(ctx.claude.command, [...ctx.claude.args, 'auth', 'status'], { cwd: ctx.workspaceRoot, timeoutMs: 20_000 });
  const loggedIn = out.error ? undefined : parseAuthStatus(out.stdout, out.stderr);
  if (loggedIn === true) return { ...base, status: 'ok', detail: '`claude auth status` reports a logged-in account.', data: { method: 'auth status' } };
  if (loggedIn === false) {
    return { ...base, status: 'fail', detail: '`claude auth status` reports that the CLI is not logged in, and no API key is set.', fix, data: { method: 'auth status' } };
  }
  // An older CLI without `auth status`: the credentials file of a subscription login (macOS keeps it in the Keychain).
  const credentials = `${ctx.host.homeDir.replace(/[\\/]+$/, '')}/.claude/.credentials.json`;
  if (await ctx.fs.exists(credentials)) return { ...base, status: 'ok', detail: `Credentials file found (${credentials}).`, data: { method: 'credentials file' } };
  return {
    ...base,
    status: 'warn',
    detail: 'Could not tell whether the CLI is logged in (no `auth status` answer, no credentials file, no API key in the environment).',
    fix,
  };
}

function checkPermissionMode(ctx: DoctorContext): CheckResult {
  const base = { id: 'claude.permissions', title: 'Permission mode' };
  const mode = ctx.permissionMode;
  const sandbox = (ctx.host.env.IS_SANDBOX ?? '').trim() !== '';
  if (mode === 'bypassPermissions' && ctx.host.uid === 0 && !sandbox) {
    return {
      ...base,
      status: 'fail',
      detail: 'Running as root with bypassPermissions: the Claude CLI refuses to start unless IS_SANDBOX=1 is set.',
      fix: `Run as a normal user; or, on a throw-away machine or container, set IS_SANDBOX=1; or choose another mode with ${ctx.vocabulary.permissionMode} (e.g. acceptEdits, with allowed tools).`,
      data: { mode, uid: 0 },
    };
  }
  const meaning =
    mode === 'bypassPermissions'
      ? 'agents may edit files and run any command without asking'
      : mode === 'acceptEdits'
        ? 'agents may edit files; other tools only when allowed'
        : 'tools that would need a prompt are silently denied (agents run unattended)';
  return { ...base, status: 'ok', detail: `${mode}: ${meaning}.`, data: { mode } };
}
