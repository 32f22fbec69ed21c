// Runs one benchmark in this process and prints its report as the last stdout line (JSON). runAll starts
// one process per benchmark so that heap, JIT and event-loop state never leak from one into the next.

import { benchEngineOverhead } from './engineOverhead';
import { benchEventIngest } from './eventIngest';
import { benchExtensionActivation } from './extensionActivation';
import { benchLedgerScale } from './ledgerScale';
import { benchMemoryGrowth } from './memoryGrowth';
import { benchParserThroughput } from './parserThroughput';
import { benchProgressLatency } from './progressLatency';
import type { BenchmarkReport } from './BenchReport';

export const BENCHMARKS: Record<string, () => Promise<BenchmarkReport>> = {
  B1: () => benchParserThroughput(),
  B2: () => benchEngineOverhead(),
  B3: () => benchEventIngest(),
  B4: () => benchLedgerScale(),
  B5: () => benchProgressLatency(),
  B6: () => benchExtensionActivation(),
  B7: () => benchMemoryGrowth(),
};

async function main(): Promise<void> {
  const id = process.argv[2];
  const bench = id ? BENCHMARKS[id] : undefined;
  if (!bench) {
    process.stderr.write(`usage: runBenchmark.ts <${Object.keys(BENCHMARKS).join('|')}>\n`);
    process.exit(2);
  }
  const report = await bench();
  process.stdout.write(`\n${JSON.stringify(report)}\n`);
  process.exit(0);
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
