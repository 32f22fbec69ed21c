// Maps the extension's settings onto SprintSession's options (src/session) and opens it. Called on first use
// (a run, Resume, the dashboard's history), never at activation: this is where sql.js gets loaded.

import { sessionOptionsFrom } from '../infra/sessionOptionsFrom';
import { SprintSession } from '../session/SprintSession';
import type { SessionOpener } from './SprintSessionHost';

export { sessionOptionsFrom };

export function openSprintSession(extensionRoot: string): SessionOpener {
  return async ({ workspaceRoot, stateDir, config, onLog, commitReview }) =>
    SprintSession.open({
      workspaceRoot,
      stateDir,
      extensionRoot,
      onLog,
      frontEnd: 'VS Code extension',
      // The extension host is every extension's process: sql.js' memory (it only grows) and its CPU go
      // to a child process at a lower priority instead (docs/state.md).
      database: { where: 'process', priority: 'low' },
      ...sessionOptionsFrom(config),
      ...(commitReview ? { commitReview } : {}),
    });
}
