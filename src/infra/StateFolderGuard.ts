// The state folder holds Sprint Runner's own files (database, journal, logs, lock) and is ignored by
// git through a `.gitignore` with `*`. That file must only go into a folder Sprint Runner made: written
// into a project folder (`--state-dir .`) it hides the whole project from the batch commit, which then
// silently holds only the ledger. A folder that holds files tracked by git is refused outright.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The state folder is part of the project (it holds tracked files): bad configuration, exit 2. */
export class StateFolderError extends Error {
  override readonly name = 'StateFolderError';
}

/** What Sprint Runner itself puts into a state folder: a folder holding only these is its own. */
const OWN_ENTRY = /^(\.?sprint-runner[.-].*|logs|worktrees|system-prompts|children\.json|stop-request|\.gitignore)$/;

export const STATE_GITIGNORE = '# Sprint Runner state: not part of the project\n*\n';

/** Files tracked by git inside `dir` (empty outside a repository or when git is missing). */
function trackedFilesIn(dir: string): string[] {
  try {
    const out = execFileSync('git', ['-C', dir, 'ls-files', '-z', '--', '.'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 15_000 });
    return out.split('\0').filter((f) => f !== '');
  } catch {
    return [];
  }
}

export interface StateFolderCheck {
  /** Whether Sprint Runner may write its `.gitignore` (`*`) there: a folder it creates now, or one holding only its own files. */
  mayIgnoreAll: boolean;
}

/**
 * Checks `stateDir` before anything is written into it. Throws StateFolderError when it holds files
 * git tracks (naming some of them and the fix); otherwise says whether the folder is Sprint Runner's own.
 */
export function checkStateFolder(stateDir: string): StateFolderCheck {
  let entries: string[];
  try {
    entries = fs.readdirSync(stateDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { mayIgnoreAll: true };
    throw err;
  }
  const tracked = trackedFilesIn(stateDir);
  if (tracked.length > 0) {
    const shown = tracked.slice(0, 3).join(', ');
    throw new StateFolderError(
      `${stateDir}: the state folder holds ${tracked.length} file(s) tracked by git (${shown}${tracked.length > 3 ? ', …' : ''}). ` +
        'Sprint Runner keeps its database, logs and locks there and hides the folder from git, which would leave your project out of the batch commit. ' +
        `Fix: give a folder of its own, e.g. --state-dir ${path.join(stateDir, '.sprint-runner')} (the default), or leave --state-dir out.`,
    );
  }
  return { mayIgnoreAll: entries.every((name) => OWN_ENTRY.test(name)) };
}
