// Every context key the extension sets, with the type of its value, in one typed table (like the
// command table). package.json's `when` clauses read exactly these.

import * as vscode from 'vscode';
import type { RunState } from '../core/SprintEvents';

export const SprintContextKeys = {
  /** Set once activation finished: the welcome views wait for it. */
  activated: 'sprintRunner.activated',
  /** A folder of the workspace has a sprint-status.yaml. */
  hasLedger: 'sprintRunner.hasLedger',
  /** The engine's run state (`idle`, `running`, `pausing`, `stopping`, `paused`). */
  state: 'sprintRunner.state',
  /** The latest batch can be continued (see `canResumeBatch`): Resume is offered while idle. */
  canResume: 'sprintRunner.canResume',
} as const;

export interface SprintContextValues {
  'sprintRunner.activated': boolean;
  'sprintRunner.hasLedger': boolean;
  'sprintRunner.state': RunState;
  'sprintRunner.canResume': boolean;
}

export type SprintContextKey = keyof SprintContextValues;

export async function setSprintContext<K extends SprintContextKey>(key: K, value: SprintContextValues[K]): Promise<void> {
  await vscode.commands.executeCommand('setContext', key, value);
}
