// `npm run test:integration`: the integration suite inside a real VS Code extension host, offline.
// Installs the host when missing (TestHost.mjs), builds the test bundles, copies sample-workspace/ to a
// temp dir, starts code-server, runs each session in chromium and fails when a test fails, no test
// ran, the result file disagrees with the workbench, the extension host died, or time ran out.
//
// Sessions (`--session a,b` or SPRINT_RUNNER_TEST_SESSIONS picks some; default: all six):
//   main          the suite on a fresh copy of the sample workspace
//   noledger      the sample workspace without its sprint-status.yaml: welcome view, Create from
//                 Template, a ledger written by another tool, Problems panel, Check Setup
//   reload        a run interrupted by a window reload (page reloaded, new extension host) then resumed
//   untrusted     workspace trust on, folder not trusted: the tree is read-only and nothing is spawned
//   vsix          `npm run package`'s .vsix installed with --install-extension, activated
//   selftest      SPRINT_RUNNER_TEST_FAIL=1: proves a failing test makes this command fail
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { ensureTestHost } from './TestHost.mjs';
import { codeServerCli, startCodeServer } from './CodeServer.mjs';
import { runWorkbenchSession } from './WorkbenchDriver.mjs';
import { buildIntegrationTests } from './buildTests.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const argv = process.argv.slice(2);
const flag = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const verbose = argv.includes('--verbose') || process.env.SPRINT_RUNNER_TEST_VERBOSE === '1';
const keep = argv.includes('--keep');
const timeoutMs = Number(process.env.SPRINT_RUNNER_TEST_TIMEOUT_MS || 240_000);
const requested = (flag('--session') ?? process.env.SPRINT_RUNNER_TEST_SESSIONS ?? 'main,noledger,reload,untrusted,vsix,selftest').split(',').map((s) => s.trim()).filter(Boolean);

/** Every server this run started, stopped on the way out whatever happens. */
const servers = [];
const log = (msg) => process.stderr.write(`vscode-test: ${msg}\n`);
const started = Date.now();
const since = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

function copySampleWorkspace(into, { withoutLedger = false } = {}) {
  const sample = path.join(root, 'sample-workspace');
  if (!existsSync(sample)) throw new Error(`${sample} is missing: the integration suite runs on a copy of it`);
  const dest = path.join(into, 'workspace');
  cpSync(sample, dest, { recursive: true });
  // As a project is before BMAD's sprint-planning (or Create from Template) wrote the ledger.
  if (withoutLedger) rmSync(path.join(dest, '_bmad-output', 'implementation-artifacts', 'sprint-status.yaml'));
  // A git repository, as a real BMAD project is one (batch-commit commits into it).
  const git = (...a) => spawnSync('git', a, { cwd: dest, stdio: 'ignore' });
  if (!existsSync(path.join(dest, '.git'))) {
    git('init', '-q');
    git('-c', 'user.email=test@sprint-runner.invalid', '-c', 'user.name=Sprint Runner Test', 'add', '-A');
    git('-c', 'user.email=test@sprint-runner.invalid', '-c', 'user.name=Sprint Runner Test', 'commit', '-qm', 'sample workspace');
  }
  return dest;
}

