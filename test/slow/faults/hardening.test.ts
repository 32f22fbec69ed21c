// Hardening through the real CLI: one runner per ledger whatever the state folder, a state folder that
// is part of the project refused, a corrupt history never shown as an empty one, secrets an agent
// prints never kept or shown, and bad --story / ledger problems said before any agent is paid.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FaultRecorder } from './support/FaultRecorder';
import { ClaudeAgent } from '../../../src/infra/claude/ClaudeAgent';
import { buildContainerRunArgv } from '../../../src/infra/containers/ContainerRunner';
import { consentFingerprint } from '../../../src/vscode/consentTerms';
import { SprintWebhook } from '../../../src/vscode/webhook/SprintWebhook';
import { webhookPayloadFor } from '../../../src/vscode/webhook/webhookPayload';
import { CLI, eventsOfType, FaultWorkspace, REPO, type Scenario } from './support/FaultWorkspace';

const rec = new FaultRecorder('Hardening: locks, state folder, history, secrets, input');
const workspaces: FaultWorkspace[] = [];
afterEach(async () => {
  await Promise.all(workspaces.splice(0).map((w) => w.dispose()));
});

const STORIES = { '1-1-first': 'backlog', '1-2-second': 'backlog', '2-1-third': 'backlog' };
const SLOW: Scenario = { name: 'slow', delayMs: [60, 120], rules: [{ command: 'create-story', techSpec: 'SKIP' }] };
const LEAKY_CLAUDE = path.join(__dirname, 'support', 'leakySecretClaude.mjs');

async function workspace(o: Parameters<typeof FaultWorkspace.create>[0] = {}): Promise<FaultWorkspace> {
  const ws = await FaultWorkspace.create(o);
  workspaces.push(ws);
  return ws;
}

