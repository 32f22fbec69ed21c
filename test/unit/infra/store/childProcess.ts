// Spawns a TypeScript fixture under tsx as a real child process and reads its stdout lines.

import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

export interface Child {
  process: ChildProcess;
  lines: string[];
  stderr: string[];
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill9(): Promise<void>;
}

export function spawnFixture(fixture: string, args: string[]): Child {
  const script = path.join(__dirname, 'fixtures', fixture);
  const proc = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let buffered = '';
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  return {
    process: proc,
    lines,
    stderr,
    waitForLine(pattern, timeoutMs = 20_000) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const onExit = (code: number | null): void => {
          clearTimeout(timer);
          reject(new Error(`${fixture} exited (${code}) before printing ${pattern}; stderr: ${stderr.join('')}`));
        };
        const timer = setTimeout(() => {
          proc.off('exit', onExit);
          reject(new Error(`${fixture} printed no line matching ${pattern} in ${timeoutMs} ms; stderr: ${stderr.join('')}`));
        }, timeoutMs);
        waiters.push({
          pattern,
          resolve: (l) => {
            clearTimeout(timer);
            proc.off('exit', onExit);
            resolve(l);
          },
        });
        proc.once('exit', onExit);
      });
    },
    kill9() {
      return new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      });
    },
  };
}
