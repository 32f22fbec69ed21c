// The extension's CommitReviewPort: the flow of commitReviewFlow.ts on VS Code's notification, input box,
// Output and diff view. The left side of each diff is the file as it was when the cycle started, served
// read-only by a virtual document provider (`git show <base>:<path>`, argument array, no shell); the right
// side is the working file. Opening changes through the built-in git extension was not used: it compares
// with the index or HEAD, not with the commit the cycle started from, and it may not be enabled.

import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CommitReviewAnswer, CommitReviewPort, CommitReviewRequest } from '../core/workflow/CommitReviewPort';
import { reviewCommit, type CommitReviewUi } from './commitReviewFlow';

export const BASE_SCHEME = 'sprint-runner-base';
/** More files than this open only as a list in the Output (a diff tab each would bury the editor). */
const MAX_DIFF_TABS = 10;

interface BaseQuery {
  root: string;
  base: string;
  path: string;
  /** The file did not exist at the base (new, untracked): the left side is empty. */
  empty?: boolean;
}

export class VscodeCommitReview implements CommitReviewPort, vscode.Disposable {
  private readonly provider: vscode.Disposable;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.provider = vscode.workspace.registerTextDocumentContentProvider(BASE_SCHEME, { provideTextDocumentContent: (uri) => baseContent(uri) });
  }

  decide(request: CommitReviewRequest, signal: AbortSignal): Promise<CommitReviewAnswer> {
    return reviewCommit(this.ui, request, signal);
  }

  dispose(): void {
    this.provider.dispose();
  }

  private readonly ui: CommitReviewUi = {
    log: (lines) => {
      for (const l of lines) this.log.info(l);
    },
    ask: async (message, buttons) => vscode.window.showWarningMessage(message, ...buttons),
    askReason: async (prompt) =>
      vscode.window.showInputBox({
        title: 'Reject the batch commit',
        prompt,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'Say what must change: the code review gets it as a finding.'),
      }),
    openChanges: (request) => this.openChanges(request),
  };

  private async openChanges(request: CommitReviewRequest): Promise<void> {
    const diff = request.diff;
    if (!diff) return;
    const files = diff.files.slice(0, MAX_DIFF_TABS);
    if (diff.files.length > files.length) this.log.info(`Opened the first ${files.length} of ${diff.files.length} changed files; all of them are listed above.`);
    for (const f of files) {
      const query: BaseQuery = { root: diff.root, base: diff.base, path: f.path, ...(f.untracked ? { empty: true } : {}) };
      const left = vscode.Uri.from({ scheme: BASE_SCHEME, path: `/${f.path}`, query: JSON.stringify(query) });
      const working = vscode.Uri.file(path.join(diff.root, f.path));
      // A file deleted during the cycle has no working copy: an empty right side shows the deletion.
      const exists = await vscode.workspace.fs.stat(working).then(() => true, () => false);
      const right = exists ? working : vscode.Uri.from({ scheme: BASE_SCHEME, path: `/${f.path}`, query: JSON.stringify({ ...query, empty: true }) });
      await vscode.commands.executeCommand('vscode.diff', left, right, `${f.path} (cycle ${request.cycle} start ↔ now)`, { preview: false, preserveFocus: true });
    }
  }
}

function baseContent(uri: vscode.Uri): Promise<string> {
  let q: BaseQuery;
  try {
    q = JSON.parse(uri.query) as BaseQuery;
  } catch {
    return Promise.resolve('');
  }
  if (q.empty) return Promise.resolve('');
  return new Promise((resolve) => {
    execFile('git', ['show', `${q.base}:${q.path}`], { cwd: q.root, maxBuffer: 32 * 1024 * 1024, encoding: 'utf8' }, (err, stdout) => resolve(err ? '' : stdout));
  });
}
