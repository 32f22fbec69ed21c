// The engine's QualityGatePort: runQualityGates (no shell, bounded output, process groups killed on
// timeout or stop).

import type { GateResult } from '../../core/gates/GateResult';
import type { QualityGateConfig, QualityGatePort } from '../../core/gates/QualityGatePort';
import { runQualityGates } from './QualityGates';

export class NodeQualityGates implements QualityGatePort {
  constructor(private readonly options: { killGraceMs?: number; env?: Record<string, string> } = {}) {}

  run(gates: readonly QualityGateConfig[], cwd: string, signal: AbortSignal): Promise<GateResult[]> {
    return runQualityGates(
      gates.map((g) => ({ ...g, ...(this.options.env ? { env: this.options.env } : {}) })),
      { cwd, signal, ...(this.options.killGraceMs !== undefined ? { killGraceMs: this.options.killGraceMs } : {}) },
    );
  }
}
