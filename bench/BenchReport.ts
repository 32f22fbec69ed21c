// The shape every benchmark returns, the table printed by `npm run bench`, and the merge into
// bench/results.json (shared with the dashboard's webview benchmarks: other keys are never touched).

import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { writeFileAtomicSync } from '../src/infra/NodeFileSystem';
import type { Distribution } from './BenchStats';

export interface BenchMetric {
  name: string;
  unit: string;
  value: Distribution;
  /** The same quantity for the baseline measured in the same run, when there is one. */
  baseline?: Distribution;
  baselineName?: string;
  /** How the metric compares with its baseline, stated so that bigger is better or as a plain ratio. */
  ratio?: number;
  ratioMeaning?: string;
  /** Human-readable target, e.g. `< 5 ms`, and whether the median met it. */
  target?: string;
  pass?: boolean;
}

export interface BenchmarkReport {
  id: string;
  title: string;
  metrics: BenchMetric[];
  /** What was measured, how, and anything a reader must know (stubbed host, dropped runs). */
  notes: string[];
  /** Overall: every metric with a target met it. */
  pass: boolean;
  measuredAt: string;
  node: string;
  /** The machine while it ran: shared and noisy, so absolute figures must be read with this. */
  machine: { cpus: number; loadAverage1m: number };
}

export function reportOf(id: string, title: string, metrics: BenchMetric[], notes: string[]): BenchmarkReport {
  return {
    id,
    title,
    metrics,
    notes,
    pass: metrics.every((m) => m.pass !== false),
    measuredAt: new Date().toISOString(),
    node: process.version,
    machine: { cpus: cpus().length, loadAverage1m: Math.round(loadavg()[0] * 100) / 100 },
  };
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 100_000) return n.toExponential(2);
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  return n.toFixed(3);
}

export function formatTable(reports: readonly BenchmarkReport[]): string {
  const header = ['id', 'metric', 'median', 'p10–p90', 'unit', 'baseline (median)', 'ratio', 'target', 'ok'];
  const rows: string[][] = [header];
  for (const r of reports) {
    for (const m of r.metrics) {
      rows.push([
        r.id,
        m.name,
        fmt(m.value.median),
        `${fmt(m.value.p10)}–${fmt(m.value.p90)}`,
        m.unit,
        m.baseline ? `${fmt(m.baseline.median)} (${m.baselineName ?? 'baseline'})` : '',
        m.ratio === undefined ? '' : `${fmt(m.ratio)}×`,
        m.target ?? '',
        m.pass === undefined ? '' : m.pass ? 'yes' : 'NO',
      ]);
    }
  }
  const widths = header.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** Reads bench/results.json, replaces only the keys of `reports`, writes it back atomically. */
export function mergeResults(file: string, reports: readonly BenchmarkReport[]): void {
  let existing: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) existing = parsed as Record<string, unknown>;
    } catch (err) {
      throw new Error(`${file}: not valid JSON (${(err as Error).message}); fix or delete it, then run again`);
    }
  }
  for (const r of reports) existing[r.id] = r;
  writeFileAtomicSync(file, `${JSON.stringify(existing, null, 2)}\n`);
}
