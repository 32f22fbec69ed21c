// `sprint-runner run --review-before-commit` end to end: main() in-process, sim-claude as the agent, a real git
// repository, the answers piped into a terminal-like stdin: reject with a reason, then approve.

import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli/cli';
import { GitRepository } from '../../../src/infra/git/GitRepository';
import { buildSim, makeWorkspace } from '../infra/claude/simHarness';

describe('CLI: run --review-before-commit with sim-claude', function () {
  this.timeout(120_000);
  let sim: string;
  const saved = { ...process.env };
  before(async () => {
    sim = await buildSim();
  });
  const roots: string[] = [];
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
    for (const k of ['SIM_CLAUDE_SCENARIO', 'SIM_CLAUDE_STATE_DIR']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('prints the diff stat, takes "r" + reason, sends the story back to code review, asks again and commits on "y"', async () => {
    const ws = makeWorkspace({ '1-1-hello-world': 'review' });
    roots.push(ws.root);
    // The agent's environment comes from the process (as a user's shell gives it).
    process.env.SIM_CLAUDE_SCENARIO = ws.scenario({ delayMs: 2 });
    process.env.SIM_CLAUDE_STATE_DIR = path.join(ws.stateDir, 'sim');
    const repo = new GitRepository(ws.root);
    const before = await repo.head();
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    stdin.end('r\nThe greeting must be localised.\ny\n');
    const out: string[] = [];
    const terminal: string[] = [];
    const code = await main(
      ['run', '--cycles', '1', '--commit-mode', 'engine', '--review-before-commit', '--claude', sim, '--workspace', ws.root, '--state-dir', ws.stateDir],
      { out: (l) => out.push(l), err: (l) => terminal.push(`${l}\n`), prompt: (t) => terminal.push(t), env: { PATH: process.env.PATH, IS_SANDBOX: '1', HOME: process.env.HOME }, cwd: ws.root },
      undefined,
      { stdin },
    );
    const said = terminal.join('');
    assert.equal(code, 0, `${out.join('\n')}\n${said}`);
    assert.equal((said.match(/Approve the batch commit\? \[y\/N\/r=reject with reason\]/g) ?? []).length, 2, said);
    assert.match(said, /sprint-status\.yaml\s+\| new file/);
    assert.match(said, / 3 files changed \(3 new\) \(since [0-9a-f]{10}/);
    const log = out.join('\n');
    assert.match(log, /Batch commit rejected, the stories go back to code review: The greeting must be localised\./);
    assert.match(log, /\[1-1 status\] done → review — batch commit rejected: The greeting must be localised\./);
    assert.match(log, /Batch commit approved/);
    assert.match(log, /Engine commit [0-9a-f]+: feat\(1\): implement stories 1-1/);
    assert.equal((await repo.commitsSince(before)).length, 1, 'one commit, after the approval');
  });
});
