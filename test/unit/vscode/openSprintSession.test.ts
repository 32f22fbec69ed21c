// Settings → SprintSession options: what a user sets under sprintRunner.git/report/containers is what
// the engine, the git ports and the agent get; the defaults leave the 003 workflow on the host.
import { strict as assert } from 'node:assert';
import { sessionOptionsFrom } from '../../../src/vscode/openSprintSession';
import { parseGitSettings, type RawGitSettings } from '../../../src/vscode/parseGitSettings';
import { parseSprintRunnerConfig } from '../../../src/core/settings/SprintRunnerConfig';
import type { SprintRunnerConfig } from '../../../src/vscode/SprintRunnerSettings';
import { contributedSettings } from '../../support/manifest';

const properties = contributedSettings();

/** The raw values VS Code returns when the user set nothing: package.json's defaults. */
function defaults(): RawGitSettings {
  const d = (key: string) => structuredClone(properties[`sprintRunner.${key}`].default);
  return {
    commitMode: d('git.commitMode'),
    verifyCommits: d('git.verifyCommits'),
    qualityGates: d('git.qualityGates'),
    maxParallel: d('git.maxParallel'),
    independentStories: d('git.independentStories'),
    mergeSprintIntoBase: d('git.mergeSprintIntoBase'),
    baseBranch: d('git.baseBranch'),
    worktreesDir: d('git.worktreesDir'),
    reportEnabled: d('report.enabled'),
    reviewBeforeCommit: d('git.reviewBeforeCommit'),
    containers: {
      enabled: d('containers.enabled'),
      runtime: d('containers.runtime'),
      image: d('containers.image'),
      cpus: d('containers.cpus'),
      memory: d('containers.memory'),
      network: d('containers.network'),
      command: d('containers.command'),
      env: d('containers.env'),
      extraMounts: d('containers.extraMounts'),
    },
  };
}

function config(raw: RawGitSettings): SprintRunnerConfig {
  // Every other setting at its default, as the extension reads an empty configuration.
  return { ...parseSprintRunnerConfig(() => undefined, { env: {} }), git: parseGitSettings(raw) };
}

describe('settings → SprintSession options (git, gates, parallel, report, containers)', () => {
  it('defaults: agent commits verified, no gates, one story pair at a time, report on, no container', () => {
    const o = sessionOptionsFrom(config(defaults()));
    assert.equal(o.engine?.commitMode, 'agent');
    assert.deepEqual(o.engine?.qualityGates, []);
    assert.equal(o.engine?.maxParallel, 1);
    assert.deepEqual(o.engine?.independentStories, []);
    assert.equal(o.engine?.mergeSprintIntoBase, false);
    assert.equal(o.engine?.sprintReport, true);
    assert.equal(o.engine?.reviewBeforeCommit, false, 'commits without asking unless the review is turned on');
    assert.deepEqual(o.git, { verifyCommits: true });
    assert.equal(o.agent?.container, undefined, 'agents run on the host unless containers are enabled');
  });

  it('maps every git setting onto the engine and the session', () => {
    const raw = defaults();
    Object.assign(raw, {
      commitMode: 'engine',
      verifyCommits: false,
      qualityGates: [{ name: 'tests', command: ['npm', 'test'], timeoutMs: 120_000 }, { command: 'npm run lint' }],
      maxParallel: 3,
      independentStories: ['2a-3-loading-screen', ''],
      mergeSprintIntoBase: true,
      baseBranch: ' main ',
      worktreesDir: '/tmp/lanes',
      reportEnabled: false,
      reviewBeforeCommit: true,
    });
    const o = sessionOptionsFrom(config(raw));
    assert.equal(o.engine?.reviewBeforeCommit, true);
    assert.equal(o.engine?.commitMode, 'engine');
    assert.deepEqual(o.engine?.qualityGates, [{ name: 'tests', command: ['npm', 'test'], timeoutMs: 120_000 }, { command: 'npm run lint' }]);
    assert.equal(o.engine?.maxParallel, 3);
    assert.deepEqual(o.engine?.independentStories, ['2a-3-loading-screen']);
    assert.equal(o.engine?.mergeSprintIntoBase, true);
    assert.equal(o.engine?.sprintReport, false);
    assert.deepEqual(o.git, { verifyCommits: false, worktreesDir: '/tmp/lanes', baseBranch: 'main' });
  });

  it('keeps maxParallel within 1..5', () => {
    for (const [given, expected] of [[0, 1], [-3, 1], [2.7, 2], [9, 5], ['4', 1]] as const) {
      const raw = { ...defaults(), maxParallel: given };
      assert.equal(sessionOptionsFrom(config(raw)).engine?.maxParallel, expected, `maxParallel ${given}`);
    }
  });

  it('maps the container settings onto the agent (env by name, limits, network)', () => {
    const raw = defaults();
    raw.containers = {
      ...raw.containers,
      enabled: true,
      runtime: 'podman',
      image: 'ghcr.io/acme/claude:1',
      cpus: 2,
      memory: '4g',
      network: 'none',
      env: ['ANTHROPIC_API_KEY'],
      extraMounts: ['/home/u/.npm'],
    };
    const c = config(raw);
    assert.deepEqual(c.git.errors, []);
    assert.deepEqual(sessionOptionsFrom(c).agent?.container, {
      runtime: 'podman',
      image: 'ghcr.io/acme/claude:1',
      network: 'none',
      command: 'claude',
      cpus: 2,
      memory: '4g',
      envNames: ['ANTHROPIC_API_KEY'],
      extraMounts: ['/home/u/.npm'],
    });
  });

  it('container defaults: auto runtime, bridge network (the CLI needs the API), no limits', () => {
    const raw = defaults();
    raw.containers = { ...raw.containers, enabled: true, image: 'img' };
    assert.deepEqual(sessionOptionsFrom(config(raw)).agent?.container, { runtime: 'auto', image: 'img', network: 'bridge', command: 'claude' });
  });

  it('reports settings it cannot honour instead of running less safely (the host refuses to start)', () => {
    const raw = defaults();
    raw.qualityGates = [{ name: 'no command' }, { command: [] }, { command: 'npm test', timeoutMs: 5 }, 'npm test'];
    raw.worktreesDir = 'relative/dir';
    raw.containers = { ...raw.containers, enabled: true, image: '', env: ['ANTHROPIC_API_KEY=sk-secret'] };
    const g = config(raw).git;
    assert.deepEqual(g.qualityGates, [], 'no half-configured gate is kept');
    assert.equal(g.container, undefined);
    const all = g.errors.join('\n');
    assert.match(all, /qualityGates\[0\]: "command" must be/);
    assert.match(all, /qualityGates\[1\]: "command" must be/);
    assert.match(all, /qualityGates\[2\]: "timeoutMs"/);
    assert.match(all, /qualityGates\[3\] must be an object/);
    assert.match(all, /worktreesDir must be an absolute folder/);
    assert.match(all, /containers\.image is empty/);

    const withImage = defaults();
    withImage.containers = { ...withImage.containers, enabled: true, image: 'img', env: ['ANTHROPIC_API_KEY=sk-secret'] };
    const errors = config(withImage).git.errors.join('\n');
    assert.match(errors, /lists names only/);
    assert.ok(!errors.includes('sk-secret'), 'a value typed into the names list is never echoed');
  });
});
