// Runs every check and sums them up. Read-only: no check writes a file or starts an agent, so the front
// ends run it before taking the state lock, and a failure costs nothing.

import { claudeChecks } from './claudeChecks';
import type { CheckResult, CheckStatus, DoctorCheck, DoctorContext, DoctorReport } from './DoctorCheck';
import { bmadWorkflowsCheck } from './bmadWorkflowsCheck';
import { bmadPresenceCheck, gitCheck, ledgerCheck, platformCheck } from './workspaceChecks';

export const BUILT_IN_CHECKS: readonly DoctorCheck[] = [claudeChecks, bmadPresenceCheck, bmadWorkflowsCheck, ledgerCheck, gitCheck, platformCheck];

/**
 * `extraChecks` run after the built-in ones; an extra check with the id of a built-in one runs in its place
 * (e.g. a full BMAD install check with id `bmad`).
 */
export async function runDoctor(context: DoctorContext, extraChecks: readonly DoctorCheck[] = []): Promise<DoctorReport> {
  const replaced = new Set(extraChecks.map((c) => c.id));
  const checks = [...BUILT_IN_CHECKS.filter((c) => !replaced.has(c.id)), ...extraChecks];
  const results: CheckResult[] = [];
  for (const check of checks) {
    try {
      const r = await check.run(context);
      results.push(...(Array.isArray(r) ? r : [r]));
    } catch (err) {
      results.push({
        id: check.id,
        title: check.id,
        status: 'fail',
        detail: `The check itself failed: ${(err as Error)?.message ?? String(err)}`,
        fix: 'Report this with the output of the doctor.',
      });
    }
  }
  const counts: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0 };
  for (const r of results) counts[r.status]++;
  return { ok: counts.fail === 0, checks: results, counts };
}

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

/** Plain lines for a terminal or a log: one per check, its fix indented under it. */
export function formatDoctorReport(report: DoctorReport, options: { only?: readonly CheckStatus[] } = {}): string[] {
  const lines: string[] = [];
  for (const c of report.checks) {
    if (options.only && !options.only.includes(c.status)) continue;
    lines.push(`${MARK[c.status]}  ${c.title}: ${c.detail}`);
    if (c.fix && c.status !== 'ok') lines.push(`      Fix: ${c.fix}`);
  }
  const { ok, warn, fail } = report.counts;
  lines.push(`${ok} ok, ${warn} warning${warn === 1 ? '' : 's'}, ${fail} failed`);
  return lines;
}
