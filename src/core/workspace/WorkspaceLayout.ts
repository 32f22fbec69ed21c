// Where a BMAD workspace keeps things, as resolved by discoverWorkspace().

import * as path from 'node:path';

/** Where batch-commit archives done stories' artifacts (003 step 4c): `archived-artifacts` beside the artifacts folder. */
export function archivedArtifactsDir(implementationArtifacts: string): string {
  return path.join(path.dirname(implementationArtifacts), 'archived-artifacts');
}

export interface WorkspaceLayout {
  /** Absolute workspace root (`{project-root}`). */
  root: string;
  /** `_bmad/bmm/config.yaml` when found. */
  configPath?: string;
  /** Absolute `sprint-status.yaml` path (exists). */
  ledgerPath: string;
  /** Absolute `{implementation_artifacts}` folder. */
  implementationArtifacts: string;
  /** Absolute `{planning_artifacts}` folder. */
  planningArtifacts: string;
  /** `{planning_artifacts}/project-context.md`. */
  projectContextPath: string;
  /** `_bmad/bmm/workflows/4-implementation/sprint-runner/prompts` (workspace prompt overrides). */
  promptOverrideDir: string;
  /** `_bmad/scripts` (optional BMAD helper scripts). */
  scriptsDir: string;
}
