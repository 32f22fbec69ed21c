// The API `activate()` returns to other extensions (`vscode.extensions.getExtension(
// 'sprint-runner.sprint-runner')?.exports`): the same controls as the commands, plus the engine's events.

import type * as vscode from 'vscode';
import type { RunState, SprintEvent } from '../core/SprintEvents';

export interface SprintRunnerStatus {
  state: RunState;
  /** Current batch/cycle/step while a run is active. */
  batchId?: number;
  cycle?: number;
  maxCycles?: number | null;
  storyKeys: string[];
  command?: string;
  attempt?: number;
  /** USD spent by the current (or last) batch in this window. */
  costUsd: number;
  /** The status bar's text (`Sprint: cycle 1/3 · 1-1 dev-story`). */
  text: string;
  /** Absolute path of the sprint ledger, when the workspace has one. */
  ledgerPath?: string;
  /** The folder holding the run journal (the workspace's storage). */
  stateDir: string;
}

export interface SprintRunnerApi {
  readonly apiVersion: 1;
  /** Starts a batch; resolves with the engine's result when the batch ends. */
  run(cycles: number | 'all'): Promise<unknown>;
  pause(): Promise<void>;
  /** Continues the paused or interrupted batch from its journal; resolves when it ends. */
  resume(): Promise<unknown>;
  stop(reason?: string): Promise<void>;
  status(): Promise<SprintRunnerStatus>;
  readonly onDidEmit: vscode.Event<SprintEvent>;
}
