import { strict as assert } from 'node:assert';
import { parseCliArgs, UsageError } from '../../../src/cli/parseCliArgs';

describe('parseCliArgs', () => {
  it('defaults run to 2 cycles', () => {
    const c = parseCliArgs(['run']);
    assert.equal(c.kind, 'run');
    assert.equal(c.kind === 'run' && c.cycles, 2);
    assert.equal(c.kind === 'run' && c.cyclesGiven, false);
  });

  it('reads a number, all, and --flag=value forms', () => {
    const a = parseCliArgs(['run', '--cycles', '3', '--workspace=/w', '--json']);
    assert.deepEqual(a.kind === 'run' && [a.cycles, a.common.workspace, a.common.json], [3, '/w', true]);
    const b = parseCliArgs(['run', '--cycles', 'ALL']);
    assert.equal(b.kind === 'run' && b.cycles, 'all');
  });

  it('rejects bad cycle counts with a message that names the flag', () => {
    for (const bad of ['0', '-1', '2.5', 'many']) {
      assert.throws(() => parseCliArgs(['run', '--cycles', bad]), (e: Error) => e instanceof UsageError && /--cycles/.test(e.message));
    }
  });

  it('refuses --cycles on resume (the batch keeps its own)', () => {
    assert.throws(() => parseCliArgs(['resume', '--cycles', '2']), /cannot be used with resume/);
  });

  it('refuses unknown commands and options', () => {
    assert.throws(() => parseCliArgs(['go']), /unknown command "go"/);
    assert.throws(() => parseCliArgs(['run', '--fast']), /unknown option "--fast"/);
    assert.throws(() => parseCliArgs(['run', '--cycles']), /--cycles needs a value/);
    assert.throws(() => parseCliArgs(['status', '--claude', 'x']), /not an option of "status"/);
  });

  it('knows help and version', () => {
    assert.equal(parseCliArgs([]).kind, 'help');
    assert.equal(parseCliArgs(['run', '--help']).kind, 'help');
    assert.equal(parseCliArgs(['--version']).kind, 'version');
  });

  it('reads agent timeouts in seconds and refuses nonsense', () => {
    const c = parseCliArgs(['resume', '--idle-timeout', '30', '--step-timeout=600']);
    assert.deepEqual(c.kind === 'resume' && [c.common.idleTimeoutSeconds, c.common.stepTimeoutSeconds], [30, 600]);
    assert.throws(() => parseCliArgs(['run', '--idle-timeout', '0']), /--idle-timeout must be a positive number/);
    assert.throws(() => parseCliArgs(['status', '--idle-timeout', '5']), /not an option of "status"/);
  });
});
