// The Output channel's line for an engine event: the core's line (eventLineOf) with the log channel's
// level. Free of `vscode` so plain Node unit tests cover it.

import { stepLabel } from '../core/claude/StreamRenderer';
import { eventLineOf, eventLineText } from '../core/eventLine';
import { shortIdOf } from '../core/ledger/storyKeys';
import type { SprintEvent } from '../core/SprintEvents';

export function describeEvent(e: SprintEvent): { level: 'info' | 'warn' | 'error'; text: string } | undefined {
  const line = eventLineOf(e);
  if (!line) return undefined;
  return { level: line.level === 'warning' ? 'warn' : line.level, text: eventLineText(line) };
}

/** The Claude stream renderer's prefix (`[1-1,1-2 create-story#1]`), so log and agent lines read alike. */
export function agentLinePrefix(storyKeys: readonly string[], command: string, attempt: number): string {
  return stepLabel(storyKeys.map(shortIdOf), command, attempt);
}
