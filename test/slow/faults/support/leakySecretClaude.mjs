#!/usr/bin/env node
// A claude-compatible child wrapped the way a `set -x` shell wrapper would be: before handing over to
// sim-claude it echoes ANTHROPIC_API_KEY (and LEAKY_SERVICE_TOKEN) to stderr, prints them on stdout as
// a line that is not JSON, and inside a stream-json line, as a careless tool would. None of these
// values may end up in a file, the database, an event or the CLI's output.

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const sim = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../dist/sim-claude.js');
const key = process.env.ANTHROPIC_API_KEY ?? '';
const token = process.env.LEAKY_SERVICE_TOKEN ?? '';
process.stderr.write(`+ export ANTHROPIC_API_KEY=${key}\n+ curl -H "Authorization: Bearer ${token}"\n`);
process.stdout.write(`+ ANTHROPIC_API_KEY=${key} claude -p\n`);
process.stdout.write(`${JSON.stringify({ type: 'system', subtype: 'wrapper_note', note: `token ${token} in use` })}\n`);
const child = spawn(process.execPath, [sim, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
