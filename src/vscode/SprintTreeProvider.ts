// The Sprint tree: epics with progress, their stories with status icons (spinning while worked on),
// retrospectives dimmed or hidden. Elements are small objects with stable ids; the ledger is re-read
// when the file changes on disk (debounced by the host) and items re-render live from engine events.

import * as vscode from 'vscode';
import { commandLabel } from '../core/commands';
import type { LedgerEpic, LedgerSnapshot, LedgerStory } from '../core/ledger/LedgerTypes';
import type { SprintRunnerSettings } from './SprintRunnerSettings';
import type { SprintSessionHost } from './SprintSessionHost';

export type SprintTreeElement =
  | { kind: 'epic'; epicId: string; key: string; status: string }
  | { kind: 'story'; storyKey: string; shortId: string; epicId: string; status: string }
  | { kind: 'retrospective'; key: string; epicId: string; status: string }
  | { kind: 'problem'; message: string };

const STATUS_ICONS: Record<string, [icon: string, color?: string]> = {
  backlog: ['circle-outline', 'disabledForeground'],
  'ready-for-dev': ['circle-large-outline', 'charts.blue'],
  'in-progress': ['play-circle', 'charts.yellow'],
  review: ['eye', 'charts.purple'],
  done: ['pass-filled', 'testing.iconPassed'],
  blocked: ['error', 'testing.iconFailed'],
};

export function statusIcon(status: string, working: boolean): vscode.ThemeIcon {
  if (working) return new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue'));
  const [icon, color] = STATUS_ICONS[status] ?? ['question', 'problemsWarningIcon.foreground'];
  return new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
}

/** `sprintRunner:story+blocked`, `sprintRunner:story+in-progress+running` — matched by anchored regexes in package.json. */
export function storyContextValue(status: string, working: boolean): string {
  return `sprintRunner:story+${status}${working ? '+running' : ''}`;
}

function firstHeading(markdown: string): string | undefined {
  const m = /^#\s+(.+)$/m.exec(markdown);
  return m?.[1].trim();
}

