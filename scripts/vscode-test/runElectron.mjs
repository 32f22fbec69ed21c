// The same integration entry under desktop VS Code via @vscode/test-electron, for machines that can
// download VS Code (this one cannot: it reaches only npm and Debian). Tests that read the rendered
// workbench through the browser driver are skipped there (pending), the rest run unchanged.
//   node scripts/build.mjs && node scripts/vscode-test/runElectron.mjs
import { runTests } from '@vscode/test-electron';
import { cpSync, mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { buildIntegrationTests } from './buildTests.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
await buildIntegrationTests(root);
const workspace = path.join(mkdtempSync(path.join(os.tmpdir(), 'sprint-runner-electron-')), 'workspace');
cpSync(path.join(root, 'sample-workspace'), workspace, { recursive: true });
for (const args of [['init', '-q'], ['add', '-A'], ['-c', 'user.email=t@t.invalid', '-c', 'user.name=t', 'commit', '-qm', 'sample']]) {
  spawnSync('git', args, { cwd: workspace, stdio: 'ignore' });
}
try {
  await runTests({
    version: '1.139.1',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out', 'test', 'integration', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: {
      SPRINT_RUNNER_TEST_SUITE: 'main',
      SPRINT_RUNNER_TEST_HOOKS: '1',
      SPRINT_RUNNER_CLAUDE: path.join(root, 'dist', 'sim-claude.js'),
      ...(process.getuid?.() === 0 ? { IS_SANDBOX: '1' } : {}),
    },
  });
} catch (err) {
  console.error(`Integration tests failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
