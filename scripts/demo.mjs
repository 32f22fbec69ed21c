// `npm run demo`: the main job with no Claude account — the CLI runs a sprint on a fresh copy of
// sample-workspace/ (a git repository, so batch commits are real) with sim-claude as the agent.
import { cpSync, mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const cycles = process.argv[2] ?? 'all';
const workspace = mkdtempSync(path.join(os.tmpdir(), 'sprint-runner-demo-'));
cpSync(path.join(root, 'sample-workspace'), workspace, { recursive: true });
const git = (...args) => spawnSync('git', args, { cwd: workspace, stdio: 'ignore' });
git('init', '-q', '-b', 'main');
git('add', '-A');
git('-c', 'user.name=Sprint Runner demo', '-c', 'user.email=demo@sprint-runner.invalid', 'commit', '-q', '-m', 'Sample workspace');

console.log(`Sample BMAD workspace: ${workspace}`);
console.log(`Agent: sim-claude (simulated Claude CLI, no account needed)\n`);
const cli = path.join(root, 'dist', 'cli.js');
// Like the real CLI, sim-claude refuses bypassPermissions as root unless IS_SANDBOX=1; the demo's
// workspace is a throw-away copy, which is what that variable declares.
const env = process.getuid?.() === 0 ? { ...process.env, IS_SANDBOX: '1' } : process.env;
const run = spawnSync(process.execPath, [cli, 'run', '--cycles', cycles, '--workspace', workspace, '--claude', path.join(root, 'dist', 'sim-claude.js')], {
  stdio: 'inherit',
  env,
});
console.log('\nWhere things are now:');
spawnSync(process.execPath, [cli, 'status', '--workspace', workspace], { stdio: 'inherit' });
spawnSync('git', ['log', '--oneline'], { cwd: workspace, stdio: 'inherit' });
console.log(`\nTry: node ${path.relative(process.cwd(), cli) || cli} status --workspace ${workspace} --json`);
process.exitCode = run.status ?? 1;
