// Gathers, while a batch runs (and while it is replayed from the journal), what the end-of-batch sprint
// report needs that the store does not already hold: final statuses with their reasons, gate results,
// commits, lanes, deferred items and batch-level notes. Usage and reviews come from the store's command
// rows when the report is built, so the numbers are the same ones the cost views show.

import type { GateResult } from '../gates/GateResult';
import type { ReportCommit, ReportReview, ReportStory, SprintReportInput } from '../report/renderSprintReport';
import type { CommandRecord, CostTotals } from '../store/RunStore';
import type { CommitCheck } from './GitPort';
import type { LaneInfo } from './LanePort';
import { parseCodeReview, parseCriticalIssuesFound } from './markers';

interface StoryEntry extends Pick<ReportStory, 'key' | 'shortId' | 'epicId' | 'status' | 'blockReason' | 'commits'> {
  gates: GateResult[];
  deferred: string[];
  lane?: { branch: string; outcome: string };
}

const REVIEWS = new Set(['story-review', 'tech-spec-review', 'code-review']);

/** `sprint-report-{run-id}-{batch}.md`; the run id is data, so anything unusual becomes `-`. */
export function sprintReportFileName(runId: string, batchId: number): string {
  const safe = runId.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '') || 'run';
  return `sprint-report-${safe}-${batchId}.md`;
}

function reviewResult(c: CommandRecord): string {
  if (c.outcome !== 'success') return c.outcome ?? 'interrupted';
  const text = c.outputSummary ?? '';
  if (c.command === 'code-review') {
    const r = parseCodeReview(text);
    if (r.zeroIssues) return 'zero issues';
    const n = r.counts ? r.counts.critical + r.counts.high + r.counts.medium + r.counts.low : r.findings.length;
    return `${n} issue(s)${r.hasCritical ? ', CRITICAL' : ''}${r.highestSeverity && !r.hasCritical ? `, highest ${r.highestSeverity}` : ''}`;
  }
  const critical = parseCriticalIssuesFound(text);
  return critical === undefined ? 'no marker' : critical ? 'critical issues found' : 'no critical issues';
}

export class SprintReportCollector {
  private readonly stories = new Map<string, StoryEntry>();
  private readonly notes: string[] = [];

  story(s: { key: string; shortId: string; epicId: string; status: string }): void {
    if (!this.stories.has(s.key)) this.stories.set(s.key, { key: s.key, shortId: s.shortId, epicId: s.epicId, status: s.status, commits: [], gates: [], deferred: [] });
  }

  status(key: string, status: string, reason: string): void {
    const e = this.stories.get(key);
    if (!e) return;
    e.status = status;
    if (status === 'blocked') e.blockReason = reason;
    else delete e.blockReason;
  }

  /** The latest gate run of a story is the one that decided. */
  gates(key: string, results: GateResult[]): void {
    const e = this.stories.get(key);
    if (e) e.gates = results;
  }

  commit(storyKeys: readonly string[], r: CommitCheck, mode: 'agent' | 'engine', lane?: LaneInfo): void {
    if (!r.ok) {
      this.note(`${mode === 'agent' ? 'Batch commit not verified' : 'Engine commit not made'} for ${storyKeys.join(', ')}${lane ? ` (lane ${lane.branch})` : ''}: ${r.reason}: ${r.detail}`);
      return;
    }
    const commit: ReportCommit = { sha: r.sha, subject: r.message.split('\n', 1)[0] ?? '', check: mode === 'agent' ? 'verified' : 'engine-made' };
    for (const k of storyKeys) this.stories.get(k)?.commits.push(commit);
  }

  mergeCommit(key: string, sha: string, subject: string): void {
    this.stories.get(key)?.commits.push({ sha, subject, check: 'merged from lane' });
  }

  deferred(storyKeys: readonly string[], items: readonly string[]): void {
    for (const k of storyKeys) {
      const e = this.stories.get(k);
      if (!e) continue;
      for (const d of items) if (!e.deferred.includes(d)) e.deferred.push(d);
    }
  }

  lane(key: string, branch: string, outcome: string): void {
    const e = this.stories.get(key);
    if (e) e.lane = { branch, outcome };
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  build(
    head: Omit<SprintReportInput, 'stories' | 'notes'>,
    costs: ReadonlyMap<string, CostTotals>,
    commands: readonly CommandRecord[],
  ): SprintReportInput {
    const stories: ReportStory[] = [...this.stories.values()].map((e) => {
      const c = costs.get(e.key);
      const reviews: ReportReview[] = commands
        .filter((x) => REVIEWS.has(x.command) && x.storyKeys.includes(e.key) && x.endedAt !== null)
        .map((x) => ({ command: x.command, attempt: x.attempt, result: reviewResult(x) }));
      return {
        key: e.key,
        shortId: e.shortId,
        epicId: e.epicId,
        status: e.status,
        ...(e.blockReason ? { blockReason: e.blockReason } : {}),
        commits: e.commits,
        reviews,
        gates: e.gates.map((g) => ({ name: g.name, ok: g.ok, exitCode: g.exitCode, durationMs: g.durationMs, ...(g.timedOut ? { timedOut: true } : {}) })),
        usage: {
          inputTokens: c?.inputTokens ?? 0,
          outputTokens: c?.outputTokens ?? 0,
          cacheCreationInputTokens: c?.cacheCreationInputTokens ?? 0,
          cacheReadInputTokens: c?.cacheReadInputTokens ?? 0,
          costUsd: c?.costUsd ?? 0,
        },
        deferred: e.deferred,
        ...(e.lane ? { lane: e.lane } : {}),
      };
    });
    return { ...head, stories, ...(this.notes.length ? { notes: [...this.notes] } : {}) };
  }
}
