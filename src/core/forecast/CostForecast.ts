// What the next batch will cost, before it starts: the stories 003 step 1 would select for the cycles asked,
// the commands each story's status leads to, and what those commands cost in this project's history —
// per command and attempt (a later review attempt runs only for the share of stories that reached it, on
// the cheaper model). Before any history, a documented default per command (docs/cost-forecast.md).

import type { StepCommand } from '../commands';
import type { LedgerSnapshot } from '../ledger/LedgerTypes';
import { selectNextStories } from '../ledger/selectNextStories';
import type { CommandRecord } from '../store/RunStore';

/**
 * Per story, when nothing ran yet: one invocation of each command on the default model, review loops at their
 * usual length (attempts after the first on the cheaper model), a pair's shared invocations split in two.
 * Rough numbers for a mid-sized story with Sonnet; the first batch replaces them with the project's own.
 */
export const DEFAULT_COST_PER_STORY_USD: Readonly<Record<StepCommand, number>> = {
  'generate-project-context': 0,
  'create-story': 0.5,
  'create-story-discovery': 0.3,
  'story-review': 0.4,
  'create-tech-spec': 0.7,
  'tech-spec-review': 0.4,
  'dev-story': 2.0,
  'code-review': 1.2,
  'batch-commit': 0.1,
  'sprint-status-diagnosis': 0,
};

/** Share of backlog stories whose create-story decides REQUIRED, before any history. */
export const DEFAULT_TECH_SPEC_SHARE = 0.5;

export interface CommandCostBasis {
  command: StepCommand;
  /** Stories that ran the command's first attempt in the history. */
  stories: number;
  /** Per attempt: mean cost per story that reached it, and the share of stories that reached it. */
  attempts: { attempt: number; meanUsd: number; share: number }[];
  /** Expected cost per story that runs the command (Σ share × mean). */
  perStoryUsd: number;
}

export interface StoryForecast {
  key: string;
  status: string;
  cycle: number;
  usd: number;
  commands: StepCommand[];
}

export interface CostForecast {
  nextBatchUsd: number;
  /** `history`: this project's finished commands; `default`: none yet (DEFAULT_COST_PER_STORY_USD); `mixed`: some commands never ran here. */
  basis: 'history' | 'default' | 'mixed';
  historyCommands: number;
  cycles: number | 'all';
  techSpecShare: number;
  stories: StoryForecast[];
  perCommand: CommandCostBasis[];
  /** The batch budget, and whether the forecast already exceeds it. */
  budgetUsd?: number;
  exceedsBudget?: boolean;
}

export interface ForecastInput {
  snapshot: LedgerSnapshot;
  cycles: number | 'all';
  /** Finished and unfinished commands of every batch so far (unfinished ones and those without usage are ignored). */
  history: readonly CommandRecord[];
  /** The story's tech spec already exists (a ready-for-dev story then gets none: never pay twice). */
  hasTechSpec?: (storyKey: string) => boolean;
  startWith?: string;
  budgetUsd?: number;
}

/** Per command and attempt, from the history: each invocation's cost split evenly over the stories it covered. */
export function commandCostBasis(history: readonly CommandRecord[]): Map<StepCommand, CommandCostBasis> {
  const costs = new Map<string, { total: number; stories: Set<string> }>();
  for (const c of history) {
    if (c.outcome === null || !c.usage) continue;
    const keys = c.storyKeys.length > 0 ? c.storyKeys : ['(batch)'];
    const k = `${c.command}\u0000${c.attempt}`;
    const entry = costs.get(k) ?? { total: 0, stories: new Set<string>() };
    entry.total += c.usage.costUsd;
    for (const s of keys) entry.stories.add(`${c.batchId}\u0000${s}`);
    costs.set(k, entry);
  }
  const byCommand = new Map<StepCommand, CommandCostBasis>();
  for (const [k, v] of costs) {
    const [command, attempt] = k.split('\u0000') as [StepCommand, string];
    const basis = byCommand.get(command) ?? { command, stories: 0, attempts: [], perStoryUsd: 0 };
    basis.attempts.push({ attempt: Number(attempt), meanUsd: v.total / v.stories.size, share: v.stories.size });
    byCommand.set(command, basis);
  }
  for (const basis of byCommand.values()) {
    basis.attempts.sort((a, b) => a.attempt - b.attempt);
    const first = basis.attempts[0]?.share ?? 0;
    basis.stories = first;
    for (const a of basis.attempts) a.share = first > 0 ? Math.min(1, a.share / first) : 0;
    basis.perStoryUsd = basis.attempts.reduce((sum, a) => sum + a.share * a.meanUsd, 0);
  }
  return byCommand;
}

