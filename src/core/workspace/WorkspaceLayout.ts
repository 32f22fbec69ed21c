// Where a BMAD workspace keeps things, as resolved by discoverWorkspace().

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
