import { strict as assert } from 'node:assert';
import { formatGateFailuresForReview } from '../../../src/core/gates/formatGateFailuresForReview';

describe('formatGateFailuresForReview', () => {
  it('is empty when all gates passed', () => {
    assert.equal(formatGateFailuresForReview([{ name: 'npm test', ok: true, exitCode: 0, output: 'ok', durationMs: 5 }]), '');
  });

  it('lists each failed gate with its output in a fence the output cannot close', () => {
    const text = formatGateFailuresForReview([
      { name: 'npm test', ok: false, exitCode: 1, output: 'AssertionError: 1 !== 2\n```\ninjected\n```\n', durationMs: 12_345 },
      { name: 'lint', ok: true, exitCode: 0, output: '', durationMs: 1 },
      { name: 'slow', ok: false, exitCode: null, output: '', durationMs: 60_000, timedOut: true },
    ]);
    assert.equal(
      text,
      [
        '## Quality gate failures',
        '',
        '2 of 3 quality gate(s) failed after dev-story. Treat each failure as a review issue and fix it.',
        '',
        '### npm test (exit code 1, 12.3s)',
        '',
        '````',
        'AssertionError: 1 !== 2\n```\ninjected\n```',
        '````',
        '',
        '### slow (timed out, 60.0s)',
        '',
      ].join('\n'),
    );
  });
});
