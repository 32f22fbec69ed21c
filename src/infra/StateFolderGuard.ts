// The state folder holds Sprint Runner's own files (database, journal, logs, lock) and is ignored by
// git through a `.gitignore` with `*`. That file must only go into a folder Sprint Runner made: written
// into a project folder (`--state-dir .`) it hides the whole project from the batch commit, which then
// silently holds only the ledger. A folder that holds files tracked by git is refused outright.

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The state folder is part of the project (it holds tracked files): bad configuration, exit 2. */
export class StateFolderError extends Error {
  override readonly name = 'StateFolderError';
}

/** What Sprint Runner itself puts into a state folder: a folder holding only these is its own. */
const OWN_ENTRY = /^(\.?sprint-runner[.-].*|logs|worktrees|system-prompts|children\.json|stop-request|\.gitignore)$/;

export const STATE_GITIGNORE = '# Sprint Runner state: not part of the project\n*\n';

/** Files tracked by git inside `dir` (empty outside a repository or when git is missing). */
async function trackedFilesIn(dir: string): Promise<string[]> {
  try {
    const { stdout } = await execFileAsync('git', ['-C', dir, 'ls-files', '-z', '--', '.'], { encoding: 'utf8', timeout: 15_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout.split('\0').filter((f) => f !== '');
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
export async function checkStateFolder(stateDir: string): Promise<StateFolderCheck> {
  let entries: string[];
  try {
    entries = fs.readdirSync(stateDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { mayIgnoreAll: true };
    throw err;
  }
  const tracked = await trackedFilesIn(stateDir);
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
