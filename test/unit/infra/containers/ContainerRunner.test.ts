import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import { ContainerRunner, buildContainerKillArgv, buildContainerRunArgv, containerNameForStep, detectContainerRuntime } from '../../../../src/infra/containers/ContainerRunner';
import { loadExeca } from '../../../../src/infra/git/loadExeca';

describe('ContainerRunner', () => {
  it('builds the run argv: limits, same-path mount, network, env by name, --init, --rm, name', () => {
    const name = containerNameForStep('c1/code-review/1-2-foo/a3');
    assert.match(name, /^sprint-runner-c1-code-review-1-2-foo-a3-[0-9a-f]{8}$/);
    const argv = buildContainerRunArgv({
      runtime: 'podman',
      image: 'ghcr.io/acme/agent:1',
      name,
      cwd: '/srv/trees/1-2 foo',
      command: ['claude', '-p', '--output-format', 'stream-json'],
      network: 'none',
      cpus: 2,
      memory: '4g',
      envNames: ['ANTHROPIC_API_KEY', 'SPRINT_RUNNER_STEP'],
      extraMounts: ['/srv/repo/.git'],
    });
    assert.deepEqual(argv, [
      'podman', 'run', '--rm', '--init', '-i', '--name', name, '--network', 'none', '--cpus', '2', '--memory', '4g',
      '-v', '/srv/trees/1-2 foo:/srv/trees/1-2 foo', '-w', '/srv/trees/1-2 foo', '-v', '/srv/repo/.git:/srv/repo/.git',
      '-e', 'ANTHROPIC_API_KEY', '-e', 'SPRINT_RUNNER_STEP',
      'ghcr.io/acme/agent:1', 'claude', '-p', '--output-format', 'stream-json',
    ]);
    assert.deepEqual(buildContainerKillArgv('docker', name), ['docker', 'kill', name]);
  });

  it('refuses env values, bad mounts, bad limits and bad policies', () => {
    const base = { runtime: 'docker' as const, image: 'node:20', name: 'sprint-runner-x', cwd: '/w', command: ['true'], network: 'none' as const };
    assert.throws(() => buildContainerRunArgv({ ...base, envNames: ['API_KEY=sk-secret'] }), /names only/);
    assert.throws(() => buildContainerRunArgv({ ...base, cwd: 'relative' }), /absolute path/);
    assert.throws(() => buildContainerRunArgv({ ...base, cwd: '/a:/etc' }), /without ':'/);
    assert.throws(() => buildContainerRunArgv({ ...base, memory: '4 gigs' }), /memory limit/);
    assert.throws(() => buildContainerRunArgv({ ...base, cpus: -1 }), /cpu limit/);
    assert.throws(() => buildContainerRunArgv({ ...base, network: 'open' as never }), /network policy/);
    assert.throws(() => buildContainerRunArgv({ ...base, image: 'node; rm -rf /' }), /Invalid container image/);
  });

  it('reports an absent runtime clearly', async () => {
    const saved = process.env.PATH;
    process.env.PATH = os.tmpdir(); // nothing called docker or podman there
    try {
      const s = await detectContainerRuntime();
      assert.equal(s.clientFound, false);
      assert.match(s.message, /^No container runtime found \(looked for podman, docker on PATH\)\. Fix:/);
      assert.throws(() => new ContainerRunner(s), /No container runtime found/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('reports a client without an engine with the client\'s own words (this machine: docker, no daemon)', async function () {
    const { execa } = await loadExeca();
    const hasDocker = (await execa('docker', ['--version'], { reject: false })).exitCode === 0;
    const engine = hasDocker && (await execa('docker', ['info'], { reject: false, timeout: 10_000 })).exitCode === 0;
    if (!hasDocker || engine) {
      console.log(`      skipped: needs a docker client without a running engine (client ${hasDocker ? 'found' : 'absent'}, engine ${engine ? 'running' : 'absent'})`);
      this.skip();
    }
    const s = await detectContainerRuntime({ preferred: 'docker' });
    assert.equal(s.clientFound, true);
    assert.equal(s.engineRunning, false);
    assert.match(s.message, /^docker client found but no engine is running: .*(Cannot connect|daemon|docker\.sock).*Fix: start the docker engine/);
    assert.throws(() => new ContainerRunner(s), /no engine is running/);
  });

  it('runs a command in a real container when an engine answers', async function () {
    this.timeout(120_000);
    const s = await detectContainerRuntime();
    if (!s.engineRunning || !s.runtime) {
      console.log(`      skipped: ${s.message}`);
      this.skip();
    }
    const { execa } = await loadExeca();
    const image = process.env.SPRINT_RUNNER_TEST_IMAGE ?? 'alpine:3';
    if ((await execa(s.runtime!, ['image', 'inspect', image], { reject: false })).exitCode !== 0) {
      console.log(`      skipped: image ${image} is not present locally (set SPRINT_RUNNER_TEST_IMAGE)`);
      this.skip();
    }
    const runner = new ContainerRunner(s);
    const cwd = os.tmpdir();
    process.env.SR_TEST_VALUE = 'from-host';
    const { file, args } = runner.wrap({ image, name: containerNameForStep(`test/${Date.now()}`), cwd, command: ['sh', '-c', 'pwd; echo $SR_TEST_VALUE'], network: 'none', envNames: ['SR_TEST_VALUE'], interactive: false });
    const r = await execa(file, args, { reject: false });
    assert.equal(r.exitCode, 0, String(r.stderr));
    assert.equal(String(r.stdout), `${cwd}\nfrom-host`);
  });
});
