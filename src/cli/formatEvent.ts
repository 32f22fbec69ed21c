// One readable line per engine event for the CLI's human output (the --json mode prints the events).

import { eventLineOf, eventLineText } from '../core/eventLine';
import type { SprintEvent } from '../core/SprintEvents';

/** The line to print for an event, or undefined for events that have no line of their own. */
export function formatEvent(e: SprintEvent): string | undefined {
  // The agent's own renderer prints its lines and the ✓/✗ line of a command that ran.
  if (e.type === 'command:output') return `  ${e.line}`;
  if (e.type === 'command:end' && !e.replayed) return undefined;
  const line = eventLineOf(e);
  if (!line) return undefined;
  const mark = line.level === 'error' ? '✗ ' : line.level === 'warning' ? '⚠ ' : '';
  return `${mark}${eventLineText(line)}`;
}
