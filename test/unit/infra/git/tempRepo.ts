// Real temporary git repositories for the git tests (no git mocks).

import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fsp } from 'node:fs';
import { GitRepository } from '../../../../src/infra/git/GitRepository';

export interface TempRepo {
  dir: string;
  repo: GitRepository;
  write(rel: string, text: string): Promise<void>;
  read(rel: string): Promise<string>;
  exists(rel: string): Promise<boolean>;
  /** Stages everything and commits (test setup only). */
  commitAll(message: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function configureTestRepo(repo: GitRepository): Promise<void> {
  await repo.run(['config', 'user.name', 'Sprint Runner Test']);
  await repo.run(['config', 'user.email', 'test@sprint-runner.invalid']);
  await repo.run(['config', 'commit.gpgsign', 'false']);
  await repo.run(['config', 'core.hooksPath', '/dev/null']);
}

export async function makeTempRepo(prefix = 'sr-git-'): Promise<TempRepo> {
  const dir = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), prefix)));
  const repo = new GitRepository(dir);
  await repo.run(['init', '-q', '-b', 'main']);
  await configureTestRepo(repo);
  const t: TempRepo = {
    dir,
    repo,
    async write(rel, text) {
      await fsp.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await fsp.writeFile(path.join(dir, rel), text);
    },
    read: (rel) => fsp.readFile(path.join(dir, rel), 'utf8'),
    exists: (rel) => fsp.stat(path.join(dir, rel)).then(() => true, () => false),
    async commitAll(message) {
      await repo.run(['add', '-A']);
      return repo.commit(message);
    },
    cleanup: () => fsp.rm(dir, { recursive: true, force: true }),
  };
  await t.write('README.md', '# demo\n');
  await t.write('src/app.ts', 'export const a = 1;\n');
  await t.commitAll('initial');
  return t;
}
