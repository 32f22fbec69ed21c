// One configuration for both front ends: the CLI reads `sprintRunner.*` from the workspace's
// `.vscode/settings.json` (JSON with comments, as VS Code writes it), flags win, and the result maps onto the
// session exactly as the extension's settings do. Help is per command and names the permission mode in force.

import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/cli';
import { resolveCliConfig } from '../../../src/cli/cliConfig';
import { parseCliArgs, UsageError, type CommonOptions } from '../../../src/cli/parseCliArgs';
import { parseJsonc, sectionValues } from '../../../src/core/settings/parseJsonc';
import { parseSprintRunnerConfig, SETTING_DEFAULTS } from '../../../src/core/settings/SprintRunnerConfig';
import { sessionOptionsFrom } from '../../../src/infra/sessionOptionsFrom';
import { contributedSettings } from '../../support/manifest';

function common(argv: string[]): CommonOptions {
  const c = parseCliArgs(argv);
  if (!('common' in c) || !c.common) throw new Error('no options');
  return c.common;
}

describe('CLI settings', () => {
  let ws: string;
  beforeEach(() => {
    ws = mkdtempSync(path.join(os.tmpdir(), 'sr-cli-settings-'));
    mkdirSync(path.join(ws, '.vscode'));
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));
  const settings = (text: string) => writeFileSync(path.join(ws, '.vscode', 'settings.json'), text);

  it('reads .vscode/settings.json with comments and trailing commas, flat and nested keys', () => {
    settings(`{
      // the editor's own settings are ignored
      "editor.tabSize": 2,
      "sprintRunner.claude.permissionMode": "acceptEdits", /* inline */
      "sprintRunner.claude.allowedTools": ["Bash(git:*)", "Bash(npm run test:*)",],
      "sprintRunner.git.qualityGates": [{ "name": "tests", "command": ["npm", "test"] }],
      "sprintRunner": { "models": { "default": "sonnet" }, "budgets": { "perBatchUsd": 5 } },
      "sprintRunner.timeouts.idleMinutes": 20,
      "sprintRunner.run.defaultCycles": "all",
    }`);
    const c = resolveCliConfig(common(['run']), ws, {});
    assert.equal(c.config.permissionMode, 'acceptEdits');
    assert.deepEqual(c.config.allowedTools, ['Bash(git:*)', 'Bash(npm run test:*)']);
    assert.deepEqual(c.config.git.qualityGates, [{ name: 'tests', command: ['npm', 'test'] }]);
    assert.equal(c.config.defaultModel, 'sonnet');
    assert.equal(c.config.budgetPerBatchUsd, 5);
    assert.equal(c.config.idleTimeoutMinutes, 20);
    assert.equal(c.config.defaultCycles, 'all', 'run without --cycles runs the cycles the editor proposes');
    assert.match(c.permissionSource, /settings\.json/);
  });

  it('flags win over the file; --no-settings ignores it', () => {
    settings('{"sprintRunner.claude.permissionMode": "acceptEdits", "sprintRunner.git.maxParallel": 3}');
    const c = resolveCliConfig(common(['run', '--permission-mode', 'plan', '--parallel', '2', '--allowed-tool', 'Read', '--allowed-tool', 'Bash(git:*)']), ws, {});
    assert.equal(c.config.permissionMode, 'plan');
    assert.equal(c.permissionSource, '--permission-mode');
    assert.equal(c.config.git.maxParallel, 2);
    assert.deepEqual(c.config.allowedTools, ['Read', 'Bash(git:*)']);
    const none = resolveCliConfig(common(['run', '--no-settings']), ws, {});
    assert.equal(none.config.git.reviewBeforeCommit, false);
    settings('{"sprintRunner.git.reviewBeforeCommit": true}');
    assert.equal(resolveCliConfig(common(['run']), ws, {}).config.git.reviewBeforeCommit, true, 'the settings file turns the review on');
    assert.equal(resolveCliConfig(common(['run', '--no-review-before-commit']), ws, {}).config.git.reviewBeforeCommit, false, 'the flag wins for one run');
    assert.equal(none.config.permissionMode, 'bypassPermissions');
    assert.equal(none.config.git.maxParallel, 1);
  });

  it('maps every flag onto the session as the extension maps its settings', () => {
    const c = resolveCliConfig(
      common([
        'run', '--model', 'opus', '--review-model', 'sonnet', '--cheap-model-from-attempt', '3', '--max-story-reviews', '2',
        '--max-code-reviews', '4', '--budget-story', '1.5', '--budget-batch', '10', '--gate', 'npm test', '--commit-mode', 'engine',
        '--container-image', 'ghcr.io/x/claude:1', '--container-runtime', 'podman', '--step-timeout', '120', '--idle-timeout', '60', '--no-report',
        '--review-before-commit',
      ]),
      ws,
      {},
    );
    const o = sessionOptionsFrom(c.config);
    assert.equal(o.engine?.defaultModel, 'opus');
    assert.equal(o.engine?.reviewModel, 'sonnet');
    assert.equal(o.engine?.cheapModelFromAttempt, 3);
    assert.equal(o.engine?.maxStoryReviews, 2);
    assert.equal(o.engine?.maxCodeReviews, 4);
    assert.deepEqual(o.engine?.budgets, { perStoryUsd: 1.5, perBatchUsd: 10 });
    assert.deepEqual(o.engine?.qualityGates, [{ command: 'npm test' }]);
    assert.equal(o.engine?.commitMode, 'engine');
    assert.equal(o.engine?.sprintReport, false);
    assert.equal(o.engine?.reviewBeforeCommit, true);
    assert.equal(o.agent?.container?.image, 'ghcr.io/x/claude:1');
    assert.equal(o.agent?.container?.runtime, 'podman');
    assert.deepEqual(o.agent?.timeouts, { wallMs: 120_000, idleMs: 60_000 });
    assert.equal(o.agent?.permission?.mode, 'bypassPermissions');
  });

  it('the idle timeout defaults to 15 minutes, and the claude command follows flag > file > SPRINT_RUNNER_CLAUDE > claude', () => {
    assert.equal(SETTING_DEFAULTS.idleTimeoutMinutes, 15);
    assert.equal(parseSprintRunnerConfig(() => undefined, { env: {} }).idleTimeoutMinutes, 15);
    const env = { SPRINT_RUNNER_CLAUDE: '["node", "/opt/sim.js"]' };
    assert.deepEqual(resolveCliConfig(common(['run']), ws, env).config.claude, { command: 'node', args: ['/opt/sim.js'], source: 'environment' });
    settings('{"sprintRunner.claude.command": "tools/claude"}');
    assert.equal(resolveCliConfig(common(['run']), ws, env).config.claude.command, path.join(ws, 'tools', 'claude'));
    assert.equal(resolveCliConfig(common(['run', '--claude', 'my-claude']), ws, env).config.claude.command, 'my-claude');
  });

  it('refuses what cannot be honoured, naming the file and line or the flag', () => {
    settings('{\n  "sprintRunner.claude.permissionMode": "bypassPermissions"\n  "oops": 1\n}');
    assert.throws(() => resolveCliConfig(common(['run']), ws, {}), (e: Error) => e instanceof UsageError && /settings\.json:3: not valid JSON/.test(e.message));
    settings('{"sprintRunner.claude.permissionMode": "yolo"}');
    assert.throws(() => resolveCliConfig(common(['run']), ws, {}), /permissionMode "yolo" is not one of/);
    settings('{"sprintRunner.containers.enabled": true}');
    assert.throws(() => resolveCliConfig(common(['run']), ws, {}), /containers\.image is empty/);
    assert.throws(() => parseCliArgs(['run', '--permission-mode', 'yolo']), /--permission-mode must be one of/);
    assert.throws(() => parseCliArgs(['run', '--parallel', '9']), /--parallel must be a whole number from 1 to 5/);
    assert.throws(() => parseCliArgs(['status', '--model', 'x']), /not an option of "status"/);
  });

  it('parses JSONC without touching strings that look like comments', () => {
    assert.deepEqual(parseJsonc('{"a": "http://x/*y*/", // c\n "b": [1,2,],}'), { a: 'http://x/*y*/', b: [1, 2] });
    assert.deepEqual(parseJsonc(''), {});
    assert.deepEqual(sectionValues({ 'sprintRunner.a.b': 1, sprintRunner: { a: { b: 2, c: 3 } }, other: 4 }, 'sprintRunner'), { 'a.b': 1, 'a.c': 3 });
  });
});

