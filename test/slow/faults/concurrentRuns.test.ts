// Concurrent edits to the ledger while a run works, a second runner on the same workspace, and a stale
// lock left by a dead process — through the real CLI.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../../src/infra/NodeFileSystem';
import { FaultRecorder } from './support/FaultRecorder';
import { eventsOfType, FaultWorkspace, waitNoLeftovers } from './support/FaultWorkspace';

const rec = new FaultRecorder('Concurrent edits and runners');
const workspaces: FaultWorkspace[] = [];
afterEach(async () => {
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

const STORIES = { '1-1-first': 'backlog', '1-2-second': 'backlog', '2-1-third': 'backlog', '2-2-fourth': 'backlog' };
const SLOW = { name: 'slow', delayMs: [60, 120] as [number, number], rules: [{ command: 'create-story', techSpec: 'SKIP' }] };

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('fault injection: concurrent edits and runners (CLI)', function () {
  this.timeout(60_000);

  rec.case({
    id: 'concurrent-ledger-edits',
    title: "while a run works, another process edits a comment and another story's status",
    expected: "both edits survive the run's own status writes (the runner re-reads just before each write)",
    run: async () => {
      const ws = await FaultWorkspace.create({ stories: STORIES, scenario: SLOW });
      workspaces.push(ws);
      const run = ws.start(['run', '--cycles', '1']);
      await waitFor(() => eventsOfType(run.events, 'command:start').some((e) => e.command === 'dev-story'), 30_000, 'dev-story to start');
      const edited = ws
        .ledgerText()
        .replace('# story 2-2-fourth', '# story 2-2-fourth — edited by a person during the run')
        .replace('2-1-third: backlog', '2-1-third: ready-for-dev');
      await writeFileAtomic(ws.ledgerPath, edited); // as an editor saves: whole file, atomically
      const r = await run.done;
      assert.equal(r.code, 0, r.stderr);
      const text = ws.ledgerText();
      assert.match(text, /# story 2-2-fourth — edited by a person during the run/);
      assert.match(text, /2-1-third: ready-for-dev/);
      assert.match(text, /1-1-first: done/);
      assert.match(text, /1-2-second: done/);
      return 'exit 0; the comment edit and 2-1 → ready-for-dev survived; 1-1 and 1-2 done by the run';
    },
  });

  rec.case({
    id: 'concurrent-ledger-appends',
    title: 'while a run works, another process appends a story line to the ledger every 10–40 ms',
    expected: "every appended line survives the run's own status writes (compared again right before each rename, retried)",
    run: async () => {
      const ws = await FaultWorkspace.create({ stories: STORIES, scenario: SLOW });
      workspaces.push(ws);
      const run = ws.start(['run', '--cycles', '1']);
      let finished = false;
      void run.done.then(() => (finished = true));
      await waitFor(() => eventsOfType(run.events, 'command:start').length > 0, 30_000, 'the first agent to start');
      const appended: string[] = [];
      while (!finished) {
        const line = `  9-${appended.length + 1}-appended-during-the-run: backlog\n`;
        await appendFile(ws.ledgerPath, line);
        appended.push(line);
        await new Promise((r) => setTimeout(r, 10 + Math.random() * 30));
      }
      const r = await run.done;
      assert.equal(r.code, 0, r.stderr);
      const text = ws.ledgerText();
      const lost = appended.filter((l) => !text.includes(l));
      assert.deepEqual(lost, [], `${lost.length} of ${appended.length} appended lines lost`);
      assert.match(text, /1-1-first: done/);
      assert.match(text, /1-2-second: done/);
      return `exit 0; ${appended.length} lines appended during the run, none lost; 1-1 and 1-2 done by the run`;
    },
  });

  rec.case({
    id: 'two-runners',
    title: 'a second `sprint-runner run` on the same workspace while the first works',
    expected: 'the second is refused at once with a clear message naming the holder (lock); the first completes',
    run: async () => {
      const ws = await FaultWorkspace.create({ stories: STORIES, scenario: SLOW });
      workspaces.push(ws);
      const first = ws.start(['run', '--cycles', '1']);
      await waitFor(() => eventsOfType(first.events, 'command:start').length > 0, 30_000, 'the first run to start an agent');
      const before = ws.ledgerFingerprint();
      const second = await ws.run(['run', '--cycles', '1']);
      assert.notEqual(second.code, 0);
      assert.match(second.stderr, /another Sprint Runner .*pid \d+/);
      assert.equal(eventsOfType(second.events, 'command:start').length, 0, 'the second started no agent');
      const r = await first.done;
      assert.equal(r.code, 0, r.stderr);
      assert.ok(before.bytes.length > 0);
      return `second: exit ${second.code}: "${second.stderr.trim().split('\n')[0].replace(ws.stateDir, '<state>').slice(0, 220)}"; first: exit ${r.code}`;
    },
  });

  rec.case({
    id: 'stale-lock',
    title: 'a stale lock left by a process that no longer exists',
    expected: 'taken over: the run starts and completes (exit 0)',
    run: async () => {
      const ws = await FaultWorkspace.create({ stories: { '1-1-first': 'backlog' } });
      workspaces.push(ws);
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      const pid = Number(dead.stdout);
      spawnSync('mkdir', ['-p', ws.stateDir]);
      writeFileSync(
        path.join(ws.stateDir, 'sprint-runner.lock'),
        JSON.stringify({ pid, processStartTime: '1', hostname: os.hostname(), startedAt: new Date(Date.now() - 3_600_000).toISOString(), purpose: 'run' }),
      );
      const r = await ws.run(['run', '--cycles', '1']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(ws.ledgerText(), /1-1-first: done/);
      assert.deepEqual(await waitNoLeftovers(ws), []);
      return `exit 0 with a lock of dead pid ${pid}${r.stderr.trim() ? `; said: "${r.stderr.trim().split('\n')[0].slice(0, 160)}"` : ''}`;
    },
  });
});
