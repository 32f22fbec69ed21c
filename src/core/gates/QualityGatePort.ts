// Quality gates as a port: the configured commands run in a story's working folder. The infra
// implementation (src/infra/gates/NodeQualityGates.ts) runs them without a shell, bounded, no orphans.

import type { GateResult } from './GateResult';

export interface QualityGateConfig {
  /** Display name; defaults to the command line. */
  name?: string;
  /** argv array (preferred) or one command line split without a shell. */
  command: string | string[];
  /** Default 10 minutes. */
  timeoutMs?: number;
}

export interface QualityGatePort {
  run(gates: readonly QualityGateConfig[], cwd: string, signal: AbortSignal): Promise<GateResult[]>;
}
