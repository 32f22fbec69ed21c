// Finds a BMAD workspace's folders and its sprint-status.yaml.
//
// Ledger: the explicit override when given (and only it: a wrong override is an error, never a silent
// fallback); else `{implementation_artifacts}/sprint-status.yaml`, then `_bmad-output/implementation-artifacts/`
// and `docs/sprint-artifacts/`. When the config does not name the implementation artifacts folder, the folder
// of the ledger found is used (older BMAD kept stories next to the ledger in docs/sprint-artifacts).

import * as path from 'node:path';
import type { FileSystem } from '../fs/FileSystem';
import { LedgerNotFoundError } from '../ledger/LedgerNotFoundError';
import { LEDGER_FILE_NAME, resolveBmadPaths } from './resolveBmadPaths';
import type { WorkspaceLayout } from './WorkspaceLayout';

export interface DiscoverWorkspaceOptions {
  /** Explicit sprint-status.yaml (absolute, or relative to the root). Wins over the config and fallbacks. */
  ledgerOverride?: string;
}

export async function discoverWorkspace(
  root: string,
  fs: FileSystem,
  opts: DiscoverWorkspaceOptions = {},
): Promise<WorkspaceLayout> {
  const paths = await resolveBmadPaths(root, fs, opts);
  let ledgerPath: string | undefined;
  for (const candidate of paths.ledgerCandidates) {
    const st = await fs.stat(candidate);
    if (st?.isFile) {
      ledgerPath = candidate;
      break;
    }
  }
  if (!ledgerPath) {
    throw new LedgerNotFoundError(paths.ledgerCandidates, paths.ledgerCandidates[0] ?? path.join(paths.implementationArtifacts, LEDGER_FILE_NAME));
  }
  const implementationArtifacts = paths.implementationArtifactsConfigured ? paths.implementationArtifacts : path.dirname(ledgerPath);
  return {
    root: paths.root,
    ...(paths.configPath ? { configPath: paths.configPath } : {}),
    ledgerPath,
    implementationArtifacts,
    planningArtifacts: paths.planningArtifacts,
    projectContextPath: path.join(paths.planningArtifacts, 'project-context.md'),
    promptOverrideDir: path.join(paths.root, '_bmad', 'bmm', 'workflows', '4-implementation', 'sprint-runner', 'prompts'),
    scriptsDir: path.join(paths.root, '_bmad', 'scripts'),
  };
}
