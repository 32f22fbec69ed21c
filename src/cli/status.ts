// `sprint-runner status`: the ledger's stories with what they cost, and the latest batch.

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { forecastBatch, type CostForecast } from '../core/forecast/CostForecast';
import type { LedgerSnapshot } from '../core/ledger/LedgerTypes';
import { FORECAST_VS_ACTUAL_STEP, type ForecastVsActual } from '../core/workflow/ForecastStep';
import { DEFAULT_CYCLES } from '../core/workflow/RunTypes';
import type { BatchRecord, CostTotals } from '../core/store/RunStore';
import type { SprintSession } from '../session/SprintSession';
import type { StateLockInfo } from '../infra/store/StateLock';

export interface StoryStatusRow extends CostTotals {
  key: string;
  shortId: string;
  epicId: string;
  status: string;
}

export interface StatusReport {
  workspace: string;
  ledger: string;
  /** The process running a batch in this state folder now, if any. */
  activeRun: { pid: number; since: string } | null;
  latestBatch: BatchRecord | null;
  stories: StoryStatusRow[];
  totals: CostTotals;
  counts: Record<string, number>;
  problems: string[];
  /**
   * Why the run history shown may be incomplete: a corrupt database or journal (file, cause, fix).
   * Not empty → `status` exits 1: an empty history must never look like "nothing ran".
   */
  stateProblems: string[];
  /** What the next batch (the default cycles) is forecast to cost, from this project's history (docs/cost-forecast.md). */
  forecast: CostForecast;
  /** The latest batch's forecast beside what it cost, per story (absent before a batch with a forecast ended). */
  latestForecastVsActual: ForecastVsActual | null;
}

const ZERO: CostTotals = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 0, commands: 0 };

export async function collectStatus(
  session: Pick<SprintSession, 'layout' | 'ledger' | 'store'>,
  holder: StateLockInfo | undefined,
  stateProblems: readonly string[] = [],
): Promise<StatusReport> {
  const snapshot: LedgerSnapshot = await session.ledger.read();
  const byStory = await session.store.costsByStory();
  const totals = await session.store.costs({});
  const counts: Record<string, number> = {};
  const stories = snapshot.stories.map((s) => {
    counts[s.status] = (counts[s.status] ?? 0) + 1;
    return { key: s.key, shortId: s.shortId, epicId: s.epicId, status: s.status, ...(byStory.get(s.key) ?? ZERO) };
  });
  const latestBatch = (await session.store.latestBatch()) ?? null;
  const artifacts = session.layout.implementationArtifacts;
  const forecast = forecastBatch({
    snapshot,
    cycles: DEFAULT_CYCLES,
    history: await session.store.listCommands({}),
    hasTechSpec: (key) => existsSync(path.join(artifacts, `tech-spec-${key}.md`)),
  });
  const compared = latestBatch ? (await session.store.getStep(latestBatch.id, FORECAST_VS_ACTUAL_STEP))?.result : undefined;
  return {
    workspace: session.layout.root,
    ledger: session.layout.ledgerPath,
    activeRun: holder ? { pid: holder.pid, since: holder.startedAt } : null,
    latestBatch,
    stories,
    totals,
    counts,
    problems: snapshot.problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`),
    stateProblems: [...stateProblems],
    forecast,
    latestForecastVsActual: (compared as ForecastVsActual | undefined) ?? null,
  };
}

const k = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n));

export function formatStatus(r: StatusReport): string[] {
  const lines = [`Ledger: ${r.ledger}`];
  lines.push(r.activeRun ? `Running: pid ${r.activeRun.pid} since ${r.activeRun.since}` : 'Running: no');
  if (r.latestBatch) {
    const b = r.latestBatch;
    const cycles = b.batchMode === 'all' ? 'all' : String(b.maxCycles);
    lines.push(`Latest batch ${b.id}: ${b.status}, ${b.cyclesCompleted}/${cycles} cycle(s)${b.reason ? ` — ${b.reason}` : ''}`);
  }
  lines.push(`Stories: ${Object.entries(r.counts).map(([s, n]) => `${n} ${s}`).join(', ') || 'none'}`);
  const width = Math.max(5, ...r.stories.map((s) => s.key.length));
  for (const s of r.stories) {
    const cost = s.commands ? `  ${k(s.inputTokens)} in / ${k(s.outputTokens)} out / ${k(s.cacheReadInputTokens)} cached  $${s.costUsd.toFixed(3)}` : '';
    lines.push(`  ${s.key.padEnd(width)}  ${s.status.padEnd(13)}${cost}`);
  }
  lines.push(`Total: ${r.totals.commands} command(s), ${k(r.totals.inputTokens)} in / ${k(r.totals.outputTokens)} out, $${r.totals.costUsd.toFixed(3)}`);
  const f = r.forecast;
  lines.push(
    `Forecast, next batch (${f.cycles} cycles, ${f.stories.length} stories): $${f.nextBatchUsd.toFixed(2)} — ${f.basis === 'default' ? 'default costs, no history yet' : `${f.basis}, ${f.historyCommands} command(s) of this project`}`,
  );
  const c = r.latestForecastVsActual;
  if (c) lines.push(`Latest batch: forecast $${c.forecastUsd.toFixed(2)}, actual $${c.actualUsd.toFixed(2)}`);
  for (const p of r.problems) lines.push(`warning: ${p}`);
  for (const p of r.stateProblems) lines.push(`error: ${p}`);
  if (r.stateProblems.length > 0) lines.push('error: the run history above is incomplete because of the file(s) named; costs and the latest batch may be missing.');
  return lines;
}
