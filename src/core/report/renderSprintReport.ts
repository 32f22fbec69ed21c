// The end-of-batch sprint report: Markdown, written by the
// engine into the artifacts folder. A pure function of a typed input, so the same input always renders
// the same bytes (golden-tested). Every string from agents, git or files is escaped for Markdown tables
// and inline text; multi-line text is folded to one line.

import { totalTokens } from '../usageShares';
import type { GateResult } from '../gates/GateResult';

export interface ReportUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  costUsd: number;
}

export interface ReportReview {
  /** `story-review`, `tech-spec-review`, `code-review`. */
  command: string;
  attempt: number;
  /** What came of it: `zero issues`, `3 issues (1 critical)`, `agent-failure`, … */
  result: string;
}

export interface ReportCommit {
  sha: string;
  subject: string;
  /** How it was checked: `verified`, `engine-made`, `merged from lane`, or a failure reason. */
  check?: string;
}

export interface ReportStory {
  key: string;
  shortId: string;
  epicId: string;
  /** Final status this batch: `done`, `blocked`, or where it stopped. */
  status: string;
  blockReason?: string;
  commits: ReportCommit[];
  reviews: ReportReview[];
  gates: Pick<GateResult, 'name' | 'ok' | 'exitCode' | 'durationMs' | 'timedOut'>[];
  usage: ReportUsage;
  deferred: string[];
  /** Parallel mode: the lane branch and what happened to it. */
  lane?: { branch: string; outcome: string };
}

export interface SprintReportInput {
  runId: string;
  batchId: number;
  startedAt: number;
  endedAt: number;
  /** How the batch ended (`completed`, `stopped: user`, …). */
  status: string;
  cyclesCompleted: number;
  stories: ReportStory[];
  /** Batch-level problems (no-commit, unexpected dirty tree, merge to main refused). */
  notes?: string[];
}

function esc(text: string): string {
  return text.replace(/\r?\n+/g, ' ').replace(/\\/g, '\\\\').replace(/([|`*_[\]<>#])/g, '\\$1').trim();
}

function usd(n: number): string {
  return `$${n.toFixed(2)}`;
}


function int(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

function gateText(g: ReportStory['gates'][number]): string {
  const how = g.ok ? 'passed' : g.timedOut ? 'timed out' : g.exitCode === null ? 'did not run' : `failed (exit ${g.exitCode})`;
  return `${esc(g.name)}: ${how}, ${duration(g.durationMs)}`;
}

export function renderSprintReport(input: SprintReportInput): string {
  const done = input.stories.filter((s) => s.status === 'done');
  const blocked = input.stories.filter((s) => s.status === 'blocked');
  const other = input.stories.filter((s) => s.status !== 'done' && s.status !== 'blocked');
  const total = input.stories.reduce<ReportUsage>(
    (a, s) => ({
      inputTokens: a.inputTokens + s.usage.inputTokens,
      outputTokens: a.outputTokens + s.usage.outputTokens,
      cacheCreationInputTokens: a.cacheCreationInputTokens + s.usage.cacheCreationInputTokens,
      cacheReadInputTokens: a.cacheReadInputTokens + s.usage.cacheReadInputTokens,
      costUsd: a.costUsd + s.usage.costUsd,
    }),
    { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 0 },
  );

  const L: string[] = [];
  L.push(`# Sprint report: run ${esc(input.runId)}, batch ${input.batchId}`, '');
  L.push(`- Status: ${esc(input.status)}`);
  L.push(`- Started: ${iso(input.startedAt)}; ended: ${iso(input.endedAt)} (${duration(input.endedAt - input.startedAt)})`);
  L.push(`- Cycles completed: ${input.cyclesCompleted}`);
  L.push(`- Stories: ${done.length} done, ${blocked.length} blocked${other.length ? `, ${other.length} unfinished` : ''}`);
  L.push(`- Tokens: ${int(totalTokens(total))}; cost: ${usd(total.costUsd)}`);
  if (input.notes?.length) {
    L.push('', '## Attention', '');
    for (const n of input.notes) L.push(`- ${esc(n)}`);
  }

  L.push('', '## Stories', '');
  if (input.stories.length === 0) L.push('No stories were worked on in this batch.');
  else {
    L.push('| Story | Epic | Status | Reviews | Gates | Tokens | Cost |', '| --- | --- | --- | ---: | --- | ---: | ---: |');
    for (const s of input.stories) {
      const gates = s.gates.length === 0 ? '—' : `${s.gates.filter((g) => g.ok).length}/${s.gates.length} passed`;
      L.push(`| ${esc(s.key)} | ${esc(s.epicId)} | ${esc(s.status)} | ${s.reviews.length} | ${gates} | ${int(totalTokens(s.usage))} | ${usd(s.usage.costUsd)} |`);
    }
  }

  if (blocked.length > 0) {
    L.push('', '## Blocked', '');
    for (const s of blocked) L.push(`- **${esc(s.key)}**: ${s.blockReason ? esc(s.blockReason) : 'no reason recorded'}`);
  }

  const commits = input.stories.flatMap((s) => s.commits.map((c) => ({ story: s.key, ...c })));
  L.push('', '## Commits', '');
  if (commits.length === 0) L.push('No commits.');
  const seen = new Set<string>();
  for (const c of commits) {
    if (seen.has(c.sha)) continue;
    seen.add(c.sha);
    const stories = commits.filter((x) => x.sha === c.sha).map((x) => esc(x.story));
    L.push(`- \`${c.sha.slice(0, 12)}\` ${esc(c.subject)} (${stories.join(', ')})${c.check ? `: ${esc(c.check)}` : ''}`);
  }

  L.push('', '## Details per story');
  for (const s of input.stories) {
    L.push('', `### ${esc(s.key)} (${esc(s.status)})`, '');
    if (s.lane) L.push(`- Lane: \`${s.lane.branch.replace(/`/g, '')}\`, ${esc(s.lane.outcome)}`);
    L.push(`- Reviews: ${s.reviews.length === 0 ? 'none' : s.reviews.map((r) => `${esc(r.command)}-${r.attempt}: ${esc(r.result)}`).join('; ')}`);
    L.push(`- Gates: ${s.gates.length === 0 ? 'none configured' : s.gates.map(gateText).join('; ')}`);
    const u = s.usage;
    L.push(`- Tokens: ${int(u.inputTokens)} in, ${int(u.outputTokens)} out, ${int(u.cacheReadInputTokens)} cache read, ${int(u.cacheCreationInputTokens)} cache write; cost ${usd(u.costUsd)}`);
  }

  const deferred = input.stories.flatMap((s) => s.deferred.map((d) => ({ story: s.key, text: d })));
  L.push('', '## Deferred items', '');
  if (deferred.length === 0) L.push('None.');
  for (const d of deferred) L.push(`- ${esc(d.story)}: ${esc(d.text)}`);
  return L.join('\n') + '\n';
}
