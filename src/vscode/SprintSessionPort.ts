// What the extension uses of SprintSession (src/session) (the composition of ledger + store + Claude agent +
// engine shared with the CLI). Kept as a structural port so the front end's code reads against the few
// members it needs and tests can reason about them.

import type { Event } from '../core/Emitter';
import type { SprintEvent } from '../core/SprintEvents';
import type { SprintLedgerPort } from '../core/ledger/LedgerTypes';
import type { RunStore } from '../core/store/RunStore';
import type { WorkspaceLayout } from '../core/workspace/WorkspaceLayout';

export interface SprintSessionPort {
  readonly layout: WorkspaceLayout;
  readonly ledger: SprintLedgerPort;
  readonly store: RunStore;
  readonly onDidEmit: Event<SprintEvent>;
  run(o: { cycles: number | 'all'; startWith?: string }): Promise<unknown>;
  resume(): Promise<unknown>;
  pause(): void;
  stop(reason: string): void;
  /** A blocked story goes back to the status it had before (from the journal), then one cycle starts with it. */
  resumeStory(key: string): Promise<unknown>;
  /** Resolves with the status the story got back. */
  unblockStory(key: string): Promise<unknown>;
  blockStory(key: string, reason: string): Promise<void>;
  dispose(): Promise<void>;
}
