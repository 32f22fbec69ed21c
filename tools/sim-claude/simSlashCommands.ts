// What sim-claude lists as `slash_commands` in `system/init`, as the real CLI does: its built-ins plus every
// command and skill of the folder's and the home's `.claude/`.

import * as os from 'node:os';
import { detectBmadInstall } from '../../src/core/bmad/BmadInstall';
import { NodeFileSystem } from '../../src/infra/NodeFileSystem';

/** A few of the real CLI's own commands (2.1.197 lists these in every folder). */
const BUILTIN_SLASH_COMMANDS = ['code-review', 'review', 'init', 'compact', 'clear', 'config', 'context', 'usage', 'security-review'];

export async function listSlashCommands(cwd: string): Promise<string[]> {
  const install = await detectBmadInstall(cwd, new NodeFileSystem(), { homeDir: os.homedir() }).catch(() => undefined);
  const found = (install?.entries ?? []).filter((e) => e.claudeLoads).map((e) => e.name);
  return [...new Set([...BUILTIN_SLASH_COMMANDS, ...found])];
}
