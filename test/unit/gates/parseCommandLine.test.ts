import { strict as assert } from 'node:assert';
import { parseCommandLine } from '../../../src/core/gates/parseCommandLine';

describe('parseCommandLine (no shell)', () => {
  it('splits words and honours quotes and escapes', () => {
    assert.deepEqual(parseCommandLine('npm run lint -- --max-warnings=0'), ['npm', 'run', 'lint', '--', '--max-warnings=0']);
    assert.deepEqual(parseCommandLine(`node -e 'console.log("a b")'`), ['node', '-e', 'console.log("a b")']);
    assert.deepEqual(parseCommandLine('echo "say \\"hi\\"" a\\ b'), ['echo', 'say "hi"', 'a b']);
    assert.deepEqual(parseCommandLine("x ''"), ['x', '']);
  });

  it('refuses shell operators and broken quoting with a fix', () => {
    for (const bad of ['npm test && rm -rf /', 'a | b', 'a; b', 'echo $(id)', 'echo `id`', 'a > out', '"unterminated', "'x", 'echo "$HOME"', '   ']) {
      assert.throws(() => parseCommandLine(bad), /Cannot use the command .*Fix: write it as an argument array/, bad);
    }
  });
});
