// What `sprintRunner.claude.extraArgs` may not say. The setting is machine-overridable, so a workspace's
// own `.vscode/settings.json` can set it, and it is appended after the engine's `--permission-mode`: a
// later flag wins in the Claude CLI, so an extra `--permission-mode bypassPermissions` would silently
// replace what the user agreed to. Every flag that widens or replaces what an agent may do is refused
// here; the permission mode and tools have their own settings, which the consent prompt shows.

/**
 * Flags that change what an agent may do (permissions, tools, settings files that carry permission
 * rules, MCP servers, extra readable/writable folders, plugins, sub-agents). Matched as `--flag` and
 * `--flag=value`, in camelCase and kebab-case spellings.
 */
export const REFUSED_EXTRA_FLAGS: readonly string[] = [
  '--permission-mode',
  '--dangerously-skip-permissions',
  '--allow-dangerously-skip-permissions',
  '--permission-prompt-tool',
  '--allowedTools',
  '--allowed-tools',
  '--disallowedTools',
  '--disallowed-tools',
  '--tools',
  '--settings',
  '--setting-sources',
  '--mcp-config',
  '--strict-mcp-config',
  '--add-dir',
  '--plugin-dir',
  '--agents',
];

const REFUSED = new Set(REFUSED_EXTRA_FLAGS.map((f) => f.toLowerCase()));

/** The entries of `extraArgs` that are refused flags (as written), in order. */
export function refusedExtraArgs(extraArgs: readonly string[]): string[] {
  return extraArgs.filter((a) => {
    const flag = a.trim().split('=')[0].toLowerCase();
    return REFUSED.has(flag);
  });
}

/** The message for refused entries, naming the setting and the fix; undefined when all are allowed. */
export function extraArgsProblem(extraArgs: readonly string[]): string | undefined {
  const refused = refusedExtraArgs(extraArgs);
  if (refused.length === 0) return undefined;
  return (
    `sprintRunner.claude.extraArgs may not change what agents are allowed to do; refused: ${refused.map((a) => JSON.stringify(a.split('=')[0])).join(', ')}. ` +
    'Fix: remove them from the setting (check the workspace\'s .vscode/settings.json too) and use sprintRunner.claude.permissionMode / ' +
    'sprintRunner.claude.allowedTools instead, which the permission prompt shows before the first run.'
  );
}
