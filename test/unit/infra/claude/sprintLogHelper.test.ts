// media/sprint-log.sh, the helper prompts tell agents to call, run for real with sh.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseProgressLine } from '../../../../src/core/claude/progressCsv';
import { STEP_COMMANDS } from '../../../../src/core/commands';
import { HELPER, REPO } from './simHarness';

function runHelper(args: string[], env: Record<string, string>, cwd: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync('sh', [HELPER, ...args], { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe('media/sprint-log.sh', () => {
  const env = { SPRINT_RUNNER_EPIC_ID: '2a', SPRINT_RUNNER_STORY_IDS: '2a-1,2a-2', SPRINT_RUNNER_COMMAND: 'code-review', SPRINT_RUNNER_COMMAND_LABEL: 'code-review-3', SPRINT_RUNNER_ATTEMPT: '3' };

  it('prints an RFC 4180 line the orchestrator parses back, and appends it to docs/sprint-runner.csv (creating docs/)', () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'sprint-log-'));
    const before = Math.floor(Date.now() / 1000);
    const r = runHelper(['fix', 'end', 'Fixed "null" check, twice\nsecond line'], env, cwd);
    assert.equal(r.status, 0, r.stderr);
    const row = parseProgressLine(r.stdout.trim());
    assert.ok(row);
    assert.ok(row.timestamp >= before && row.timestamp <= before + 5);
    assert.deepEqual({ ...row, timestamp: 0 }, { timestamp: 0, epicId: '2a', storyId: '2a-1', command: 'code-review-3', taskId: 'fix', status: 'end', message: 'Fixed "null" check, twice second line' });
    assert.match(r.stdout, /,"Fixed ""null"" check, twice second line"\n$/);
    assert.equal(readFileSync(path.join(cwd, 'docs', 'sprint-runner.csv'), 'utf8'), r.stdout);
    runHelper(['--story', '2a-2', 'validate', 'start', 'Validating'], env, cwd);
    const lines = readFileSync(path.join(cwd, 'docs', 'sprint-runner.csv'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
    assert.equal(parseProgressLine(lines[1])?.storyId, '2a-2');
  });

  it('fills the review iteration from SPRINT_RUNNER_ATTEMPT when no label is set, and the epic from the story id', () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'sprint-log-'));
    const r = runHelper(['setup', 'start', 'Loading'], { SPRINT_RUNNER_STORY_IDS: '5-sr-3', SPRINT_RUNNER_COMMAND: 'story-review', SPRINT_RUNNER_ATTEMPT: '2' }, cwd);
    const row = parseProgressLine(r.stdout.trim());
    assert.equal(row?.command, 'story-review-2');
    assert.equal(row?.epicId, '5-sr');
  });

  it('refuses bad arguments with a usage message and exit 2, writing nothing', () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'sprint-log-'));
    for (const [args, why] of [
      [['setup'], /expected <task-id> <status>/],
      [['set up', 'start', 'x'], /task-id 'set up' must be a word/],
      [['setup', 'start', 'a', 'b'], /too many arguments \(4\): quote the message/],
      [['--story'], /--story needs a story id/],
    ] as [string[], RegExp][]) {
      const r = runHelper(args, env, cwd);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, /^usage: sh "\$SPRINT_RUNNER_LOG" \[--story <story_id>\] <task-id> <status> "<message>"/);
      assert.match(r.stderr, why);
      assert.equal(r.stdout, '');
    }
    const noStory = runHelper(['setup', 'start', 'x'], { SPRINT_RUNNER_COMMAND: 'dev-story' }, cwd);
    assert.match(noStory.stderr, /no story id: pass --story <story_id> or set SPRINT_RUNNER_STORY_IDS/);
    assert.deepEqual(readdirSync(cwd), []);
  });

  it('is POSIX sh (dash parses it)', () => {
    execFileSync('sh', ['-n', HELPER]);
  });
});

describe('sample-scenarios/', () => {
  it('every shipped scenario is valid JSON naming real commands and known failures', () => {
    const dir = path.join(REPO, 'sample-scenarios');
    const fails = ['overloaded', 'rate-limit', 'server-error', 'auth', 'invalid-request', 'no-connection', 'max-turns', 'budget', 'no-result', 'malformed', 'signal', 'hang', 'chatty', 'big-line', 'stderr-error'];
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.ok(files.includes('happy.json'));
    for (const f of files) {
      const s = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { rules?: { command?: string; fail?: string }[] };
      for (const r of s.rules ?? []) {
        assert.ok(r.command === undefined || r.command === '*' || (STEP_COMMANDS as readonly string[]).includes(r.command), `${f}: ${r.command}`);
        assert.ok(r.fail === undefined || fails.includes(r.fail), `${f}: ${r.fail}`);
      }
    }
  });
});
