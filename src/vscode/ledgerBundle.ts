// Entry of dist/ledger.js: the ledger and workspace reading the tree and the commands need (yaml and the
// comment-preserving ledger parser). The extension requires it when the tree first resolves or a ledger
// command runs (lazyLedger), so activation does not load yaml. Errors cross the bundle boundary as plain
// results, never as classes to test with instanceof (each bundle has its own copy of them).

import { SETTINGS_VOCABULARY, type DoctorReport } from '../core/doctor/DoctorCheck';
import { formatDoctorReport, runDoctor } from '../core/doctor/runDoctor';
import type { FileSystem } from '../core/fs/FileSystem';
import { NodeDoctorHost } from '../infra/doctor/NodeDoctorHost';
import { NodeFileSystem } from '../infra/NodeFileSystem';
import type { LedgerSnapshot } from '../core/ledger/LedgerTypes';
import { SprintLedger } from '../core/ledger/SprintLedger';
import { createLedgerFromTemplate, type CreatedLedger, type CreateLedgerOptions } from '../core/workspace/createLedgerFromTemplate';
import { discoverWorkspace } from '../core/workspace/discoverWorkspace';
import { readEpicTitles } from '../core/workspace/readEpicsOutline';
import { LedgerNotFoundError } from '../core/ledger/LedgerNotFoundError';
import type { WorkspaceLayout } from '../core/workspace/WorkspaceLayout';

/** The folder's BMAD layout; undefined when it has no ledger. Other problems (bad config.yaml …) throw. */
export async function findLayout(root: string, fs: FileSystem, ledgerOverride?: string): Promise<WorkspaceLayout | undefined> {
  try {
    return await discoverWorkspace(root, fs, ledgerOverride ? { ledgerOverride } : {});
  } catch (err) {
    if (err instanceof LedgerNotFoundError) return undefined;
    throw err;
  }
}

export function readLedgerSnapshot(ledgerPath: string, fs: FileSystem): Promise<LedgerSnapshot> {
  return new SprintLedger(ledgerPath, fs).read();
}

/** Epic id → title from the workspace's epics.md (plain object: it crosses the bundle boundary); {} when none. */
export async function readEpicTitlesOf(planningArtifacts: string, fs: FileSystem): Promise<Record<string, string>> {
  return Object.fromEntries(await readEpicTitles(planningArtifacts, fs));
}

export function createLedger(root: string, fs: FileSystem, opts: CreateLedgerOptions): Promise<CreatedLedger> {
  return createLedgerFromTemplate(root, fs, opts);
}

/** What the editor's Check Setup passes to the core doctor (the settings the run would use). */
export interface SetupCheckInput {
  workspaceRoot: string;
  ledgerOverride?: string;
  claude: { command: string; args: string[] };
  permissionMode: string;
  containers: boolean;
  bmadMissingWorkflows?: 'refuse' | 'runner-prompt';
  env: NodeJS.ProcessEnv;
}

/**
 * The setup doctor the CLI runs before `run` (core/doctor), with the extension's words in its fixes. In this
 * bundle because its workspace checks read YAML: dist/extension.js stays without it.
 */
export function checkSetup(input: SetupCheckInput): Promise<DoctorReport> {
  return runDoctor({
    workspaceRoot: input.workspaceRoot,
    ...(input.ledgerOverride ? { ledgerOverride: input.ledgerOverride } : {}),
    claude: input.claude,
    permissionMode: input.permissionMode,
    containers: input.containers,
    ...(input.bmadMissingWorkflows ? { bmadMissingWorkflows: input.bmadMissingWorkflows } : {}),
    vocabulary: SETTINGS_VOCABULARY,
    host: new NodeDoctorHost({ env: input.env }),
    fs: new NodeFileSystem(),
  });
}

/** One line per check, fixes indented, a count last. */
export function formatSetupReport(report: DoctorReport): string {
  return formatDoctorReport(report).join('\n');
}
