#!/usr/bin/env node
// A claude-compatible child whose "tool" leaves background jobs behind: it starts `sleep 300` in its own
// session (as the Bash tool does with `cmd &`) and a double-forked `setsid sh -c 'sleep 300 &'` (re-parented
// to PID 1 at once), then hands over to sim-claude with the same arguments and stdio, and exits with its
// code while the jobs keep running. Nothing may be left once sprint-runner exits.

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const sim = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../dist/sim-claude.js');
// Only an agent run (`-p`) has tools; `--version` and `auth status` (the setup check) start none, like the real CLI.
if (process.argv.includes('-p')) {
  spawn('sleep', ['300'], { detached: true, stdio: 'ignore' }).unref();
  spawn('setsid', ['sh', '-c', 'sleep 300 &'], { stdio: 'ignore' }).unref();
}
const child = spawn(process.execPath, [sim, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
