// How the CLI finds, names and creates the ledger: main() in-process, real files, no agent ever started
// (every case ends before the first step or runs `status`, which starts none).

import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/cli';

interface Ran {
  code: number;
  out: string;
  err: string;
}

/**
 * A `claude` that exists and runs but starts no session: the setup check passes (version and login unknown are
 * warnings), so these cases reach the ledger handling they are about; any agent step would fail at once.
 */
let idleClaude = '';

async function cli(argv: string[], cwd: string): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const args = ['run', 'resume'].includes(argv[0]) && !argv.includes('--claude') ? [...argv, '--claude', idleClaude] : argv;
  const env = { PATH: process.env.PATH, IS_SANDBOX: '1' };
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), env, cwd });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const LEDGER = 'development_status:\n  epic-1: in-progress\n  1-1-a: backlog\n  1-2-b: backlog\n';

describe('CLI: ledger options', () => {
  let base: string;
  let ws: string;
  let elsewhere: string;
  beforeEach(async () => {
    base = await fsp.mkdtemp(path.join(os.tmpdir(), 'sr-ledger-options-'));
    ws = path.join(base, 'project');
    elsewhere = path.join(base, 'shell-folder');
    await fsp.mkdir(ws);
    await fsp.mkdir(elsewhere);
    idleClaude = path.join(base, 'idle-claude');
    await fsp.writeFile(idleClaude, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  });
  afterEach(async () => {
    await fsp.rm(base, { recursive: true, force: true });
  });

  it('a relative --ledger is taken from the workspace, not from the shell folder', async () => {
    await fsp.mkdir(path.join(ws, 'planning'));
    await fsp.writeFile(path.join(ws, 'planning', 'my-sprint.yaml'), LEDGER);
    const r = await cli(['status', '--json', '--workspace', ws, '--ledger', 'planning/my-sprint.yaml', '--state-dir', path.join(base, 'state')], elsewhere);
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as { ledger: string }).ledger, path.join(ws, 'planning', 'my-sprint.yaml'));
    assert.match(r.out, /1-1-a/);
  });

  it('a wrong --ledger names the path looked at, the option, and that it is relative to the workspace', async () => {
    const r = await cli(['status', '--workspace', ws, '--ledger', 'typo.yaml', '--state-dir', path.join(base, 'state')], elsewhere);
    assert.equal(r.code, 2);
    assert.match(r.err, new RegExp(`not found at ${path.join(ws, 'typo.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(r.err, /--ledger/);
    assert.match(r.err, /relative one is taken from the workspace folder/);
  });

  it('no ledger anywhere: exit 2, every place looked at, and --ledger / the setting / --init named', async () => {
    const r = await cli(['run', '--workspace', ws, '--state-dir', path.join(base, 'state')], elsewhere);
    assert.equal(r.code, 2);
    for (const place of ['_bmad-output/implementation-artifacts', 'docs/stories', '.bmad-ephemeral']) {
      assert.ok(r.err.includes(path.join(ws, place, 'sprint-status.yaml')), `lists ${place}:\n${r.err}`);
    }
    assert.match(r.err, /--ledger FILE/);
    assert.match(r.err, /sprintRunner\.ledger\.path/);
    assert.match(r.err, /sprint-runner run --init/);
  });

  it('--init refuses when a ledger exists where the runner would find it, and creates nothing', async () => {
    await fsp.mkdir(path.join(ws, 'docs'));
    await fsp.writeFile(path.join(ws, 'docs', 'sprint-status.yaml'), LEDGER);
    const r = await cli(['run', '--init', '--workspace', ws, '--state-dir', path.join(base, 'state')], elsewhere);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, new RegExp(`already has the ledger ${path.join(ws, 'docs', 'sprint-status.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(r.err, /run without --init/);
    assert.equal(await fsp.stat(path.join(ws, '_bmad-output')).catch(() => undefined), undefined, 'no second ledger created');
  });

  it('--init writes inside the workspace only', async () => {
    const r = await cli(['run', '--init', '--workspace', ws, '--ledger', '../outside.yaml', '--state-dir', path.join(base, 'state')], elsewhere);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /outside the workspace/);
    assert.equal(await fsp.stat(path.join(base, 'outside.yaml')).catch(() => undefined), undefined);
  });

  it('run says which ledger it uses when there are several, and lists key problems before any agent runs', async () => {
    await fsp.mkdir(path.join(ws, 'docs'));
    await fsp.writeFile(path.join(ws, 'docs', 'sprint-status.yaml'), `${LEDGER}  "1-3-../../escape": backlog\n`);
    await fsp.writeFile(path.join(ws, 'sprint-status.yaml'), 'development_status:\n  1-1-old: done\n');
    // The agent command starts no session: the run fails at its first step, after the ledger was read and reported on.
    const r = await cli(['run', '--cycles', '1', '--workspace', ws, '--state-dir', path.join(base, 'state')], elsewhere);
    assert.match(r.err, new RegExp(`Using the ledger ${path.join(ws, 'docs', 'sprint-status.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} .*also found ${path.join(ws, 'sprint-status.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(r.err, /--ledger FILE/);
    const warning = `warning: ${path.join(ws, 'docs', 'sprint-status.yaml')}:5:3: story key "1-3-../../escape" cannot name a story file: it contains a path separator`;
    assert.ok(r.err.includes(warning), `warns with file:line:\n${r.err}`);
    assert.ok(r.err.indexOf(warning) < r.err.search(/not found|Run failed|not usable/), 'before the first agent step');
  });
});