export class SprintTreeProvider implements vscode.TreeDataProvider<SprintTreeElement>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SprintTreeElement | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private snapshot: LedgerSnapshot | undefined;
  /** From epics.md, re-read with the ledger; a title is decoration, so a failure leaves `Epic N`. */
  private epicTitles: Record<string, string> = {};
  /** Story key → its story file, found with each read (items get it as `resourceUri`). */
  private storyFiles = new Map<string, vscode.Uri>();
  private loading: Promise<LedgerSnapshot | undefined> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly host: SprintSessionHost,
    private readonly settings: SprintRunnerSettings,
    private readonly log: vscode.LogOutputChannel,
    /** Every read's outcome (the Problems panel follows it). */
    private readonly onRead: (read: { snapshot?: LedgerSnapshot; error?: unknown }) => void = () => undefined,
  ) {
    this.disposables.push(
      this.changed,
      host.onDidChangeLedger(() => this.refresh()),
      // Live activity (spinner, command, cost) re-renders items without re-reading the file.
      host.onDidChangeState(() => this.changed.fire(undefined)),
      settings.onDidChange(() => this.changed.fire(undefined)),
    );
  }

  refresh(): void {
    this.loading = undefined;
    this.changed.fire(undefined);
  }

  /** The current snapshot (tests and the dashboard share the same read). */
  async read(): Promise<LedgerSnapshot | undefined> {
    this.loading ??= Promise.all([this.host.readLedger(), this.host.readEpicTitles().catch(() => ({}))]).then(
      async ([s, titles]) => {
        this.storyFiles = await this.findStoryFiles(s);
        this.snapshot = s;
        this.epicTitles = titles;
        this.onRead({ snapshot: s });
        return s;
      },
      (err: Error) => {
        this.log.error(err.message);
        this.snapshot = undefined;
        this.onRead({ error: err });
        throw err;
      },
    );
    return this.loading;
  }

  /** A few stats per story; a file that cannot be looked up just leaves its item without a resourceUri. */
  private async findStoryFiles(snap: LedgerSnapshot | undefined): Promise<Map<string, vscode.Uri>> {
    const found = new Map<string, vscode.Uri>();
    await Promise.all(
      (snap?.stories ?? []).map(async (s) => {
        const uri = await this.host.storyFile(s.key).catch(() => undefined);
        if (uri) found.set(s.key, uri);
      }),
    );
    return found;
  }

  async getChildren(element?: SprintTreeElement): Promise<SprintTreeElement[]> {
    if (!element) {
      let snap: LedgerSnapshot | undefined;
      try {
        snap = await this.read();
      } catch (err) {
        return [{ kind: 'problem', message: (err as Error).message }];
      }
      if (!snap) return []; // viewsWelcome explains and offers to create one
      return this.epics(snap).map((e) => ({ kind: 'epic', epicId: e.epicId, key: e.key, status: e.status }));
    }
    if (element.kind !== 'epic' || !this.snapshot) return [];
    const stories: SprintTreeElement[] = this.snapshot.stories
      .filter((s) => s.epicId === element.epicId)
      .map((s) => ({ kind: 'story', storyKey: s.key, shortId: s.shortId, epicId: s.epicId, status: s.status }));
    if (this.settings.current.retrospectives !== 'hidden') {
      for (const r of this.snapshot.retrospectives.filter((x) => x.epicId === element.epicId)) {
        stories.push({ kind: 'retrospective', key: r.key, epicId: r.epicId, status: r.status });
      }
    }
    return stories;
  }

  /** Epics as listed, plus any epic that only exists through its stories' prefix. */
  private epics(snap: LedgerSnapshot): LedgerEpic[] {
    const epics = [...snap.epics];
    for (const s of snap.stories) {
      if (!epics.some((e) => e.epicId === s.epicId)) epics.push({ key: `epic-${s.epicId}`, epicId: s.epicId, status: '', line: s.line });
    }
    return epics;
  }

  getParent(element: SprintTreeElement): SprintTreeElement | undefined {
    if (element.kind === 'story' || element.kind === 'retrospective') {
      const epic = this.snapshot && this.epics(this.snapshot).find((e) => e.epicId === element.epicId);
      return epic ? { kind: 'epic', epicId: epic.epicId, key: epic.key, status: epic.status } : undefined;
    }
    return undefined;
  }

  getTreeItem(element: SprintTreeElement): vscode.TreeItem {
    switch (element.kind) {
      case 'epic': {
        const stories: LedgerStory[] = this.snapshot?.stories.filter((s) => s.epicId === element.epicId) ?? [];
        const done = stories.filter((s) => s.status === 'done').length;
        const title = Object.prototype.hasOwnProperty.call(this.epicTitles, element.epicId) ? this.epicTitles[element.epicId] : undefined;
        const item = new vscode.TreeItem(title ? `Epic ${element.epicId}: ${title}` : `Epic ${element.epicId}`, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `epic:${element.epicId}`;
        item.description = `${done}/${stories.length} done${element.status ? ` · ${element.status}` : ''}`;
        item.iconPath = new vscode.ThemeIcon(done === stories.length && stories.length > 0 ? 'pass' : 'layers');
        item.contextValue = `sprintRunner:epic+${element.status || 'unknown'}`;
        item.tooltip = `${element.key}: ${element.status || '(no epic entry)'} — ${done} of ${stories.length} stories done`;
        return item;
      }
      case 'story': {
        const a = this.host.getActivity(element.storyKey);
        const working = a?.working === true;
        const item = new vscode.TreeItem(element.storyKey, vscode.TreeItemCollapsibleState.None);
        item.id = `story:${element.storyKey}`;
        const current = working && a?.command ? ` · ${commandLabel(a.command, a.attempt ?? 1)}` : '';
        // Parallel mode: `in-progress · dev-story · lane 2`.
        const lane = a?.lane !== undefined ? ` · lane ${a.lane}` : '';
        item.description = `${element.status}${current}${lane}`;
        item.iconPath = statusIcon(element.status, working);
        item.contextValue = storyContextValue(element.status, working);
        item.command = { command: 'sprintRunner.story.open', title: 'Open Story File', arguments: [element.storyKey] };
        // The story file, when it exists: file decorations (git, problems) and "Reveal in Explorer" follow it.
        const file = this.storyFiles.get(element.storyKey);
        if (file) item.resourceUri = file;
        return item;
      }
      case 'retrospective': {
        const item = new vscode.TreeItem(element.key, vscode.TreeItemCollapsibleState.None);
        item.id = `retro:${element.key}`;
        item.description = element.status;
        item.iconPath = new vscode.ThemeIcon('comment-discussion', new vscode.ThemeColor('disabledForeground'));
        item.contextValue = 'sprintRunner:retrospective';
        return item;
      }
      case 'problem': {
        const item = new vscode.TreeItem('sprint-status.yaml cannot be read', vscode.TreeItemCollapsibleState.None);
        item.id = 'problem';
        item.description = element.message.split('\n')[0];
        item.tooltip = element.message;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.command = { command: 'sprintRunner.ledger.open', title: 'Open sprint-status.yaml' };
        return item;
      }
    }
  }

  /** Tooltips read the story file and the activity only when hovered. */
  async resolveTreeItem(item: vscode.TreeItem, element: SprintTreeElement): Promise<vscode.TreeItem> {
    if (element.kind !== 'story') return item;
    const md = new vscode.MarkdownString(undefined, true);
    const uri = await this.host.storyFile(element.storyKey);
    let title: string | undefined;
    if (uri) {
      try {
        title = firstHeading(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
      } catch {
        // The file vanished meanwhile: the tooltip just omits the title.
      }
    }
    const a = this.host.getActivity(element.storyKey);
    md.appendMarkdown(`**${escapeMd(title ?? element.storyKey)}**\n\n`);
    md.appendMarkdown(`Status: \`${element.status}\`${a?.working && a.command ? ` — working: \`${commandLabel(a.command, a.attempt ?? 1)}\`` : ''}\n\n`);
    md.appendMarkdown(`Last command: ${a?.lastCommand ? `\`${a.lastCommand}\`` : '—'}\n\n`);
    if (a?.lane !== undefined) md.appendMarkdown(`Parallel lane ${a.lane} (its own git worktree)\n\n`);
    md.appendMarkdown(`Tokens: ${(a?.tokens ?? 0).toLocaleString('en-US')} · Cost: $${(a?.costUsd ?? 0).toFixed(2)}`);
    if (!uri) md.appendMarkdown('\n\n_No story file yet._');
    item.tooltip = md;
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
