// ClaudeAgent with `container` set: the real docker client of this machine (no engine running here) and a
// missing podman give a permanent failure with the runtime's clear message; a stand-in `podman` on PATH
// (a real process that records its argv and runs the command after the image, as `podman run` would)
// shows the exact argv, that env values never reach argv, and that stop also kills the container.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClaudeAgent, type ClaudeAgentOptions } from '../../../../src/infra/claude/ClaudeAgent';
import { aRequest, buildSim, HELPER, makeWorkspace, sleepers, waitFor, type Workspace } from '../claude/simHarness';

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A `podman` stand-in: `--version`, `info`, `kill NAME` and `run … IMAGE CMD…` (runs CMD in `-w`). */
function fakePodman(dir: string, sim: string): string {
  const script = `#!/bin/sh
log="$FAKE_PODMAN_LOG"
case "$1" in
  --version) echo "podman version 9.9.9-fake"; exit 0;;
  info) echo '{}'; exit 0;;
  kill) echo "kill $2" >> "$log"; exit 0;;
  run) ;;
  *) echo "unexpected $1" >&2; exit 2;;
esac
shift
printf 'run' >> "$log"; for a in "$@"; do printf ' %s' "$a" >> "$log"; done; echo >> "$log"
workdir=.
while [ $# -gt 0 ]; do
  case "$1" in
    --rm|--init|-i) shift;;
    -w) workdir="$2"; shift 2;;
    --name|--network|--cpus|--memory|-v|-e) shift 2;;
    *) break;;
  esac
done
shift # the image
cmd="$1"; shift
[ "$cmd" = claude ] && cmd="${sim}"
cd "$workdir" && exec "$cmd" "$@"
`;
  const file = path.join(dir, 'podman');
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  return file;
}

describe('ClaudeAgent in a container (opt-in)', function () {
  this.timeout(30_000);
  let sim: string;
  let ws: Workspace;
  before(async () => {
    sim = await buildSim();
  });
  beforeEach(() => {
    ws = makeWorkspace({ '1-1-hello-world': 'ready-for-dev' });
  });

  function agent(container: ClaudeAgentOptions['container'], scenario: object = { delayMs: 5 }): ClaudeAgent {
    return new ClaudeAgent({
      command: sim,
      logDir: ws.logDir,
      stateDir: ws.stateDir,
      progressHelperPath: HELPER,
      snapshotIntervalMs: 100,
      timeouts: { stopGraceMs: 1000 },
      container,
      env: { IS_SANDBOX: '1', SIM_CLAUDE_SCENARIO: ws.scenario(scenario), SIM_CLAUDE_STATE_DIR: path.join(ws.stateDir, 'sim'), SECRET_TOKEN: 'sk-do-not-log' },
    });
  }

  it('a docker client without an engine: permanent failure with the client\'s own words and the fix', async function () {
    if (!hasCommand('docker')) this.skip();
    const res = await agent({ runtime: 'docker', image: 'node:20' }).execute(aRequest(ws));
    assert.equal(res.outcome, 'permanent');
    assert.equal(res.errorClass, 'container-runtime');
    assert.match(res.message ?? '', /^docker client found but no engine is running: .+\. Fix: start the docker engine/);
  });

  it('no runtime on PATH: permanent failure "No container runtime found … Fix: install podman or docker"', async function () {
    if (hasCommand('podman')) this.skip();
    const res = await agent({ runtime: 'podman', image: 'node:20' }).execute(aRequest(ws));
    assert.equal(res.outcome, 'permanent');
    assert.match(res.message ?? '', /^No container runtime found \(looked for podman on PATH\)\. Fix: install podman or docker/);
  });

  describe('with a podman on PATH', () => {
    let binDir: string;
    let log: string;
    const saved = { PATH: process.env.PATH, FAKE_PODMAN_LOG: process.env.FAKE_PODMAN_LOG };
    beforeEach(() => {
      binDir = mkdtempSync(path.join(os.tmpdir(), 'fake-podman-'));
      fakePodman(binDir, sim);
      log = path.join(binDir, 'argv.log');
      writeFileSync(log, '');
      process.env.PATH = `${binDir}${path.delimiter}${saved.PATH ?? ''}`;
      process.env.FAKE_PODMAN_LOG = log;
    });
    afterEach(() => {
      process.env.PATH = saved.PATH;
      if (saved.FAKE_PODMAN_LOG === undefined) delete process.env.FAKE_PODMAN_LOG;
      else process.env.FAKE_PODMAN_LOG = saved.FAKE_PODMAN_LOG;
    });

    it('wraps the CLI: run --rm --init -i --name … --network none --cpus --memory, cwd and git mounted, env by name only', async () => {
      const a = agent({ runtime: 'podman', image: 'ghcr.io/org/agent:1', cpus: 2, memory: '1g', network: 'none', envNames: ['SECRET_TOKEN'] });
      const res = await a.execute(aRequest(ws, { env: { SPRINT_RUNNER_STORY_IDS: '1-1' } }));
      assert.equal(res.outcome, 'success', res.message);
      const line = readFileSync(log, 'utf8').split('\n').find((l) => l.startsWith('run '))!;
      assert.match(line, /^run --rm --init -i --name sprint-runner-c1-dev-story-1-1-hello-world-a1-[a-z0-9]+-[0-9a-f]{8} --network none --cpus 2 --memory 1g /);
      assert.ok(line.includes(` -v ${ws.root}:${ws.root} -w ${ws.root} `), line);
      assert.ok(line.includes(` -v ${path.join(ws.root, '.git')}:${path.join(ws.root, '.git')}`) === false, 'the .git inside the cwd is already mounted');
      assert.ok(line.includes(` -v ${path.dirname(HELPER)}:${path.dirname(HELPER)}`), 'the progress helper is reachable inside');
      for (const name of ['SECRET_TOKEN', 'SPRINT_RUNNER_STORY_IDS', 'SPRINT_RUNNER_COMMAND', 'SIM_CLAUDE_SCENARIO']) assert.ok(line.includes(` -e ${name} `), `${name} passed by name`);
      assert.doesNotMatch(line, /sk-do-not-log|=/, 'no value in argv');
      assert.match(line, / ghcr\.io\/org\/agent:1 claude -p /);
    });

    it('stop while the agent runs also kills the container by name', async () => {
      const n = 5000 + Math.floor(Math.random() * 1000);
      const a = agent({ runtime: 'podman', image: 'agent:1' }, { delayMs: 5, rules: [{ fail: 'hang', sleepSeconds: n }] });
      const ac = new AbortController();
      const run = a.execute(aRequest(ws, { signal: ac.signal }));
      await waitFor(() => readFileSync(log, 'utf8').includes('run '), 10_000, 'the container start');
      await new Promise((r) => setTimeout(r, 300));
      ac.abort();
      const res = await run;
      assert.equal(res.outcome, 'cancelled');
      const lines = readFileSync(log, 'utf8').split('\n');
      const name = / --name (\S+) /.exec(lines.find((l) => l.startsWith('run '))!)![1];
      assert.ok(lines.includes(`kill ${name}`), lines.join('\n'));
      assert.deepEqual(sleepers(n), [], 'nothing the agent started outlives the stop');
    });
  });
});