function packageVsix() {
  const r = spawnSync('npm', ['run', '-s', 'package'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run package failed:\n${r.stdout}\n${r.stderr}`);
  const vsix = readdirSync(root).filter((f) => f.endsWith('.vsix')).map((f) => path.join(root, f));
  if (vsix.length === 0) throw new Error('npm run package wrote no .vsix in the project root');
  return vsix[0];
}

function judge(name, r, server) {
  const problems = [];
  if (r.timedOut) problems.push(`timed out after ${timeoutMs / 1000} s`);
  else if (r.exitCode !== 0) problems.push(`the workbench reported exit code ${r.exitCode}`);
  if (!r.result) problems.push('the test entry wrote no result file (the extension host may have died)');
  else {
    if (r.result.failures > 0) problems.push(`${r.result.failures} test(s) failed`);
    if (r.result.tests === 0) problems.push('no test ran');
  }
  const died = /Extension Host Process exited with code: (\d+)/g;
  for (const m of `${server.log}\n${r.hostLog}`.matchAll(died)) if (m[1] !== '0') problems.push(`extension host exited with code ${m[1]}`);
  if (r.result) {
    for (const t of r.result.results ?? []) {
      const mark = t.state === 'passed' ? 'ok  ' : t.state === 'failed' ? 'FAIL' : 'skip';
      log(`  ${mark} ${t.title}${t.state === 'failed' ? `\n        ${String(t.error).split('\n').join('\n        ')}` : ''}`);
    }
  }
  if (problems.length) log(`session ${name}: FAILED — ${problems.join('; ')}`);
  else log(`session ${name}: ${r.result.passes} passed (${since()})`);
  return problems.length === 0;
}

async function main() {
  await ensureTestHost();
  log(`host ready (${since()})`);
  await buildIntegrationTests(root);
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'sprint-runner-it-'));
  const screenshotDir = path.join(root, 'test-results', 'screenshots');
  mkdirSync(screenshotDir, { recursive: true });
  const testsPath = path.join(root, 'out', 'test', 'integration', 'index.js');
  const simClaude = path.join(root, 'dist', 'sim-claude.js');
  if (!existsSync(simClaude)) log(`warning: ${simClaude} is missing (npm run build builds it); tests that run agents will fail`);
  let ok = true;
  const baseEnv = {
    SPRINT_RUNNER_CLAUDE: simClaude,
    SPRINT_RUNNER_TEST_SCREENSHOT_DIR: screenshotDir,
    SPRINT_RUNNER_TEST_HOOKS: '1',
    // sim-claude, like the real CLI, refuses bypassPermissions as root unless IS_SANDBOX=1; the test
    // workspaces are throw-away copies, which is what that variable declares.
    ...(process.getuid?.() === 0 ? { IS_SANDBOX: '1' } : {}),
    // `SPRINT_RUNNER_TEST_FAIL=1 npm run test:integration` adds a failing test to every session.
    ...(process.env.SPRINT_RUNNER_TEST_FAIL === '1' ? { SPRINT_RUNNER_TEST_FAIL: '1' } : {}),
  };
  try {
    const session = async (name, o) => {
      const stateDir = o.stateDir ?? path.join(runDir, name);
      mkdirSync(stateDir, { recursive: true });
      let server = o.server;
      if (!server) {
        server = await startCodeServer({ stateDir, workspaceTrust: o.workspaceTrust, onLog: verbose ? (l) => log(`[server] ${l}`) : undefined });
        servers.push(server);
      }
      log(`session ${name}: ${server.url} (${since()})`);
      const r = await runWorkbenchSession({
        serverUrl: server.url, port: server.port, folder: o.folder, extensionDevelopmentPath: o.devPath,
        extensionTestsPath: testsPath, env: { ...baseEnv, ...o.env }, resultFile: path.join(stateDir, `result-${name}.json`),
        driverDir: path.join(stateDir, `driver-${name}`), screenshotDir, timeoutMs, log: verbose ? log : (l) => { if (/\[host (error|warn)/.test(l) || /FAIL|Error/.test(l)) log(l); },
      });
      const passed = judge(name, r, server);
      if (!passed && !verbose) log(`host console (last lines):\n${r.hostLog.split("\n").filter((l) => !l.includes("[sprint-runner-driver]")).slice(-40).join("\n")}`);
      return passed;
    };

    if (requested.includes('main')) {
      const ws = copySampleWorkspace(path.join(runDir, 'main'));
      ok = (await session('main', { folder: ws, devPath: root, env: { SPRINT_RUNNER_TEST_SUITE: 'main' } })) && ok;
    }
    if (requested.includes('noledger')) {
      const ws = copySampleWorkspace(path.join(runDir, 'noledger'), { withoutLedger: true });
      ok = (await session('noledger', { folder: ws, devPath: root, env: { SPRINT_RUNNER_TEST_SUITE: 'noledger' } })) && ok;
    }
    if (requested.includes('reload')) {
      // Same server, same user-data dir and folder (so the same storageUri), two page loads: the second
      // is the window after the reload.
      const stateDir = path.join(runDir, 'reload');
      mkdirSync(stateDir, { recursive: true });
      const ws = copySampleWorkspace(stateDir);
      const server = await startCodeServer({ stateDir });
      servers.push(server);
      // Slow phases so the window goes away in the middle of a step.
      const scenario = path.join(stateDir, 'slow-scenario.json');
      writeFileSync(scenario, JSON.stringify({ name: 'slow happy', delayMs: 400, rules: [{ command: 'create-story', techSpec: 'SKIP' }] }));
      const env = { SIM_CLAUDE_SCENARIO: scenario };
      ok = (await session('reload-before', { server, stateDir, folder: ws, devPath: root, env: { ...env, SPRINT_RUNNER_TEST_SUITE: 'reload-before' } })) && ok;
      ok = (await session('reload-after', { server, stateDir, folder: ws, devPath: root, env: { ...env, SPRINT_RUNNER_TEST_SUITE: 'reload-after' } })) && ok;
    }
    if (requested.includes('untrusted')) {
      const ws = copySampleWorkspace(path.join(runDir, 'untrusted'));
      ok = (await session('untrusted', { folder: ws, devPath: root, workspaceTrust: true, env: { SPRINT_RUNNER_TEST_SUITE: 'untrusted' } })) && ok;
    }
    if (requested.includes('vsix')) {
      const stateDir = path.join(runDir, 'vsix');
      mkdirSync(stateDir, { recursive: true });
      const vsix = packageVsix();
      log(`installing ${path.basename(vsix)} with --install-extension`);
      await codeServerCli(stateDir, ['--install-extension', vsix]);
      const ws = copySampleWorkspace(stateDir);
      // The workbench runs extensionTestsPath only alongside a development extension: an empty probe
      // extension plays that part, so the code under test is the installed .vsix.
      const probe = path.join(stateDir, 'probe-extension');
      mkdirSync(probe, { recursive: true });
      writeFileSync(path.join(probe, 'package.json'), JSON.stringify({ name: 'sprint-runner-test-probe', publisher: 'sprint-runner', version: '0.0.0', engines: { vscode: '^1.90.0' } }));
      ok = (await session('vsix', { stateDir, folder: ws, devPath: probe, env: { SPRINT_RUNNER_TEST_SUITE: 'vsix' } })) && ok;
    }
    if (requested.includes('selftest')) {
      const ws = copySampleWorkspace(path.join(runDir, 'selftest'));
      const failed = !(await session('selftest', { folder: ws, devPath: root, env: { SPRINT_RUNNER_TEST_SUITE: 'selftest', SPRINT_RUNNER_TEST_FAIL: '1' } }));
      if (failed) log('selftest: the deliberately failing test was detected (good)');
      else log('selftest: FAILED — a deliberately failing test did not fail the session');
      ok = failed && ok;
    }
  } finally {
    for (const s of servers) await s.stop();
    if (!keep) rmSync(runDir, { recursive: true, force: true });
    else log(`kept ${runDir}`);
  }
  log(`${ok ? 'passed' : 'FAILED'} in ${since()}; screenshots in ${path.relative(root, screenshotDir)}/`);
  return ok;
}

const timer = setTimeout(async () => {
  log('global timeout (15 min)');
  for (const s of servers) await s.stop();
  process.exit(2);
}, 15 * 60_000);
timer.unref();
main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (e) => { log(String(e?.stack ?? e)); process.exit(1); },
);
