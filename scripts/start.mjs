// `npm start`: the extension in a browser-served VS Code (the integration tests' code-server) on a
// copy of sample-workspace/, with sim-claude as the agent, so a newcomer sees the real thing without
// a Claude account. Builds and packages the extension, installs the .vsix, prints the URL to open.
//   PORT=8080 npm start      fixed port (default: a free one)
//   Ctrl+C                   stops the server (the workspace copy is kept; its path is printed)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codeServerCli, startCodeServer } from './vscode-test/CodeServer.mjs';
import { ensureTestHost } from './vscode-test/TestHost.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const say = (m) => process.stdout.write(`${m}\n`);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

say('Sprint Runner: preparing the browser VS Code (the first time installs code-server: a few minutes)…');
await ensureTestHost();
run('npm', ['run', '-s', 'package']);
const vsix = readdirSync(root).filter((f) => f.endsWith('.vsix')).map((f) => path.join(root, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
if (!vsix) throw new Error('npm run package wrote no .vsix in the project root');

const base = mkdtempSync(path.join(os.tmpdir(), 'sprint-runner-start-'));
const workspace = path.join(base, 'todo-cli');
cpSync(path.join(root, 'sample-workspace'), workspace, { recursive: true });
const git = (...a) => spawnSync('git', ['-c', 'user.email=demo@sprint-runner.invalid', '-c', 'user.name=Sprint Runner Demo', ...a], { cwd: workspace, stdio: 'ignore' });
if (!existsSync(path.join(workspace, '.git'))) {
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'sample workspace');
}
const stateDir = path.join(base, 'code-server');
mkdirSync(stateDir, { recursive: true });
await codeServerCli(stateDir, ['--install-extension', vsix]);

const simClaude = path.join(root, 'dist', 'sim-claude.js');
const server = await startCodeServer({
  stateDir,
  ...(process.env.PORT ? { port: Number(process.env.PORT) } : {}),
  // As root, sim-claude (like the real CLI) needs IS_SANDBOX=1 for bypassPermissions; the workspace is a throw-away copy.
  env: { SPRINT_RUNNER_CLAUDE: simClaude, ...(process.getuid?.() === 0 ? { IS_SANDBOX: '1' } : {}) },
  userSettings: { 'workbench.startupEditor': 'none', 'sprintRunner.run.defaultCycles': 1 },
});
const url = `${server.url}/?folder=${encodeURIComponent(workspace)}`;
say('');
say(`  Open ${url}`);
say('');
say(`  Workspace: ${workspace} (a copy of sample-workspace/, a git repository)`);
say(`  Agent:     sim-claude (${simClaude}) — no Claude account, no cost`);
say('  In the browser: the Sprint Runner icon in the activity bar, then "Run N Cycles" (▷) or the dashboard.');
say('  Ctrl+C stops the server.');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  rmSync(stateDir, { recursive: true, force: true });
  say(`Stopped. The workspace copy is kept at ${workspace}`);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const watch = setInterval(() => {
  if (server.exited) {
    say(`code-server exited (${JSON.stringify(server.exited)}):\n${server.log.slice(-2000)}`);
    clearInterval(watch);
    process.exit(1);
  }
}, 1000);
