// A BMAD test workspace that is also a real git repository (no git mocks): the ledger and artifacts are
// committed, so lanes (worktrees) have their own copy, as a real project's repository does.

import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentRequest } from '../../../src/core/agent/AgentContract';
import { GitRepository } from '../../../src/infra/git/GitRepository';
import { aWorkspace, type TestWorkspace, type WorkspaceSpec } from '../../support/workflowBuilders';

export interface GitWorkspace extends TestWorkspace {
  repo: GitRepository;
  /** A folder outside the repository for the run database, lane registry and worktrees. */
  stateDir: string;
  git(...args: string[]): Promise<string>;
}

export async function configureTestGit(repo: GitRepository): Promise<void> {
  await repo.run(['config', 'user.name', 'Sprint Runner Test']);
  await repo.run(['config', 'user.email', 'test@sprint-runner.invalid']);
  await repo.run(['config', 'commit.gpgsign', 'false']);
  await repo.run(['config', 'core.hooksPath', '/dev/null']);
}

export async function aGitWorkspace(spec: WorkspaceSpec, files: Record<string, string> = {}): Promise<GitWorkspace> {
  const ws = await aWorkspace(spec);
  const repo = new GitRepository(ws.root);
  await repo.run(['init', '-q', '-b', 'main']);
  await configureTestGit(repo);
  for (const [rel, text] of Object.entries({ 'README.md': '# demo\n', ...files })) {
    await fsp.mkdir(path.dirname(path.join(ws.root, rel)), { recursive: true });
    await fsp.writeFile(path.join(ws.root, rel), text);
  }
  await repo.run(['add', '-A']);
  await repo.commit('initial');
  const stateDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sr-gitstate-'));
  return {
    ...ws,
    repo,
    stateDir,
    git: async (...args) => (await repo.run(args)).stdout.trim(),
    async dispose() {
      await ws.dispose();
      await fsp.rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** Agent work: what dev-story writes in its cwd (the workspace or its lane). */
export function writeIn(req: AgentRequest, rel: string, text: string): Promise<void> {
  const file = path.join(req.cwd, rel);
  return fsp.mkdir(path.dirname(file), { recursive: true }).then(() => fsp.writeFile(file, text));
}

/** Agent work: the batch-commit workflow, committing everything in its cwd with the 003 message. */
export async function commitAllIn(req: AgentRequest, message?: string): Promise<void> {
  const repo = new GitRepository(req.cwd);
  await repo.run(['add', '-A']);
  await repo.commit(message ?? `feat(${req.env.SPRINT_RUNNER_EPIC_ID}): implement stories ${req.env.SPRINT_RUNNER_STORY_IDS}`);
}
