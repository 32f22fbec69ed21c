// What the tree and the status bar show of a run while it happens: the batch's progress and each
// story's live activity (working, last command, tokens and cost, parallel lane), folded from the
// engine's events. Plain TypeScript: no `vscode`.

import { costShareOf, totalTokens } from '../core/usageShares';
import { commandLabel, type StepCommand } from '../core/commands';
import type { SprintEvent } from '../core/SprintEvents';
import type { CostTotals } from '../core/store/RunStore';
import { LaneSlots } from '../shared/LaneSlots';

export interface StoryActivity {
  working: boolean;
  command?: StepCommand;
  attempt?: number;
  /** `code-review-2 (success)`. */
  lastCommand?: string;
  tokens: number;
  costUsd: number;
  /** Parallel mode: the number of the lane (worktree) the story runs in, while it is open. */
  lane?: number;
}

export interface RunProgress {
  batchId?: number;
  cycle?: number;
  maxCycles?: number | null;
  storyKeys: string[];
  command?: StepCommand;
  attempt?: number;
  costUsd: number;
  /** Story key → short id, for compact labels. */
  shortIds: Record<string, string>;
  /** Waiting for a usage limit: when it resets (epoch ms) and when that was last said (the countdown's now). */
  limit?: { resetsAt: number; at: number };
  /** The stories whose batch commit waits for the user's review (setting git.reviewBeforeCommit). */
  awaitingReview?: string[];
  /** The batch's cost forecast, said at its start. */
  forecastUsd?: number;
}

export class RunActivity {
  private readonly activity = new Map<string, StoryActivity>();
  private readonly lanes = new LaneSlots();
  private current: RunProgress = { storyKeys: [], costUsd: 0, shortIds: {} };

  get progress(): Readonly<RunProgress> {
    return this.current;
  }

  of(storyKey: string): StoryActivity | undefined {
    return this.activity.get(storyKey);
  }

  /** The costs the journal already holds, so a reopened window shows what past runs spent. */
  seedCosts(byStory: ReadonlyMap<string, CostTotals>): void {
    for (const [key, c] of byStory) {
      const a = this.activityOf(key);
      a.tokens = totalTokens(c);
      a.costUsd = c.costUsd;
    }
  }

  /** The run ended (or was never started): no story is being worked on. */
  stopWorking(): void {
    for (const a of this.activity.values()) a.working = false;
  }

  apply(e: SprintEvent): void {
    for (const key of this.lanes.apply(e)) this.activityOf(key).lane = this.lanes.laneOf(key);
    switch (e.type) {
      case 'batch:start':
        this.current = { batchId: e.batchId, maxCycles: e.maxCycles, storyKeys: [], costUsd: 0, shortIds: {} };
        return;
      case 'cycle:start':
        this.current = { ...this.current, cycle: e.cycle, maxCycles: e.maxCycles, storyKeys: e.storyKeys, command: undefined };
        return;
      case 'command:start':
        this.current = { ...this.current, storyKeys: e.storyKeys, command: e.command, attempt: e.attempt, limit: undefined, awaitingReview: undefined };
        for (const k of e.storyKeys) Object.assign(this.activityOf(k), { working: true, command: e.command, attempt: e.attempt });
        return;
      case 'command:end': {
        const share = costShareOf(e.storyKeys);
        for (const k of e.storyKeys) {
          const a = this.activityOf(k);
          a.working = false;
          a.lastCommand = `${commandLabel(e.command, e.attempt)} (${e.outcome})`;
          if (e.usage && !e.replayed) {
            a.tokens += Math.round(share * totalTokens(e.usage));
            a.costUsd += share * e.usage.costUsd;
          }
        }
        if (e.usage && !e.replayed) this.current = { ...this.current, costUsd: this.current.costUsd + e.usage.costUsd };
        return;
      }
      case 'batch:end':
        this.stopWorking();
        this.current = { ...this.current, limit: undefined, awaitingReview: undefined };
        return;
      case 'commit:review':
        this.current = { ...this.current, awaitingReview: e.state === 'waiting' ? e.storyKeys : undefined };
        return;
      case 'limit:wait':
        this.current = { ...this.current, limit: e.state === 'waiting' ? { resetsAt: e.resetsAt, at: e.at } : undefined };
        return;
      case 'batch:forecast':
        this.current = { ...this.current, forecastUsd: e.nextBatchUsd };
        return;
      default:
        return;
    }
  }

  private activityOf(key: string): StoryActivity {
    let a = this.activity.get(key);
    if (!a) {
      a = { working: false, tokens: 0, costUsd: 0 };
      this.activity.set(key, a);
    }
    return a;
  }
}
