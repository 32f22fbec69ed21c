// Finds a BMAD workspace's folders and its sprint-status.yaml.
//
// Ledger: the explicit override when given (and only it: a wrong override is an error, never a silent
// fallback); else the first that exists of: the folder the config names (`implementation_artifacts`, or the
// older `sprint_artifacts`), the config's `output_folder`, then the fixed list LEDGER_FALLBACK_FOLDERS (BMAD's
// default `_bmad-output/implementation-artifacts/`, `_bmad-output/`, `docs/sprint-artifacts/`,
// `docs/implementation-artifacts/`, `docs/stories/`, `docs/`, `.bmad-ephemeral/`, the root). Every other
// ledger found is listed in the layout, so front ends can say which one is used and why. When the config does
// not name the implementation artifacts folder, the folder of the ledger found is used (older BMAD kept
// stories next to the ledger).
//
// Project context: `{output_folder}/project-context.md` (where BMAD's generate-project-context writes it), else
// `{planning_artifacts}/project-context.md`; when neither exists, the first (where it is generated).

import * as path from 'node:path';
import type { FileSystem } from '../fs/FileSystem';
import { LedgerNotFoundError } from '../ledger/LedgerNotFoundError';
import { LEDGER_FILE_NAME, resolveBmadPaths, type BmadPaths } from './resolveBmadPaths';
import type { WorkspaceLayout } from './WorkspaceLayout';

export const PROJECT_CONTEXT_FILE_NAME = 'project-context.md';

/** The project context BMAD wrote, looked for where BMAD writes it and where older setups kept it. */
export async function findProjectContext(paths: Pick<BmadPaths, 'outputFolder' | 'planningArtifacts'>, fs: FileSystem): Promise<string> {
  const places = [path.join(paths.outputFolder, PROJECT_CONTEXT_FILE_NAME), path.join(paths.planningArtifacts, PROJECT_CONTEXT_FILE_NAME)];
  for (const place of places) if ((await fs.stat(place))?.isFile) return place;
  return places[0];
}

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
  const found: { path: string; why: string }[] = [];
  for (const candidate of paths.ledgerPlaces) {
    const st = await fs.stat(candidate.path);
    if (st?.isFile) found.push(candidate);
  }
  if (found.length === 0) {
    throw new LedgerNotFoundError(
      paths.ledgerCandidates,
      paths.ledgerCandidates[0] ?? path.join(paths.implementationArtifacts, LEDGER_FILE_NAME),
      opts.ledgerOverride !== undefined,
    );
  }
  const ledgerPath = found[0].path;
  const implementationArtifacts = paths.implementationArtifactsConfigured ? paths.implementationArtifacts : path.dirname(ledgerPath);
  return {
    root: paths.root,
    ...(paths.configPath ? { configPath: paths.configPath } : {}),
    ledgerPath,
    ledgerChoice: found[0].why,
    otherLedgers: found.slice(1).map((f) => f.path),
    implementationArtifacts,
    planningArtifacts: paths.planningArtifacts,
    outputFolder: paths.outputFolder,
    projectContextPath: await findProjectContext(paths, fs),
    promptOverrideDir: path.join(paths.root, '_bmad', 'bmm', 'workflows', '4-implementation', 'sprint-runner', 'prompts'),
    scriptsDir: path.join(paths.root, '_bmad', 'scripts'),
  };
}
