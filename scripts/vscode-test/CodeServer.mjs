// Starts the cached code-server on 127.0.0.1:<free port> in its own process group, with per-run
// user-data/extensions dirs, and stops it by killing that group (its id, never a name).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { hostLayout, node24Env } from './TestHost.mjs';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, timeoutMs, isDead) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (isDead()) return false;
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 150));
  }
  return false;
}

/** Runs code-server's own CLI (e.g. `--install-extension`) with the run's dirs; resolves with its output. */
export function codeServerCli(stateDir, args) {
  const layout = hostLayout();
  const dirs = stateDirs(stateDir);
  return new Promise((resolve, reject) => {
    const child = spawn(layout.nodeBin, [layout.codeServerEntry, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, ...args], {
      env: serverEnv(layout, dirs),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`code-server ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

function stateDirs(stateDir) {
  const d = {
    userData: path.join(stateDir, 'user-data'),
    extensions: path.join(stateDir, 'extensions'),
    tmp: path.join(stateDir, 'tmp'),
    xdgConfig: path.join(stateDir, 'xdg-config'),
    xdgData: path.join(stateDir, 'xdg-data'),
  };
  for (const p of Object.values(d)) mkdirSync(p, { recursive: true });
  return d;
}

function serverEnv(layout, dirs) {
  return node24Env(layout, {
    EXTENSIONS_GALLERY: '{}',
    TMPDIR: dirs.tmp,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
  });
}

/**
 * @param {{ stateDir: string, userSettings?: Record<string, unknown>, onLog?: (line: string) => void, port?: number,
 *   env?: Record<string, string>, workspaceTrust?: boolean }} o  `env` reaches the extension host (it inherits the
 *   server's environment); `workspaceTrust: true` keeps VS Code's trust prompt (folders open in Restricted Mode).
 */
export async function startCodeServer(o) {
  const layout = hostLayout();
  if (!layout.ready) throw new Error(`code-server is not installed in ${layout.root}; run node scripts/vscode-test/TestHost.mjs`);
  const dirs = stateDirs(o.stateDir);
  const port = o.port ?? (await freePort());
  const config = path.join(o.stateDir, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  if (o.userSettings) {
    const userDir = path.join(dirs.userData, 'User');
    mkdirSync(userDir, { recursive: true });
    writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify(o.userSettings, null, 2));
  }
  const args = [
    layout.codeServerEntry,
    '--config', config,
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
    ...(o.workspaceTrust ? [] : ['--disable-workspace-trust']),
    // Without it the built workbench ignores the test payload and nothing runs.
    '--vscode-option', 'enable-smoke-test-driver',
  ];
  // detached = setsid: its own process group, so stopping kills the server and every child it spawned.
  const child = spawn(layout.nodeBin, args, { env: { ...serverEnv(layout, dirs), ...o.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let exited = null;
  const onData = (b) => {
    const text = b.toString();
    log += text;
    if (o.onLog) for (const line of text.split('\n')) if (line.trim()) o.onLog(line);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const up = await waitForPort(port, 30_000, () => exited !== null);
  const server = {
    port,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    dirs,
    get log() { return log; },
    get exited() { return exited; },
    async stop() {
      if (exited) return;
      try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
      const deadline = Date.now() + 3000;
      while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (!exited) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } }
    },
  };
  if (!up) {
    await server.stop();
    throw new Error(`code-server did not listen on 127.0.0.1:${port} within 30 s${exited ? ` (exited ${JSON.stringify(exited)})` : ''}:\n${log.slice(-4000)}`);
  }
  return server;
}
