// Records every fault case with what was tried, what was expected and what was observed, into
// test-results/faults.json (merged by case id, so the fast suite and the chaos suite share the file).
// scripts/gen-reliability.mjs turns that file into docs/reliability.md.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '../../../../src/infra/NodeFileSystem';

export const FAULT_RESULTS_FILE = path.resolve(__dirname, '../../../../test-results/faults.json');

export interface FaultCaseRecord {
  id: string;
  /** `npm test` (fast), `npm run test:chaos` or `npm run test:soak`. */
  suite: 'fast' | 'chaos' | 'soak';
  category: string;
  title: string;
  /** The documented outcome the case checks. */
  expected: string;
  /** What actually happened (the CLI's message, exit code, counts). */
  observed: string;
  status: 'passed' | 'failed';
  error?: string;
  durationMs: number;
  recordedAt: string;
  /** The finding (a bug found and fixed) the case was written for: it failed before the fix. */
  finding?: string;
}

export interface FaultCaseSpec {
  id: string;
  title: string;
  expected: string;
  timeoutMs?: number;
  /** The finding (a bug found and fixed) the case was written for: it failed before the fix. */
  finding?: string;
  /** Runs the case; returns the observed outcome in words. Throws (assert) when it is not the expected one. */
  run: () => Promise<string>;
}

export class FaultRecorder {
  private readonly records: FaultCaseRecord[] = [];

  constructor(
    private readonly category: string,
    private readonly suite: 'fast' | 'chaos' | 'soak' = 'fast',
  ) {
    after(() => this.save());
  }

  /** Declares a mocha test for the case and records its outcome, pass or fail. */
  case(spec: FaultCaseSpec): void {
    const recorder = this;
    it(`${spec.id}: ${spec.title}`, async function () {
      if (spec.timeoutMs) this.timeout(spec.timeoutMs);
      const t0 = Date.now();
      let observed = '';
      try {
        observed = await spec.run();
        recorder.push(spec, 'passed', observed, Date.now() - t0);
      } catch (err) {
        const e = err as Error;
        recorder.push(spec, 'failed', observed || '(see error)', Date.now() - t0, e.message);
        throw err;
      }
    });
  }

  private push(spec: FaultCaseSpec, status: FaultCaseRecord['status'], observed: string, durationMs: number, error?: string): void {
    this.records.push({
      id: spec.id,
      suite: this.suite,
      category: this.category,
      title: spec.title,
      expected: spec.expected,
      observed,
      status,
      error,
      durationMs,
      recordedAt: new Date().toISOString(),
      ...(spec.finding ? { finding: spec.finding } : {}),
    });
  }

  save(): void {
    if (this.records.length === 0) return;
    mkdirSync(path.dirname(FAULT_RESULTS_FILE), { recursive: true });
    let all: Record<string, FaultCaseRecord> = {};
    if (existsSync(FAULT_RESULTS_FILE)) {
      try {
        all = JSON.parse(readFileSync(FAULT_RESULTS_FILE, 'utf8')) as Record<string, FaultCaseRecord>;
      } catch {
        all = {}; // A damaged results file from an interrupted run is rebuilt from this run's records.
      }
    }
    for (const r of this.records) all[r.id] = r;
    writeFileAtomicSync(FAULT_RESULTS_FILE, `${JSON.stringify(all, null, 2)}\n`);
  }
}
