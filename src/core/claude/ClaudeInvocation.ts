// The argument array for one `claude -p` child. Never a shell string, never large text in argv
// (Linux refuses a single argument over 128 KiB with E2BIG): the prompt goes to stdin, the appended system
// prompt through the (hidden but real) `--append-system-prompt-file` flag.

import { extraArgsProblem } from './extraArgsPolicy';

/** Values `--permission-mode` accepts. */
export const PERMISSION_MODES = ['bypassPermissions', 'acceptEdits', 'default', 'plan', 'dontAsk'] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

export interface PermissionStrategy {
  mode: PermissionMode;
  /** `--allowedTools`: tools (or rules like `Bash(git:*)`) allowed without asking. */
  allowedTools?: string[];
  /** `--disallowedTools`. */
  disallowedTools?: string[];
}

/**
 * Unattended agents must write files and run any Bash command (BMAD helpers, git, the project's scripts),
 * and nobody is there to answer a permission prompt: in `default` mode the CLI silently denies those and
 * still exits 0. So the default is bypassPermissions (as root the CLI also needs IS_SANDBOX=1).
 */
export const DEFAULT_PERMISSION: PermissionStrategy = { mode: 'bypassPermissions' };

export interface ClaudeInvocationOptions {
  model?: string;
  /** File holding the appended system prompt. */
  systemPromptFile?: string;
  maxTurns?: number;
  permission?: PermissionStrategy;
  /** Extra arguments from settings, appended as given. */
  extraArgs?: string[];
  /** Continue this session (`--resume <id>`): the conversation goes on with the new prompt. */
  resumeSessionId?: string;
}

export function buildClaudeArgs(o: ClaudeInvocationOptions): string[] {
  const args = ['-p', '--output-format', 'stream-json', '--verbose'];
  if (o.model) args.push('--model', o.model);
  if (o.resumeSessionId) args.push('--resume', o.resumeSessionId);
  if (o.systemPromptFile) args.push('--append-system-prompt-file', o.systemPromptFile);
  if (o.maxTurns !== undefined) {
    if (!Number.isInteger(o.maxTurns) || o.maxTurns < 1) {
      throw new Error(`maxTurns must be a positive integer, got ${o.maxTurns} (the agent's maxTurns option; no setting sets it: drop it or pass a whole number ≥ 1)`);
    }
    args.push('--max-turns', String(o.maxTurns));
  }
  const permission = o.permission ?? DEFAULT_PERMISSION;
  if (!(PERMISSION_MODES as readonly string[]).includes(permission.mode)) {
    throw new Error(
      `Unknown permission mode "${permission.mode}" (setting sprintRunner.claude.permissionMode): use one of ${PERMISSION_MODES.join(', ')}`,
    );
  }
  args.push('--permission-mode', permission.mode);
  // One argv entry per tool: rules such as `Bash(npm run test:*)` may contain spaces.
  if (permission.allowedTools && permission.allowedTools.length > 0) args.push('--allowedTools', ...permission.allowedTools);
  if (permission.disallowedTools && permission.disallowedTools.length > 0) args.push('--disallowedTools', ...permission.disallowedTools);
  if (o.extraArgs) {
    // Appended last, so a permission flag here would override the mode above: refused, never passed on.
    const problem = extraArgsProblem(o.extraArgs);
    if (problem) throw new Error(problem);
    args.push(...o.extraArgs);
  }
  return args;
}

