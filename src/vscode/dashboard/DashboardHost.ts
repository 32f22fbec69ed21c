// What the dashboard panel needs from the rest of the extension: the engine's events, read access to
// the ledger and the run store, and the run controls. Implemented by the extension's composition root;
// the panel never reaches past this interface, so the view models stay testable in plain Node.
//
// This file deliberately imports nothing from `vscode`: `Event` is the core's vscode-shaped event, so a
// `vscode.EventEmitter<SprintEvent>().event` fits it as is.

import type { Event } from '../../core/Emitter';
import type { RunState, SprintEvent } from '../../core/SprintEvents';
import type { LedgerSnapshot } from '../../core/ledger/LedgerTypes';
import type { RunStore } from '../../core/store/RunStore';
import type { DashboardBudgets } from '../../shared/dashboardViewModels';

export type { DashboardBudgets };

/** The read-only part of the run store the dashboard queries (snapshots, history, timelines, costs). */
export type DashboardStore = Pick<
  RunStore,
  'latestBatch' | 'getBatch' | 'listBatches' | 'listCommands' | 'listEvents' | 'costs' | 'openBlock'
>;

export interface DashboardHost {
  /** Every event the engine emits, as it emits it (the panel turns them into small deltas). */
  readonly onDidEmit: Event<SprintEvent>;
  /** Fires when `sprint-status.yaml` changed outside the engine (user edit, git checkout). */
  readonly onDidChangeLedger: Event<void>;
  /** Fires when settings may have changed (budgets, maxParallel): the panel re-reads them. */
  readonly onDidChangeSettings?: Event<unknown>;

  /** The engine's run state right now (`idle` when nothing runs). */
  getRunState(): RunState;
  /**
   * The parsed ledger. Rejects with a message naming the file, line and cause when it cannot be read;
   * resolves undefined when the workspace has no `sprint-status.yaml` at all.
   */
  readLedger(): Promise<LedgerSnapshot | undefined>;
  /** The run store, or undefined before the workspace has one (a fresh workspace: empty history). */
  getStore(): Promise<DashboardStore | undefined>;
  getBudgets(): DashboardBudgets;
  /** `sprintRunner.git.maxParallel` (1 when absent): above 1 the run tab shows the parallel lanes. */
  getMaxParallel?(): number;

  /** Starts a batch of `cycles` cycles, or until every story is done/blocked with `'all'`; does not wait for its end. */
  startRun(cycles: number | 'all'): Promise<void>;
  pause(): Promise<void>;
  /** Continues the paused or interrupted batch; does not wait for its end. */
  startResume(): Promise<void>;
  stop(): Promise<void>;
  /** Starts a run that begins with this story (tree's "Resume story"); does not wait for its end. */
  startStoryResume(storyKey: string): Promise<void>;
  /** Lifts a block: the story gets back the status it had before it was blocked. */
  unblockStory(storyKey: string): Promise<void>;
  /** Opens the story's markdown file in an editor. */
  openStory(storyKey: string): Promise<void>;
  /** Opens a raw NDJSON agent log (a `CommandRecord.logPath`) in an editor. */
  openLog(logPath: string): Promise<void>;
}
