// The composition the CLI and the extension use (SprintSession) on a real git repository with sim-claude:
// batch commits are verified by default, the engine commit mode commits by itself, the state folder never
// reaches git, and the sprint report is written at the end of the batch.

import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SprintEvent } from '../../../src/core/SprintEvents';
import { GitRepository } from '../../../src/infra/git/GitRepository';
import { SprintSession } from '../../../src/session/SprintSession';
import { buildSim, HELPER, makeWorkspace, REPO, type Workspace } from '../infra/claude/simHarness';

describe('SprintSession with git (sim-claude, real repository)', function () {
  this.timeout(60_000);
  let sim: string;
  before(async () => {
    sim = await buildSim();
  });

  async function runOne(ws: Workspace, engine: Parameters<typeof SprintSession.open>[0]['engine'] = {}) {
    const session = await SprintSession.open({
      workspaceRoot: ws.root,
      stateDir: ws.stateDir,
      claude: { command: sim, args: [] },
      extensionRoot: REPO,
      engine,
      agent: {
        progressHelperPath: HELPER,
        env: { IS_SANDBOX: '1', SIM_CLAUDE_SCENARIO: ws.scenario({ delayMs: 2 }), SIM_CLAUDE_STATE_DIR: path.join(ws.stateDir, 'sim') },
      },
    });
    const events: SprintEvent[] = [];
    session.onDidEmit((e) => events.push(e));
    try {
      const result = await session.run({ cycles: 1 });
      return { result, events, repo: new GitRepository(ws.root) };
    } finally {
      await session.dispose();
    }
  }

  it('agent mode: the agent\'s commit is verified; the state folder is git-ignored; the sprint report is written', async () => {
    const ws = makeWorkspace({ '1-1-hello-world': 'review' });
    const { result, events, repo } = await runOne(ws);
    assert.equal(result.status, 'completed', result.reason);
    const verified = events.filter((e): e is Extract<SprintEvent, { type: 'commit:verified' }> => e.type === 'commit:verified');
    assert.equal(verified.length, 1, JSON.stringify(events.filter((e) => e.type === 'commit:failed' || e.type === 'error')));
    assert.equal(verified[0].sha, await repo.head());
    assert.equal(verified[0].message.split('\n')[0], 'feat(1): implement stories 1-1');
    assert.equal(readFileSync(path.join(ws.stateDir, '.gitignore'), 'utf8').split('\n')[1], '*');
    const committed = (await repo.showCommit('HEAD')).files;
    assert.ok(!committed.some((f) => f.startsWith('.state/')), committed.join(', '));
    const reports = readdirSync(ws.artifacts).filter((f) => f.startsWith('sprint-report-'));
    assert.equal(reports.length, 1);
    const report = readFileSync(path.join(ws.artifacts, reports[0]), 'utf8');
    assert.match(report, /\| 1-1-hello-world \| 1 \| done \| 1 \| — \|/);
    assert.match(report, /feat\(1\): implement stories 1-1 \(1-1-hello-world\): verified/);
  });

  it('engine mode: no batch-commit agent; the engine commits the cycle and archives the story file', async () => {
    const ws = makeWorkspace({ '1-1-hello-world': 'review' });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(ws.artifacts, '1-1-hello-world.md'), '# Story 1-1\n');
    const { result, events, repo } = await runOne(ws, { commitMode: 'engine' });
    assert.equal(result.status, 'completed', result.reason);
    assert.ok(!events.some((e) => e.type === 'command:start' && e.command === 'batch-commit'));
    const info = await repo.showCommit('HEAD');
    assert.equal(info.subject, 'feat(1): implement stories 1-1');
    assert.ok(info.files.includes('_bmad-output/archived-artifacts/1-1-hello-world.md'), info.files.join(', '));
    assert.ok(info.files.includes('_bmad-output/implementation-artifacts/sprint-status.yaml'));
    assert.ok(!existsSync(path.join(ws.artifacts, '1-1-hello-world.md')));
    assert.ok(events.some((e) => e.type === 'commit:verified' && e.mode === 'engine' && e.sha === info.sha));
  });
});
