// The permission consent covers what agents may do: a workspace's own settings cannot widen it
// behind the user's back. Permission flags in extraArgs are refused (before any agent runs and in the
// argv builder), runtime sockets and the host's root never get mounted, and every term that changes
// what runs (mode, tools, extra args, container, gates) is shown in the prompt and changes the
// fingerprint, so a change asks again.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildClaudeArgs } from '../../../src/core/claude/ClaudeInvocation';
import { REFUSED_EXTRA_FLAGS, refusedExtraArgs } from '../../../src/core/claude/extraArgsPolicy';
import { ClaudeAgent } from '../../../src/infra/claude/ClaudeAgent';
import { buildContainerRunArgv } from '../../../src/infra/containers/ContainerRunner';
import { consentDetail, consentFingerprint, type ConsentSettings } from '../../../src/vscode/consentTerms';
import { parseGitSettings, type RawGitSettings } from '../../../src/vscode/parseGitSettings';

function raw(containers: Partial<RawGitSettings['containers']> = {}, qualityGates: unknown = []): RawGitSettings {
  return {
    commitMode: 'agent',
    verifyCommits: true,
    qualityGates,
    maxParallel: 1,
    independentStories: [],
    mergeSprintIntoBase: false,
    baseBranch: '',
    worktreesDir: '',
    reportEnabled: true,
    containers: { enabled: false, runtime: 'auto', image: '', cpus: 0, memory: '', network: 'bridge', command: 'claude', env: [], extraMounts: [], ...containers },
  };
}

function terms(o: Partial<ConsentSettings> = {}, git: RawGitSettings = raw()): ConsentSettings {
  return {
    claude: { command: 'claude', args: [], source: 'default' },
    permissionMode: 'acceptEdits',
    allowedTools: ['Bash(git:*)'],
    extraArgs: [],
    git: parseGitSettings(git),
    ...o,
  };
}

describe('consent covers what runs', () => {
  it('refuses permission flags in sprintRunner.claude.extraArgs, in every spelling, naming the setting', () => {
    for (const extra of [
      ['--permission-mode', 'bypassPermissions'],
      ['--permission-mode=bypassPermissions'],
      ['--dangerously-skip-permissions'],
      ['--allowedTools', 'Bash'],
      ['--allowed-tools=Bash'],
      ['--disallowedTools', 'Edit'],
      ['--settings', '/tmp/s.json'],
      ['--mcp-config', 'x.json'],
      ['--add-dir', '/'],
    ]) {
      assert.throws(
        () => buildClaudeArgs({ permission: { mode: 'acceptEdits' }, extraArgs: extra }),
        (e: Error) => /sprintRunner\.claude\.extraArgs/.test(e.message) && e.message.includes(extra[0].split('=')[0]) && /Fix:/.test(e.message),
        `not refused: ${extra.join(' ')}`,
      );
    }
    // Harmless flags still pass, after the engine's own permission flags.
    const args = buildClaudeArgs({ permission: { mode: 'acceptEdits' }, extraArgs: ['--fallback-model', 'sonnet'] });
    assert.deepEqual(args.slice(-2), ['--fallback-model', 'sonnet']);
    assert.equal(args.filter((a) => a === '--permission-mode').length, 1);
    assert.deepEqual(refusedExtraArgs(['--fallback-model', 'sonnet', '--verbose']), []);
    assert.ok(REFUSED_EXTRA_FLAGS.includes('--permission-mode'));
  });

  it('refuses them when the agent is built, before any step is paid for', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sr-consent-'));
    try {
      assert.throws(
        () => new ClaudeAgent({ logDir: dir, stateDir: dir, extraArgs: ['--permission-mode', 'bypassPermissions'] }),
        /sprintRunner\.claude\.extraArgs may not change what agents are allowed to do; refused: "--permission-mode"/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never mounts the host root, system folders or the container runtime socket', () => {
    for (const mount of ['/', '/var/run/docker.sock', '/run/podman/podman.sock', '/run/user/1000/podman', '/etc', '/var/run']) {
      const parsed = parseGitSettings(raw({ enabled: true, image: 'node:20', extraMounts: [mount] }));
      assert.ok(parsed.errors.some((e) => e.includes('sprintRunner.containers.extraMounts') && e.includes(JSON.stringify(mount))), `settings accepted ${mount}`);
      assert.throws(
        () => buildContainerRunArgv({ runtime: 'docker', image: 'node:20', name: 'sprint-runner-x', cwd: '/w', command: ['claude'], network: 'bridge', extraMounts: [mount] }),
        /Refusing to mount/,
        `argv mounted ${mount}`,
      );
    }
    const ok = parseGitSettings(raw({ enabled: true, image: 'node:20', extraMounts: ['/home/me/.npm'] }));
    assert.deepEqual(ok.errors, []);
  });

  it('the fingerprint changes, so the prompt comes again, when anything that changes what runs changes', () => {
    const base = consentFingerprint(terms());
    const changed: [string, ConsentSettings][] = [
      ['permission mode', terms({ permissionMode: 'bypassPermissions' })],
      ['allowed tools', terms({ allowedTools: ['Bash'] })],
      ['command', terms({ claude: { command: 'claude', args: ['--x'], source: 'setting' } })],
      ['extra args', terms({ extraArgs: ['--fallback-model', 'sonnet'] })],
      ['container on', terms({}, raw({ enabled: true, image: 'node:20' }))],
      ['container network', terms({}, raw({ enabled: true, image: 'node:20', network: 'host' }))],
      ['container mounts', terms({}, raw({ enabled: true, image: 'node:20', extraMounts: ['/home/me/.ssh'] }))],
      ['container variables', terms({}, raw({ enabled: true, image: 'node:20', env: ['GITHUB_TOKEN'] }))],
      ['container image', terms({}, raw({ enabled: true, image: 'evil:latest' }))],
      ['quality gates', terms({}, raw({}, [{ command: ['curl', 'https://x.invalid'] }]))],
    ];
    const seen = new Set([base]);
    for (const [what, t] of changed) {
      const f = consentFingerprint(t);
      assert.ok(!seen.has(f), `${what}: same fingerprint, no new prompt`);
      seen.add(f);
    }
    assert.equal(consentFingerprint(terms({ allowedTools: ['Bash(git:*)'] })), base, 'an unchanged setting asks nothing');
  });

  it('the prompt names every term: extra args, container network and mounts, variables, gates', () => {
    const detail = consentDetail(
      terms({ extraArgs: ['--fallback-model', 'sonnet'] }, raw({ enabled: true, image: 'node:20', network: 'host', extraMounts: ['/home/me/.npm'], env: ['ANTHROPIC_API_KEY'] }, [{ command: ['npm', 'test'] }])),
    );
    for (const expected of ['Permission mode: acceptEdits', 'Allowed tools: Bash(git:*)', 'Extra arguments: --fallback-model sonnet', 'Container: node:20', 'network host', "shares this machine's network", '/home/me/.npm', 'ANTHROPIC_API_KEY', 'Quality gates run by Sprint Runner: npm test']) {
      assert.ok(detail.includes(expected), `missing "${expected}" in:\n${detail}`);
    }
    assert.match(consentDetail(terms()), /Container: none/);
  });
});
