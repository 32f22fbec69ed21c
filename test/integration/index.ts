// Test entry loaded by the extension host (code-server's via scripts/vscode-test, or desktop VS Code's
// via @vscode/test-electron): runs the suites of SPRINT_RUNNER_TEST_SUITE with mocha and writes a
// result file the driver cross-checks (the workbench reports success even when the host died).
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Suite files per session (see scripts/vscode-test/runTests.mjs); `main` is the default. */
const SUITES: Record<string, string[]> = {
  main: ['activation.test.js', 'tree.test.js', 'run.test.js', 'controls.test.js', 'story.test.js', 'dashboard.test.js', 'interactive.test.js', 'screenshot.test.js'],
  noledger: ['noledger.test.js'],
  'reload-before': ['reload.before.test.js'],
  'reload-after': ['reload.after.test.js'],
  untrusted: ['untrusted.test.js'],
  vsix: ['activation.test.js', 'vsix.test.js'],
  selftest: [],
};

interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  error?: string;
  durationMs?: number;
}

export function run(): Promise<void> {
  const suite = process.env.SPRINT_RUNNER_TEST_SUITE ?? 'main';
  const files = SUITES[suite];
  if (!files) return Promise.reject(new Error(`Unknown SPRINT_RUNNER_TEST_SUITE "${suite}"; one of ${Object.keys(SUITES).join(', ')}`));
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  for (const f of files) {
    const file = path.join(__dirname, f);
    if (!existsSync(file)) return Promise.reject(new Error(`${file} is missing: build the tests with scripts/vscode-test/buildTests.mjs`));
    mocha.addFile(file);
  }
  if (process.env.SPRINT_RUNNER_TEST_FAIL === '1') mocha.addFile(path.join(__dirname, 'selftest.test.js'));

  const results: TestResult[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const resultFile = process.env.SPRINT_RUNNER_TEST_RESULT;
      if (resultFile) {
        const passes = results.filter((r) => r.state === 'passed').length;
        const body = JSON.stringify({ suite, tests: results.length, passes, failures, results }, null, 2);
        writeFileSync(`${resultFile}.tmp`, body);
        renameSync(`${resultFile}.tmp`, resultFile);
      }
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
    runner.on('fail', (t, err: Error) => results.push({ title: t.fullTitle(), state: 'failed', error: err?.stack ?? String(err) }));
    runner.on('pending', (t) => results.push({ title: t.fullTitle(), state: 'pending' }));
  });
}
