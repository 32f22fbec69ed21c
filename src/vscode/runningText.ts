// The status bar's words for a run (`Sprint: cycle 2/5 · 2a-1 dev-story`), kept free of `vscode` so
// plain Node unit tests cover them.

import { commandLabel, type StepCommand } from '../core/commands';
import { formatDuration } from '../core/formatAmounts';
import { shortIdOf } from '../core/ledger/storyKeys';

export interface RunningTextInput {
  cycle?: number;
  maxCycles?: number | null;
  storyKeys: readonly string[];
  command?: StepCommand;
  attempt?: number;
  /** Waiting for a usage limit to reset (epoch ms), as of `at`. */
  limit?: { resetsAt: number; at: number };
  /** The stories whose batch commit waits for the user's review. */
  awaitingReview?: readonly string[];
}

/** `2a-1` for `2a-1-session-scanner`, `1-1+1-2` for a pair. */
export function shortStoryLabel(storyKeys: readonly string[]): string {
  return storyKeys.map(shortIdOf).join('+');
}

export function runningText(p: RunningTextInput): string {
  if (p.awaitingReview) return `Sprint: waiting for your review · ${shortStoryLabel(p.awaitingReview)} commit`;
  if (p.limit) {
    const hhmm = new Date(p.limit.resetsAt).toTimeString().slice(0, 5);
    return `Sprint: usage limit · continues at ${hhmm} (${formatDuration(Math.max(0, p.limit.resetsAt - p.limit.at))})`;
  }
  const cycle = p.cycle === undefined ? 'starting' : p.maxCycles ? `cycle ${p.cycle}/${p.maxCycles}` : `cycle ${p.cycle}`;
  const step = p.command ? ` · ${shortStoryLabel(p.storyKeys)} ${commandLabel(p.command, p.attempt ?? 1)}` : '';
  return `Sprint: ${cycle}${step}`;
}
