// Ledger problems in the Problems panel: a `DiagnosticCollection` filled from every read of the ledger
// (the tree's, and one after each change of the file on disk), so an error shows at its line while the
// Sprint view is hidden too. Reading needs the ledger bundle: nothing is read at activation.

import * as vscode from 'vscode';
import type { LedgerSnapshot } from '../core/ledger/LedgerTypes';
import { ledgerDiagnosticEntries } from './ledgerProblems';

export class LedgerDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('sprint-runner');

  /** Replaces the ledger's diagnostics with what this read found (nothing when it is fine). */
  update(read: { snapshot?: LedgerSnapshot; error?: unknown }): void {
    this.collection.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const e of ledgerDiagnosticEntries(read)) {
      const at = new vscode.Position(e.line - 1, e.col - 1);
      // The range covers the rest of the line: the key or value the message is about starts there.
      const d = new vscode.Diagnostic(new vscode.Range(at, at.translate(0, 200)), e.message, e.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      d.source = 'Sprint Runner';
      byFile.set(e.file, [...(byFile.get(e.file) ?? []), d]);
    }
    for (const [file, diags] of byFile) this.collection.set(vscode.Uri.file(file), diags);
  }

  /** The ledger went away: nothing to report on. */
  clear(): void {
    this.collection.clear();
  }

  dispose(): void {
    this.collection.dispose();
  }
}
