// What the Problems panel shows for sprint-status.yaml, without `vscode` (unit-tested in Node): a ledger
// that cannot be read at all is one error at its file:line:col; findings of a readable ledger (unknown
// statuses, keys that are not story keys, YAML warnings) are warnings at theirs.

import type { LedgerSnapshot } from '../core/ledger/LedgerTypes';

export interface LedgerDiagnosticEntry {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  message: string;
  severity: 'error' | 'warning';
}

/** A LedgerError from another bundle: `instanceof` does not cross bundles, its fields do. */
interface LedgerErrorShape {
  name: 'LedgerError';
  file: string;
  line: number;
  col: number;
  reason: string;
  hint: string;
}

function isLedgerError(err: unknown): err is LedgerErrorShape {
  const e = err as Partial<LedgerErrorShape> | undefined;
  return !!e && e.name === 'LedgerError' && typeof e.file === 'string' && typeof e.line === 'number' && typeof e.reason === 'string';
}

export function ledgerDiagnosticEntries(read: { snapshot?: LedgerSnapshot; error?: unknown }): LedgerDiagnosticEntry[] {
  if (read.error !== undefined) {
    if (!isLedgerError(read.error)) return [];
    const e = read.error;
    return [{ file: e.file, line: Math.max(1, e.line), col: Math.max(1, e.col ?? 1), message: `${e.reason}. Fix: ${e.hint}`, severity: 'error' }];
  }
  return (read.snapshot?.problems ?? []).map((p) => ({ file: p.file, line: Math.max(1, p.line), col: Math.max(1, p.col), message: p.message, severity: 'warning' as const }));
}
