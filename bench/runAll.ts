// `npm run bench [B1 B3 …]`: runs each benchmark in its own Node process (with --expose-gc), prints one
// table, and merges the reports into bench/results.json under their ids (other keys, e.g. the webview's,
// are kept). Exits 1 when a benchmark crashed; a missed target is reported, not an error.

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { formatTable, mergeResults, type BenchmarkReport } from './BenchReport';

const ALL = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7'];
const RESULTS = path.join(__dirname, 'results.json');

function runOne(id: string): BenchmarkReport | string {
  const res = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'runBenchmark.ts'), id], {
    cwd: path.join(__dirname, '..'),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const last = res.stdout.trim().split('\n').pop() ?? '';
  if (res.status !== 0 || !last.startsWith('{')) return `${id} failed (exit ${res.status ?? res.signal}); see its stderr above`;
  return JSON.parse(last) as BenchmarkReport;
}

function main(): void {
  const ids = process.argv.slice(2).length > 0 ? process.argv.slice(2).map((a) => a.toUpperCase()) : ALL;
  const unknown = ids.filter((id) => !ALL.includes(id));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${ALL.join(' ')}\n`);
    process.exit(2);
  }
  const reports: BenchmarkReport[] = [];
  const failures: string[] = [];
  for (const id of ids) {
    process.stderr.write(`running ${id}…\n`);
    const r = runOne(id);
    if (typeof r === 'string') failures.push(r);
    else reports.push(r);
  }
  process.stdout.write(`${formatTable(reports)}\n`);
  for (const r of reports) for (const n of r.notes) process.stdout.write(`  ${r.id}: ${n}\n`);
  if (reports.length > 0) mergeResults(RESULTS, reports);
  for (const f of failures) process.stderr.write(`${f}\n`);
  process.exit(failures.length > 0 ? 1 : 0);
}

main();
