// `sprint-runner status | head -1`: a reader that goes away must not crash the CLI (EPIPE). The built CLI
// (dist/cli.js, `npm run build`) with its standard output closed before it writes anything.

import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(repo, 'dist', 'cli.js');

function withClosedStdout(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    // Like `head -1` after its line, or sooner: the read end is gone before the CLI writes.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('CLI output to a closed pipe', function () {
  this.timeout(60_000);
  let ws: string;
  before(function () {
    if (!existsSync(cli)) throw new Error('dist/cli.js missing: run `npm run build` first');
    ws = mkdtempSync(path.join(os.tmpdir(), 'sr-cli-pipe-'));
    cpSync(path.join(repo, 'sample-workspace'), ws, { recursive: true });
  });
  after(() => rmSync(ws, { recursive: true, force: true }));

  for (const args of [['status'], ['status', '--json'], ['--help'], ['doctor', '--claude', 'claude-not-here']]) {
    it(`sprint-runner ${args.join(' ')} exits as it would have, quietly`, async () => {
      const expected = args[0] === 'doctor' ? 2 : 0;
      const r = await withClosedStdout(args, ws);
      assert.equal(r.code, expected, r.stderr);
      assert.doesNotMatch(r.stderr, /EPIPE|Error:|at /);
    });
  }

  it('in a real shell pipeline with head -1', function () {
    const sh = spawnSync('sh', ['-c', `"${process.execPath}" "${cli}" status | head -1; echo "status=$?"`], { cwd: ws, encoding: 'utf8' });
    assert.doesNotMatch(sh.stderr, /EPIPE|Error/);
    assert.match(sh.stdout, /status=0/);
    assert.equal(sh.stdout.trim().split('\n').length, 2);
  });
});
