// A fresh clone, as a new user gets it: `git clone` of this checkout's HEAD into an empty temporary folder
// (nothing beside it, no dist/, no node_modules), `npm ci`, then the type check, unit tests that read the
// in-repository fixtures, the build, and the CLI packed, installed into its own prefix and run from outside
// the repository. npm's cache is used when it has the packages (`--prefer-offline`); nothing else is.
//
// Run with `npm run test:fresh-clone` (a stage of `npm test`); not part of the fast unit suite.

import { strict as assert } from 'node:assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const source = path.resolve(__dirname, '..', '..');

/** Unit test files that need nothing but the clone: the fixtures they read are inside the repository. */
const UNIT_FILES = [
  'test/unit/ledger/SprintLedger.test.ts',
  'test/unit/ledger/LedgerLineScanner.test.ts',
  'test/unit/claude/transcripts.test.ts',
  'test/unit/claude/progressCsv.test.ts',
  'test/unit/workspace/createLedgerFromTemplate.test.ts',
  'test/unit/cli/parseCliArgs.test.ts',
  'test/unit/doctor/runDoctor.test.ts',
];

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return r;
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what} failed (exit ${r.status}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

describe('a fresh clone', function () {
  this.timeout(900_000);
  let parent: string;
  let clone: string;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

  before(function () {
    parent = mkdtempSync(path.join(os.tmpdir(), 'sr-fresh-'));
    clone = path.join(parent, 'sprint-runner');
    ok(run('git', ['clone', '--quiet', source, clone], parent), 'git clone');
    const head = ok(run('git', ['rev-parse', 'HEAD'], source), 'git rev-parse').trim();
    if (ok(run('git', ['rev-parse', 'HEAD'], clone), 'git rev-parse').trim() !== head) ok(run('git', ['checkout', '--quiet', head], clone), 'git checkout');
    assert.deepEqual(readdirSync(parent), ['sprint-runner'], 'the clone has nothing beside it');
    assert.equal(existsSync(path.join(clone, 'node_modules')), false);
    ok(run(npm, ['ci', '--prefer-offline', '--no-audit', '--no-fund'], clone), 'npm ci');
  });
  after(() => parent && rmSync(parent, { recursive: true, force: true }));

  it('type-checks', () => {
    ok(run(npm, ['run', '-s', 'typecheck'], clone), 'npm run typecheck');
  });

  it('passes unit tests that read the fixtures in the repository', () => {
    for (const f of UNIT_FILES) assert.ok(existsSync(path.join(clone, f)), `${f} is not in the clone`);
    const mocha = path.join(clone, 'node_modules', 'mocha', 'bin', 'mocha.js');
    const out = ok(run(process.execPath, [mocha, '--no-config', '--require', 'tsx/cjs', '--require', './test/mochaSetup.ts', '--extension', 'ts', '--timeout', '60000', ...UNIT_FILES], clone), 'mocha');
    assert.match(out, /\d+ passing/);
    assert.doesNotMatch(out, /\d+ failing/);
  });

  it('builds, and the packed CLI installs into its own prefix and runs outside the repository', () => {
    ok(run(npm, ['run', '-s', 'build'], clone), 'npm run build');
    const packs = path.join(os.tmpdir(), `sr-pack-${process.pid}-${Date.now()}`);
    mkdirSync(packs);
    try {
      const tarball = ok(run(npm, ['pack', '--silent', '--pack-destination', packs], clone), 'npm pack').trim().split('\n').pop()!;
      const prefix = path.join(packs, 'prefix');
      ok(run(npm, ['install', '--global', '--prefix', prefix, path.join(packs, tarball), '--prefer-offline', '--no-audit', '--no-fund'], packs), 'npm install -g');
      const bin = process.platform === 'win32' ? path.join(prefix, 'sprint-runner.cmd') : path.join(prefix, 'bin', 'sprint-runner');
      assert.equal(existsSync(path.join(prefix, 'bin', 'sim-claude')), false, 'sim-claude is a test double, not a user command');
      const elsewhere = path.join(packs, 'project');
      cpSync(path.join(clone, 'sample-workspace'), elsewhere, { recursive: true });
      const version = ok(run(bin, ['--version'], elsewhere), 'sprint-runner --version').trim();
      assert.match(version, /^\d+\.\d+\.\d+/);
      assert.match(ok(run(bin, ['run', '--help'], elsewhere), 'sprint-runner run --help'), /Permission mode in force: bypassPermissions/);
      // The doctor reads the packaged ledger parser and finds the sample's ledger; claude is absent here on purpose.
      const doctor = run(bin, ['doctor', '--json', '--claude', path.join(packs, 'no-claude')], elsewhere);
      assert.equal(doctor.status, 2, doctor.stderr);
      const report = JSON.parse(doctor.stdout) as { checks: { id: string; status: string }[] };
      assert.equal(report.checks.find((c) => c.id === 'ledger')?.status, 'ok');
      assert.equal(report.checks.find((c) => c.id === 'claude.cli')?.status, 'fail');
    } finally {
      rmSync(packs, { recursive: true, force: true });
    }
  });
});