describe('one set of defaults', () => {
  const properties = contributedSettings() as Record<string, { default: unknown; enum?: string[] }>;

  it('the CLI with nothing set gets what the extension gets from package.json\'s defaults', () => {
    const asked: string[] = [];
    const extension = parseSprintRunnerConfig((key) => {
      asked.push(key);
      return properties[`sprintRunner.${key}`]?.default;
    }, { env: {} });
    const cli = parseSprintRunnerConfig(() => undefined, { env: {} });
    assert.deepEqual(cli, extension);
    assert.deepEqual(asked.filter((k) => !(`sprintRunner.${k}` in properties)), [], 'every setting read is declared in package.json');
    assert.equal(properties['sprintRunner.timeouts.idleMinutes'].default, 15);
  });

  it('the CLI\'s choices are the settings\' enums', () => {
    assert.throws(() => parseCliArgs(['run', '--commit-mode', 'robot']), new RegExp(`must be one of ${properties['sprintRunner.git.commitMode'].enum!.join(', ')}`));
    assert.throws(() => parseCliArgs(['run', '--permission-mode', 'x']), new RegExp(`must be one of ${properties['sprintRunner.claude.permissionMode'].enum!.join(', ')}`));
    assert.throws(() => parseCliArgs(['run', '--container-runtime', 'x']), new RegExp(`must be one of ${properties['sprintRunner.containers.runtime'].enum!.join(', ')}`));
  });
});

