// The Sprint view notices a ledger appearing, moving or going away anywhere in the workspace ("Create
// from Template", BMAD's sprint-planning, a git checkout): a watcher on `**/sprint-status.yaml` makes
// the host find the ledger again. Changes of the ledger in use are the host's own watcher's business,
// so content changes are not watched here (agents rewrite the file often during a run).

import * as vscode from 'vscode';

export const LEDGER_GLOB = '**/sprint-status.yaml';

export function watchLedgerPresence(rediscover: () => Promise<void>, onError: (message: string) => void, debounceMs = 300): vscode.Disposable {
  const watcher = vscode.workspace.createFileSystemWatcher(LEDGER_GLOB, false, true, false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const again = () => {
    // A create is often a burst (temp file + rename, several folders): one rediscovery per burst.
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      rediscover().catch((err: Error) => onError(`Could not look for sprint-status.yaml again: ${err.message}`));
    }, debounceMs);
  };
  const subs = [watcher.onDidCreate(again), watcher.onDidDelete(again)];
  return {
    dispose() {
      if (timer) clearTimeout(timer);
      for (const s of subs) s.dispose();
      watcher.dispose();
    },
  };
}
