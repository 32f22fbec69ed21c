// Where a BMAD workspace keeps things, as resolved by discoverWorkspace().

import * as path from 'node:path';

/** Where batch-commit archives done stories' artifacts (003 step 4c): `archived-artifacts` beside the artifacts folder. */
export function archivedArtifactsDir(implementationArtifacts: string): string {
  return path.join(path.dirname(implementationArtifacts), 'archived-artifacts');
}

export interface WorkspaceLayout {
  /** Absolute workspace root (`{project-root}`). */
  root: string;
  /** The BMAD module config when found (`_bmad/bmm/config.yaml`, or the older `bmad/` or `.bmad/`). */
  configPath?: string;
  /** Absolute `sprint-status.yaml` path (exists). */
  ledgerPath: string;
  /** Why this ledger is the one used (config key, BMAD default, search order), when discovered. */
  ledgerChoice?: string;
  /** Other ledgers discovery found, in search order; never read. */
  otherLedgers?: string[];
  /** Absolute `{implementation_artifacts}` folder. */
  implementationArtifacts: string;
  /** Absolute `{planning_artifacts}` folder. */
  planningArtifacts: string;
  /** Absolute `{output_folder}` (when discovered). */
  outputFolder?: string;
  /** The existing `{output_folder}/project-context.md`, else `{planning_artifacts}/project-context.md`, else the first. */
  projectContextPath: string;
  /** `_bmad/bmm/workflows/4-implementation/sprint-runner/prompts` (workspace prompt overrides). */
  promptOverrideDir: string;
  /** `_bmad/scripts` (optional BMAD helper scripts). */
  scriptsDir: string;
}

/** "Using X (why); also found Y, Z": one line for a workspace with several ledgers, undefined with one. */
export function describeLedgerChoice(layout: Pick<WorkspaceLayout, 'ledgerPath' | 'ledgerChoice' | 'otherLedgers'>): string | undefined {
  if (!layout.otherLedgers || layout.otherLedgers.length === 0) return undefined;
  return (
    `Using the ledger ${layout.ledgerPath} (${layout.ledgerChoice ?? 'found first'}); also found ${layout.otherLedgers.join(', ')}, ` +
    'which this run does not read. To use another: --ledger FILE (CLI) or the setting sprintRunner.ledger.path.'
  );
}
