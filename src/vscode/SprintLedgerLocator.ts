// Which workspace folder holds the sprint: finds its sprint-status.yaml (remembering the user's choice
// when several folders have one), watches the file, and reads the ledger, epic titles and story files.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LedgerSnapshot } from '../core/ledger/LedgerTypes';
import { archivedArtifactsDir, describeLedgerChoice, type WorkspaceLayout } from '../core/workspace/WorkspaceLayout';
import type { NodeFileSystem } from '../infra/NodeFileSystem';
import type { LedgerModule } from './lazyLedger';
import { SprintContextKeys, setSprintContext } from './SprintContextKeys';
import type { SprintRunnerSettings } from './SprintRunnerSettings';

const FOLDER_KEY = 'sprintRunner.folder';

export class SprintLedgerLocator implements vscode.Disposable {
  private readonly ledgerChanged = new vscode.EventEmitter<void>();
  /** The ledger file changed, appeared or disappeared, or another folder was chosen. */
  readonly onDidChangeLedger = this.ledgerChanged.event;
  private layoutPromise: Promise<WorkspaceLayout | undefined> | undefined;
  private watcher: vscode.FileSystemWatcher | undefined;
  private ledgerDebounce: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly settings: SprintRunnerSettings,
    private readonly log: vscode.LogOutputChannel,
    private readonly fs: NodeFileSystem,
    /** The ledger/workspace reader (dist/ledger.js, yaml), loaded on first use: see lazyLedger. */
    readonly ledger: () => LedgerModule,
  ) {}

  /** The sprint's folder layout, or undefined when no folder has a ledger. Cheap: a few stats. */
  layout(): Promise<WorkspaceLayout | undefined> {
    this.layoutPromise ??= this.discover();
    return this.layoutPromise;
  }

  /** Folders or the ledger setting changed: look again on next use, and tell the views. */
  rediscover(): void {
    this.layoutPromise = undefined;
    this.ledgerChanged.fire();
  }

  /** The ledger's content changed (the engine wrote a status, the user blocked a story). */
  changed(): void {
    this.ledgerChanged.fire();
  }

  private async discover(): Promise<WorkspaceLayout | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const override = this.settings.current.ledgerPath;
    const found: { folder: vscode.WorkspaceFolder; layout: WorkspaceLayout }[] = [];
    const { findLayout } = this.ledger();
    for (const folder of folders) {
      try {
        const layout = await findLayout(folder.uri.fsPath, this.fs, override || undefined);
        if (layout) found.push({ folder, layout });
      } catch (err) {
        this.log.warn(`${folder.uri.fsPath}: ${(err as Error).message}`);
      }
    }
    let chosen = found[0];
    if (found.length > 1) {
      const remembered = this.context.workspaceState.get<string>(FOLDER_KEY);
      chosen = found.find((f) => f.folder.uri.toString() === remembered) ?? chosen;
      if (!remembered) this.log.info(`Several folders have a sprint ledger; using ${chosen.folder.name}. Run any Sprint Runner command to choose.`);
    }
    // Several ledgers in one folder (an old layout beside a new one): say which one is used and why.
    const ledgerChoice = chosen ? describeLedgerChoice(chosen.layout) : undefined;
    if (ledgerChoice) this.log.warn(ledgerChoice);
    this.settings.setScope(chosen?.folder.uri);
    this.watch(chosen?.layout.ledgerPath);
    await setSprintContext(SprintContextKeys.hasLedger, chosen !== undefined);
    return chosen?.layout;
  }

  /**
   * Asks which folder to use when several hold a ledger (only when the user gave no argument).
   * Resolves true when the user picked one (the caller reopens what depends on the folder).
   */
  async chooseFolder(): Promise<boolean> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const candidates: vscode.WorkspaceFolder[] = [];
    const { findLayout } = this.ledger();
    for (const f of folders) {
      try {
        if (await findLayout(f.uri.fsPath, this.fs)) candidates.push(f);
      } catch {
        // Not a usable BMAD folder.
      }
    }
    if (candidates.length < 2) return false;
    const pick = await vscode.window.showQuickPick(
      candidates.map((f) => ({ label: f.name, description: f.uri.fsPath, folder: f })),
      { title: 'Sprint Runner: which folder holds the sprint to run?' },
    );
    if (!pick) return false;
    await this.context.workspaceState.update(FOLDER_KEY, pick.folder.uri.toString());
    this.layoutPromise = undefined;
    return true;
  }

  private watch(ledgerPath: string | undefined): void {
    this.watcher?.dispose();
    this.watcher = undefined;
    if (!ledgerPath) return;
    const w = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(path.dirname(ledgerPath)), path.basename(ledgerPath)),
    );
    const changed = () => {
      // Agents and the engine write the file in bursts (temp + rename): one refresh per burst.
      if (this.ledgerDebounce) clearTimeout(this.ledgerDebounce);
      this.ledgerDebounce = setTimeout(() => this.ledgerChanged.fire(), 250);
    };
    w.onDidChange(changed);
    w.onDidCreate(changed);
    w.onDidDelete(() => {
      this.layoutPromise = undefined;
      changed();
    });
    this.watcher = w;
  }

  async readLedger(): Promise<LedgerSnapshot | undefined> {
    const layout = await this.layout();
    if (!layout) return undefined;
    return this.ledger().readLedgerSnapshot(layout.ledgerPath, this.fs);
  }

  /** Epic id → title from `{planning_artifacts}/epics.md` (or `epics/*.md`); {} when there is none. */
  async readEpicTitles(): Promise<Record<string, string>> {
    const layout = await this.layout();
    if (!layout) return {};
    return this.ledger().readEpicTitlesOf(layout.planningArtifacts, this.fs);
  }

  /** The story's markdown file, in the artifacts folder or (once committed) in its archive. */
  async storyFile(storyKey: string): Promise<vscode.Uri | undefined> {
    const layout = await this.layout();
    if (!layout) return undefined;
    // A committed story's file was archived by batch-commit (003 step 4c) beside the artifacts folder.
    for (const dir of [layout.implementationArtifacts, archivedArtifactsDir(layout.implementationArtifacts)]) {
      const file = path.join(dir, `${storyKey}.md`);
      if (await this.fs.exists(file)) return vscode.Uri.file(file);
    }
    return undefined;
  }

  dispose(): void {
    if (this.ledgerDebounce) clearTimeout(this.ledgerDebounce);
    this.watcher?.dispose();
    this.ledgerChanged.dispose();
  }
}