/** Ledger locks of these runs live beside the workspace, not in the user's cache. */
function lockEnv(ws: FaultWorkspace): Record<string, string> {
  return { XDG_CACHE_HOME: path.join(path.dirname(ws.root), 'cache') };
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `sprint-runner status [--json]` (takes no --claude, so not through FaultWorkspace.run). */
function status(ws: FaultWorkspace, ...extra: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'status', '--workspace', ws.root, ...extra], { env: ws.env(lockEnv(ws)), encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

describe('fault injection: hardening (CLI)', function () {
  this.timeout(90_000);

  rec.case({
    id: 'ledger-lock-two-state-folders',
    title: 'a second `sprint-runner run` on the same ledger with another `--state-dir` while the first works',
    expected: 'refused at once with exit 2, naming the holder (pid, host, front end, since); it starts no agent; the first completes',
    run: async () => {
      const ws = await workspace({ stories: STORIES, scenario: SLOW });
      const env = lockEnv(ws);
      const first = ws.start(['run', '--cycles', '1'], { env });
      await waitFor(() => eventsOfType(first.events, 'command:start').length > 0, 30_000, 'the first run to start an agent');
      const otherState = path.join(path.dirname(ws.root), 'other-state');
      const second = await ws.run(['run', '--cycles', '1', '--state-dir', otherState], { env });
      assert.equal(second.code, 2, second.stderr);
      // The setup check's warnings (no BMAD commands in this workspace) may come first: find the refusal.
      const said = second.stderr.split('\n').find((l) => l.includes('another Sprint Runner')) ?? second.stderr;
      assert.ok(said.includes(ws.ledgerPath), `names the ledger: ${said}`);
      assert.match(said, /another Sprint Runner is working on this ledger \(sprint-runner run \(CLI\) with state folder .*, pid \d+ on .+, since \d{4}-\d\d-\d\dT/);
      assert.equal(eventsOfType(second.events, 'command:start').length, 0, 'the second started no agent');
      const r = await first.done;
      assert.equal(r.code, 0, r.stderr);
      // Released with the first run: the next one starts.
      const third = await ws.run(['run', '--cycles', '1', '--state-dir', otherState], { env });
      assert.equal(third.code, 0, third.stderr);
      return `second: exit 2: "${said.replace(ws.ledgerPath, '<ledger>').replace(otherState, '<other>').replace(ws.stateDir, '<state>').slice(0, 260)}"; first: exit 0; a later run with the other state folder: exit 0`;
    },
  });

  rec.case({
    id: 'state-dir-is-workspace-root',
    title: '`--state-dir` pointing at the workspace root (a folder with tracked files)',
    expected: 'refused with exit 2 naming the folder, tracked files and the fix; no `.gitignore` written there; no agent started; the ledger untouched',
    run: async () => {
      const ws = await workspace({ stories: STORIES });
      const before = ws.ledgerFingerprint();
      const ignoreFile = path.join(ws.root, '.gitignore');
      const ignoreBefore = existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : undefined;
      const r = await ws.run(['run', '--cycles', '1', '--state-dir', ws.root], { env: lockEnv(ws) });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /holds \d+ file\(s\) tracked by git/);
      assert.match(r.stderr, /Fix: give a folder of its own/);
      assert.equal(existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : undefined, ignoreBefore, "the project's .gitignore is as it was");
      assert.equal(eventsOfType(r.events, 'command:start').length, 0);
      assert.ok(ws.ledgerFingerprint().bytes.equals(before.bytes));
      // A folder the runner creates still gets its `*` .gitignore.
      const own = await ws.run(['run', '--cycles', '1', '--state-dir', path.join(ws.root, 'state-of-runner')], { env: lockEnv(ws) });
      assert.equal(own.code, 0, own.stderr);
      assert.equal(readFileSync(path.join(ws.root, 'state-of-runner', '.gitignore'), 'utf8').split('\n')[1], '*');
      return `exit 2: "${r.stderr.trim().split('\n')[0].replaceAll(ws.root, '<ws>').slice(0, 240)}"; the project's .gitignore unchanged; a new folder got its .gitignore`;
    },
  });

  rec.case({
    id: 'status-corrupt-database',
    title: '`status` when sprint-runner.db is corrupt (garbage bytes) after a run',
    expected: 'exit 1; says the database is corrupt, names the file, the cause and the fix; the history is not shown as empty without a word',
    run: async () => {
      const ws = await workspace({ stories: { '1-1-first': 'backlog' } });
      const r = await ws.run(['run', '--cycles', '1'], { env: lockEnv(ws) });
      assert.equal(r.code, 0, r.stderr);
      const db = path.join(ws.stateDir, 'sprint-runner.db');
      writeFileSync(db, Buffer.alloc(statSync(db).size, 0x5a));
      const s = status(ws);
      assert.equal(s.code, 1, `${s.stdout}\n${s.stderr}`);
      const line = s.stdout.split('\n').find((l) => l.startsWith('error: ') && l.includes(db)) ?? '';
      assert.ok(line, `no error line naming ${db}:\n${s.stdout}`);
      assert.match(line, /not a valid SQLite database|corrupt|malformed/i);
      assert.match(line, /Fix: /);
      const j = status(ws, '--json');
      assert.equal(j.code, 1);
      assert.ok((JSON.parse(j.stdout) as { stateProblems: string[] }).stateProblems.length > 0);
      return `exit 1: "${line.replace(ws.stateDir, '<state>').slice(0, 300)}"`;
    },
  });

  rec.case({
    id: 'status-corrupt-journal',
    title: '`status` when the run journal holds a line that is not a journal entry',
    expected: 'exit 1; names the journal file and line and says the history is incomplete',
    run: async () => {
      const ws = await workspace({ stories: { '1-1-first': 'backlog' } });
      const r = await ws.run(['run', '--cycles', '1'], { env: lockEnv(ws) });
      assert.equal(r.code, 0, r.stderr);
      const journal = path.join(ws.stateDir, 'sprint-runner.journal');
      writeFileSync(journal, '{"op":"recordEvent","args":[{"truncat\n');
      const s = status(ws);
      assert.equal(s.code, 1, `${s.stdout}\n${s.stderr}`);
      const line = s.stdout.split('\n').find((l) => l.startsWith('error: ') && l.includes(`${journal}:1`)) ?? '';
      assert.ok(line, `no error line naming ${journal}:1:\n${s.stdout}`);
      assert.match(s.stdout, /history above is incomplete/);
      return `exit 1: "${line.replace(ws.stateDir, '<state>').slice(0, 240)}"`;
    },
  });

  rec.case({
    id: 'agent-prints-secrets',
    title: 'an agent wrapper that echoes ANTHROPIC_API_KEY and a *_TOKEN (stderr, a non-JSON stdout line, a stream-json line)',
    expected: 'the run completes; neither value is in the database, the journal, the step logs, the events or anything the CLI printed; the redaction marker shows where they were',
    run: async () => {
      const ws = await workspace({ stories: { '1-1-first': 'backlog' } });
      const key = `sk-ant-api03-${'k'.repeat(6)}${Date.now().toString(36)}-fault`;
      const token = `tok_${Date.now().toString(36)}_leaked_value`;
      const r = await ws.run(['run', '--cycles', '1'], { claude: LEAKY_CLAUDE, env: { ...lockEnv(ws), ANTHROPIC_API_KEY: key, LEAKY_SERVICE_TOKEN: token } });
      assert.equal(r.code, 0, r.stderr);
      const where: string[] = [];
      for (const secret of [key, token]) {
        if (r.stdout.includes(secret)) where.push('CLI stdout (events)');
        if (r.stderr.includes(secret)) where.push('CLI stderr');
        for (const f of filesUnder(ws.stateDir)) if (readFileSync(f).includes(secret)) where.push(path.relative(ws.root, f));
      }
      assert.deepEqual(where, [], `secret values found in: ${where.join(', ')}`);
      const marked = r.stdout.split('\n').filter((l) => l.includes('[REDACTED:ANTHROPIC_API_KEY]')).length;
      assert.ok(marked > 0, 'the agent did print the key (the marker shows where)');
      const db = readFileSync(path.join(ws.stateDir, 'sprint-runner.db'));
      return `exit 0; ${filesUnder(ws.stateDir).length} state files (db ${db.length} bytes, logs) and the CLI output hold no copy; ${marked} event line(s) show [REDACTED:ANTHROPIC_API_KEY]`;
    },
  });

  rec.case({
    id: 'story-unknown-key',
    title: '`run --story` with a key the ledger does not have',
    expected: 'exit 2 before any agent runs (not even project context), naming the key, the ledger and the fix; the ledger untouched',
    run: async () => {
      const ws = await workspace({ stories: STORIES });
      const before = ws.ledgerFingerprint();
      const r = await ws.run(['run', '--cycles', '1', '--story', '1-1'], { env: lockEnv(ws) });
      assert.equal(r.code, 2, r.stderr);
      assert.deepEqual(eventsOfType(r.events, 'command:start').map((e) => e.command), [], 'no agent ran');
      assert.match(r.stderr, /--story "1-1": .* has no story with this key\. Fix: give the whole key, e\.g\. --story 1-1-first/);
      const after = ws.ledgerFingerprint();
      assert.ok(after.bytes.equals(before.bytes) && after.mtimeMs === before.mtimeMs);
      return `exit 2, no agent: "${r.stderr.trim().split('\n')[0].replace(ws.ledgerPath, '<ledger>')}"`;
    },
  });

  rec.case({
    id: 'run-prints-ledger-problems',
    title: '`run` on a ledger with a key that is not a story and an unknown status',
    expected: 'every ledger problem is printed at run start as `warning: <file>:<line>:<col>: <cause>` (as `status` lists them); the good stories still run',
    run: async () => {
      const text = '# sprint status\ndevelopment_status:\n  epic-1: in-progress\n  "not a story": backlog\n  1-1-first: wip\n  1-2-second: backlog\n';
      const ws = await workspace({ ledgerText: text });
      const r = await ws.run(['run', '--cycles', '1'], { env: lockEnv(ws) });
      assert.equal(r.code, 0, r.stderr);
      const warnings = r.stderr.split('\n').filter((l) => l.startsWith(`warning: ${ws.ledgerPath}:`));
      assert.ok(warnings.some((l) => l.includes(':4:') && l.includes('"not a story" is not a story key')), r.stderr);
      assert.ok(warnings.some((l) => l.includes(':5:') && l.includes('unknown status "wip"')), r.stderr);
      assert.match(ws.ledgerText(), /1-2-second: done/);
      return `exit 0; printed: ${warnings.map((w) => `"${w.replace(ws.ledgerPath, '<ledger>').slice(0, 120)}"`).join(', ')}`;
    },
  });

  // The extension-side findings: no CLI flag reaches these settings, so the cases drive the code the
  // extension runs (the same functions the unit tests cover in depth).
  rec.case({
    id: 'consent-extra-args-permission-flag',
    title: '(extension, no CLI) `sprintRunner.claude.extraArgs: ["--permission-mode", "bypassPermissions"]` from a workspace, and a container mount of the docker socket',
    expected: 'refused before any agent runs, naming the setting and the fix; extra args, container and gates are part of the consent (a change asks again)',
    run: async () => {
      const dir = path.join(os.tmpdir(), `sr-consent-${process.pid}`);
      let refusal = '';
      try {
        new ClaudeAgent({ logDir: dir, stateDir: dir, extraArgs: ['--permission-mode', 'bypassPermissions'] });
      } catch (err) {
        refusal = (err as Error).message;
      }
      assert.match(refusal, /^sprintRunner\.claude\.extraArgs may not change what agents are allowed to do; refused: "--permission-mode"\. Fix:/);
      assert.throws(() => buildContainerRunArgv({ runtime: 'docker', image: 'node:20', name: 'n', cwd: '/w', command: ['claude'], network: 'bridge', extraMounts: ['/var/run/docker.sock'] }), /Refusing to mount/);
      const terms = (extraArgs: string[]) => ({ claude: { command: 'claude', args: [], source: 'default' as const }, permissionMode: 'acceptEdits', allowedTools: [], extraArgs, git: { qualityGates: [] } });
      assert.notEqual(consentFingerprint(terms([])), consentFingerprint(terms(['--fallback-model', 'sonnet'])));
      return `refused: "${refusal.slice(0, 150)}…"; docker socket mount refused; a change of extra args changes the consent fingerprint`;
    },
  });

  rec.case({
    id: 'webhook-mrkdwn-and-url',
    title: '(extension, no CLI) a story key `1-1-<!channel>` and a malformed webhook URL',
    expected: 'the key reaches Slack escaped (`&lt;!channel&gt;`, no mention); the malformed URL is never logged; the URL setting is user-scope only',
    run: async () => {
      const text = webhookPayloadFor({ type: 'story:status', at: 0, storyKey: '1-1-<!channel>', from: 'review', to: 'done' }, 'w')!.text;
      assert.ok(!text.includes('<!channel>') && text.includes('&lt;!channel&gt;'), text);
      const warnings: string[] = [];
      const hook = new SprintWebhook(() => 'hooks.slack.com/services/T0/B0/SECRETPART', () => 'w', { warn: (m) => warnings.push(m) });
      hook.handle({ type: 'story:status', at: 0, storyKey: '1-1-a', from: 'review', to: 'done' });
      await hook.flush();
      assert.equal(warnings.length, 1);
      assert.ok(!warnings[0].includes('SECRETPART'), warnings[0]);
      const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { scope?: string }> }[] } };
      const setting = manifest.contributes.configuration.find((g) => g.properties['sprintRunner.webhook.url'])?.properties['sprintRunner.webhook.url'];
      assert.equal(setting?.scope, 'application');
      return `sent "${text}"; logged "${warnings[0].slice(0, 120)}"; scope application`;
    },
  });
});