describe('CLI help', () => {
  let ws: string;
  beforeEach(() => (ws = mkdtempSync(path.join(os.tmpdir(), 'sr-cli-help-'))));
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  async function help(argv: string[]): Promise<string> {
    const out: string[] = [];
    const code = await main(argv, { out: (l) => out.push(l), err: (l) => out.push(l), env: {}, cwd: ws });
    assert.equal(code, 0);
    return out.join('\n');
  }

  it('gives each command its own help, with only its options', async () => {
    const run = await help(['run', '--help']);
    const status = await help(['status', '--help']);
    assert.notEqual(run, status);
    assert.match(run, /^Usage: sprint-runner run/);
    assert.match(run, /--cycles N\|all/);
    assert.match(run, /--permission-mode MODE/);
    assert.match(status, /^Usage: sprint-runner status/);
    assert.doesNotMatch(status, /--cycles|--permission-mode/);
    assert.equal(await help(['help', 'doctor']), await help(['doctor', '-h']));
    assert.match(await help(['--help']), /doctor +Check the setup/);
  });

  it('says the permission mode in force, and what it means', async () => {
    assert.match(await help(['run', '--help']), /Permission mode in force: bypassPermissions \(the default\) — agents edit files and run any command without asking/);
    mkdirSync(path.join(ws, '.vscode'));
    writeFileSync(path.join(ws, '.vscode', 'settings.json'), '{"sprintRunner.claude.permissionMode": "acceptEdits"}');
    assert.match(await help(['run', '--help']), /Permission mode in force: acceptEdits \(sprintRunner\.claude\.permissionMode in .*settings\.json\)/);
    assert.match(await help(['resume', '--permission-mode', 'plan', '--help']), /Permission mode in force: plan \(--permission-mode\)/);
  });
});