/** The commands 003 runs for a story entering the cycle at `status` (tech spec weighted by its share). */
function planFor(status: string, hasTechSpec: boolean, techSpecShare: number): { command: StepCommand; weight: number }[] {
  const spec = (w: number) => [
    { command: 'create-tech-spec' as const, weight: w },
    { command: 'tech-spec-review' as const, weight: w },
  ];
  const tail = [
    { command: 'dev-story' as const, weight: 1 },
    { command: 'code-review' as const, weight: 1 },
    { command: 'batch-commit' as const, weight: 1 },
  ];
  switch (status) {
    case 'backlog':
      return [{ command: 'create-story', weight: 1 }, { command: 'create-story-discovery', weight: 1 }, { command: 'story-review', weight: 1 }, ...spec(techSpecShare), ...tail];
    case 'ready-for-dev':
      return [...spec(hasTechSpec ? 0 : 1), ...tail];
    case 'in-progress':
      return tail;
    case 'review':
      return tail.slice(1);
    default:
      return [];
  }
}

/** The stories of the next `cycles` cycles, as 003 step 1 would pick them if every one of them ended done. */
function plannedStories(snapshot: LedgerSnapshot, cycles: number | 'all', startWith?: string): { key: string; status: string; cycle: number }[] {
  const out: { key: string; status: string; cycle: number }[] = [];
  let current = snapshot;
  for (let cycle = 1; cycles === 'all' || cycle <= cycles; cycle++) {
    const selection = selectNextStories(current, cycle === 1 && startWith ? { startWith } : {});
    if (!selection) break;
    for (const key of selection.storyKeys) out.push({ key, status: selection.statuses[key] ?? '', cycle });
    const chosen = new Set(selection.storyKeys);
    current = { ...current, stories: current.stories.map((s) => (chosen.has(s.key) ? { ...s, status: 'done' } : s)) };
  }
  return out;
}

export function forecastBatch(input: ForecastInput): CostForecast {
  const basis = commandCostBasis(input.history);
  const created = basis.get('create-story')?.stories ?? 0;
  const specced = basis.get('create-tech-spec')?.stories ?? 0;
  const techSpecShare = created > 0 ? Math.min(1, specced / created) : DEFAULT_TECH_SPEC_SHARE;
  let usedHistory = false;
  let usedDefault = false;
  const stories = plannedStories(input.snapshot, input.cycles, input.startWith).map((s): StoryForecast => {
    const plan = planFor(s.status, input.hasTechSpec?.(s.key) ?? false, techSpecShare).filter((p) => p.weight > 0);
    let usd = 0;
    for (const p of plan) {
      const known = basis.get(p.command);
      if (known) usedHistory = true;
      else usedDefault = true;
      usd += p.weight * (known ? known.perStoryUsd : DEFAULT_COST_PER_STORY_USD[p.command]);
    }
    return { key: s.key, status: s.status, cycle: s.cycle, usd: round(usd), commands: plan.map((p) => p.command) };
  });
  const nextBatchUsd = round(stories.reduce((sum, s) => sum + s.usd, 0));
  return {
    nextBatchUsd,
    basis: usedHistory && usedDefault ? 'mixed' : usedHistory ? 'history' : 'default',
    historyCommands: input.history.filter((c) => c.outcome !== null && c.usage).length,
    cycles: input.cycles,
    techSpecShare: round(techSpecShare),
    stories,
    perCommand: [...basis.values()].map((b) => ({ ...b, perStoryUsd: round(b.perStoryUsd), attempts: b.attempts.map((a) => ({ ...a, meanUsd: round(a.meanUsd), share: round(a.share) })) })),
    ...(input.budgetUsd !== undefined ? { budgetUsd: input.budgetUsd, exceedsBudget: nextBatchUsd > input.budgetUsd } : {}),
  };
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
