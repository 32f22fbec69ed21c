// `npm test`: every suite in order, each stage's output streamed as it comes, then one plain closing
// line "N passed, N failed, N skipped" summed over the suites (CI reads that line).
import { spawn } from 'node:child_process';

const stages = [
  // The browser stages need Debian's chromium (and libkrb5-dev to build code-server once). As root the
  // packages are installed here; otherwise this stage prints the one command to run, and the stages that
  // need them are counted as failed, never skipped in silence.
  { name: 'browser-prerequisites', cmd: ['node', 'scripts/vscode-test/TestHost.mjs', '--debian-packages'], gates: ['webview', 'integration'] },
  { name: 'lint', cmd: ['npm', 'run', '-s', 'lint'] },
  { name: 'typecheck', cmd: ['npm', 'run', '-s', 'typecheck'] },
  { name: 'build', cmd: ['npm', 'run', '-s', 'build'] },
  { name: 'unit', cmd: ['npm', 'run', '-s', 'test:unit'], counts: 'mocha' },
  // Kill -9 drills, fault injection through the CLI and throughput figures: minutes, and they need the build.
  { name: 'slow', cmd: ['npm', 'run', '-s', 'test:slow'], counts: 'mocha' },
  // Real BMAD installs (npm) and the real Claude CLI against a loopback mock of the Messages API; the
  // packages are cached under ~/.cache/sprint-runner-test after the first run.
  { name: 'bmad', cmd: ['npm', 'run', '-s', 'test:bmad'], counts: 'mocha' },
  // A git clone of HEAD into an empty folder: npm ci, type check, unit tests on the in-repo fixtures, the packed CLI.
  { name: 'fresh-clone', cmd: ['npm', 'run', '-s', 'test:fresh-clone'], counts: 'mocha' },
  { name: 'webview', cmd: ['npm', 'run', '-s', 'test:webview'], counts: 'mocha' },
  { name: 'integration', cmd: ['npm', 'run', '-s', 'test:integration'], counts: 'sessions' },
];

const totals = { passed: 0, failed: 0, skipped: 0 };
const results = [];

function count(stage, text) {
  const c = { passed: 0, failed: 0, skipped: 0 };
  if (stage.counts === 'mocha') {
    for (const m of text.matchAll(/^\s*(\d+) passing\b/gm)) c.passed += Number(m[1]);
    for (const m of text.matchAll(/^\s*(\d+) failing\b/gm)) c.failed += Number(m[1]);
    for (const m of text.matchAll(/^\s*(\d+) pending\b/gm)) c.skipped += Number(m[1]);
  } else if (stage.counts === 'sessions') {
    // The runner's own per-test lines; its self-test (a test that must fail) is not one of ours.
    c.passed = [...text.matchAll(/^vscode-test:\s+ok\s/gm)].length;
    c.failed = [...text.matchAll(/^vscode-test:\s+FAIL\s/gm)].filter((m) => !text.slice(m.index, m.index + 200).includes('fails on purpose')).length;
    c.skipped = [...text.matchAll(/^vscode-test:\s+skip\s/gm)].length;
  }
  return c;
}

const gatedOff = new Map(); // stage name -> the prerequisite stage that failed
for (const stage of stages) {
  if (gatedOff.has(stage.name)) {
    totals.failed += 1;
    results.push(`${stage.name}: not run, ${gatedOff.get(stage.name)} failed (see its message above)`);
    continue;
  }
  const started = Date.now();
  const code = await new Promise((resolve) => {
    const child = spawn(stage.cmd[0], stage.cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => { process.stdout.write(d); text += d; });
    child.stderr.on('data', (d) => { process.stderr.write(d); text += d; });
    child.on('close', (status) => {
      const c = count(stage, text);
      for (const k of Object.keys(totals)) totals[k] += c[k];
      if (status !== 0 && stage.counts && c.failed === 0) totals.failed += 1; // a suite that died counts as a failure
      results.push(`${stage.name}: ${status === 0 ? 'ok' : `exit ${status}`}${stage.counts ? ` (${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped)` : ''} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      resolve(status ?? 1);
    });
  });
  if (code !== 0) {
    if (!stage.counts) totals.failed += 1;
    if (stage.gates) {
      for (const name of stage.gates) gatedOff.set(name, stage.name);
      continue;
    }
    // A failing test suite does not hide the others' results; a failed lint, type check or build stops here.
    if (stage.counts) continue;
    break;
  }
}

console.log(`\n${results.join('\n')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = totals.failed > 0 || results.length < stages.length || results.some((r) => !/: ok/.test(r)) ? 1 : 0;
