// Child process for the kill -9 test: runs the real engine in parallel mode on a workspace; story 1-1 goes
// through quickly, story 2-1's dev-story writes half its work and then hangs. When 1-1's lane commit is
// made (and 2-1 is mid-step), the commit's sha is written to the marker file and the parent SIGKILLs us.
// argv: <workspace root> <state dir> <sprint id> <marker file>

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { SprintLedger } from '../../../src/core/ledger/SprintLedger';
import type { WorkspaceLayout } from '../../../src/core/workspace/WorkspaceLayout';
import { NodeGitPort } from '../../../src/infra/git/NodeGitPort';
import { NodeLanePort } from '../../../src/infra/git/NodeLanePort';
import { NodeFileSystem } from '../../../src/infra/NodeFileSystem';
import { aRunner, aStore, type TestWorkspace } from '../../support/workflowBuilders';
import { writeIn } from './gitWorkspace';

async function main(): Promise<void> {
  const [root, stateDir, sprintId, marker] = process.argv.slice(2);
  const art = path.join(root, '_bmad-output', 'implementation-artifacts');
  const plan = path.join(root, '_bmad-output', 'planning-artifacts');
  const layout: WorkspaceLayout = {
    root,
    ledgerPath: path.join(art, 'sprint-status.yaml'),
    implementationArtifacts: art,
    planningArtifacts: plan,
    projectContextPath: path.join(plan, 'project-context.md'),
    promptOverrideDir: path.join(root, '_bmad/bmm/workflows/4-implementation/sprint-runner/prompts'),
    scriptsDir: path.join(root, '_bmad', 'scripts'),
  };
  const fs = new NodeFileSystem();
  const ledger = new SprintLedger(layout.ledgerPath, fs);
  const ws = { root, layout, fs, ledger } as unknown as TestWorkspace; // only the fields aRunner reads
  const store = await aStore(stateDir);
  const lanes = await NodeLanePort.open({ workspaceRoot: root, sprintId, stateDir, engineOwnedFiles: [layout.ledgerPath] });
  let release: () => void = () => undefined;
  const firstCommitted = new Promise<void>((resolve) => (release = resolve));
  const t = aRunner(ws, {
    store,
    settings: { maxParallel: 2, commitMode: 'engine' },
    deps: { git: new NodeGitPort(), lanes },
    // Half done: 2-1's dev-story has not moved its story to review yet (a finished one would be verified on disk, not re-run).
    script: { 'dev-story 2-1': { effects: false } },
    work: async (req) => {
      if (req.command !== 'dev-story') return;
      const key = req.storyKeys[0];
      if (key === '2-1-b') {
        await writeIn(req, 'src/2-1-b.ts', '// half done\n');
        await firstCommitted;
        await new Promise(() => undefined); // mid-step when killed
      }
      await writeIn(req, `src/${key}.ts`, `export const x = ${JSON.stringify(key)};\n`);
    },
  });
  t.runner.onDidEmit((e) => {
    if (e.type === 'commit:verified' && e.storyKeys[0] === '1-1-a') {
      void store.checkpoint().then(async () => {
        await fsp.writeFile(`${marker}.tmp`, e.sha);
        await fsp.rename(`${marker}.tmp`, marker);
        release();
      });
    }
  });
  await t.runner.run({ cycles: 1 });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
