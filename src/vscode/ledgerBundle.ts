// Entry of dist/ledger.js: the ledger and workspace reading the tree and the commands need (yaml and the
// comment-preserving ledger parser). The extension requires it when the tree first resolves or a ledger
// command runs (lazyLedger), so activation does not load yaml. Errors cross the bundle boundary as plain
// results, never as classes to test with instanceof (each bundle has its own copy of them).

import type { FileSystem } from '../core/fs/FileSystem';
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
