// Added only when SPRINT_RUNNER_TEST_FAIL=1: proves the runner turns a failing test into a failing command.
import { strict as assert } from 'node:assert';

describe('runner self-test', () => {
  it('fails on purpose (SPRINT_RUNNER_TEST_FAIL=1)', () => {
    assert.equal(1 + 1, 3, 'this test fails deliberately so the runner must exit non-zero');
  });
});
