import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fsp } from 'node:fs';
import { BoundedOutput, runGate, runQualityGates } from '../../../../src/infra/gates/QualityGates';
import { formatGateFailuresForReview } from '../../../../src/core/gates/formatGateFailuresForReview';

/** Running (a killed process whose parent is gone may stay a zombie until init reaps it: that is dead). */
async function alive(pid: number): Promise<boolean> {
  const status = await fsp.readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  if (status !== undefined) return !/^State:\s+Z/m.test(status);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('QualityGates (real processes)', () => {
  let cwd: string;
  before(async () => {
    cwd = await fsp.realpath(await fsp.mkdtemp(path.join(os.tmpdir(), 'sr-gates-')));
  });
  after(async () => {
    await fsp.rm(cwd, { recursive: true, force: true });
  });

  it('runs in the story cwd, captures stdout and stderr, reports pass and fail', async () => {
    const results = await runQualityGates(
      [
        { name: 'where', command: [process.execPath, '-e', 'console.log(process.cwd()); console.error("to stderr")'] },
        { command: `${JSON.stringify(process.execPath)} -e "process.exit(3)"` },
      ],
      { cwd },
    );
    assert.equal(results.length, 2);
    assert.equal(results[0].ok, true);
    assert.equal(results[0].exitCode, 0);
    assert.match(results[0].output, new RegExp(`${cwd}\\n`));
    assert.match(results[0].output, /to stderr/);
    assert.equal(results[1].ok, false);
    assert.equal(results[1].exitCode, 3);
    assert.equal(results[1].name, `${process.execPath} -e process.exit(3)`);
    assert.match(formatGateFailuresForReview(results), /exit code 3/);
  });

  it('does not interpret shell syntax: a string with operators is refused, an argv is passed literally', async () => {
    const refused = await runGate({ command: 'echo hi && touch pwned' }, { cwd });
    assert.equal(refused.ok, false);
    assert.match(refused.error ?? '', /shell operator '&'/);
    const literal = await runGate({ command: [process.execPath, '-e', 'console.log(process.argv[1])', '$(touch pwned)'] }, { cwd });
    assert.match(literal.output, /\$\(touch pwned\)/);
    assert.equal(await fsp.stat(path.join(cwd, 'pwned')).then(() => true, () => false), false);
  });

  it('times out and kills the whole process group (no orphans)', async () => {
    const pidFile = path.join(cwd, 'grandchild.pid');
    const script = `const {spawn}=require('child_process');const c=spawn(process.execPath,['-e','setInterval(()=>{},1000)'],{stdio:'ignore'});require('fs').writeFileSync(${JSON.stringify(pidFile)},String(c.pid));setInterval(()=>{},1000);`;
    const r = await runGate({ name: 'hang', command: [process.execPath, '-e', script], timeoutMs: 1_000 }, { cwd, killGraceMs: 500 });
    assert.equal(r.ok, false);
    assert.equal(r.timedOut, true);
    assert.match(r.error ?? '', /timed out after 1 s/);
    const grandchild = Number(await fsp.readFile(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(await alive(grandchild), false, 'the grandchild process was killed too');
  });

  it('reports a missing command clearly', async () => {
    const r = await runGate({ command: ['definitely-not-a-command-sr7'] }, { cwd });
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /command not found: definitely-not-a-command-sr7/);
  });

  it('bounds huge output, keeping head and tail', async () => {
    const r = await runGate({ command: [process.execPath, '-e', 'process.stdout.write("HEAD"+"x".repeat(200000)+"TAIL")'] }, { cwd, headChars: 100, tailChars: 100 });
    assert.ok(r.output.length < 400);
    assert.ok(r.output.startsWith('HEAD'));
    assert.ok(r.output.endsWith('TAIL'));
    assert.match(r.output, /\[… 199808 characters of output left out …\]/);
    const b = new BoundedOutput(2, 3);
    b.push('ab');
    b.push('cdefg');
    assert.equal(b.text(), 'ab\n[… 2 characters of output left out …]\nefg');
  });
});
