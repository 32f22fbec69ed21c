// One readable line per engine event for the CLI's human output (the --json mode prints the events).

import type { SprintEvent } from '../core/SprintEvents';

const usd = (n: number) => `$${n.toFixed(n >= 1 ? 2 : 3)}`;

/** The line to print for an event, or undefined for events that have no line of their own. */
export function formatEvent(e: SprintEvent): string | undefined {
  switch (e.type) {
    case 'batch:start':
      return e.resumed
        ? `▶ Resuming batch ${e.batchId} (${e.batchMode === 'all' ? 'all cycles' : `${e.maxCycles} cycle(s)`})`
        : `▶ Batch ${e.batchId}: ${e.batchMode === 'all' ? 'all cycles until every story is done or blocked' : `${e.maxCycles} cycle(s)`}`;
    case 'batch:end': {
      const done = e.storiesDone.length ? `done: ${e.storiesDone.join(', ')}` : 'no story done';
      const blocked = e.storiesBlocked.length ? ` · blocked: ${e.storiesBlocked.join(', ')}` : '';
      const why = e.reason ? ` — ${e.reason}` : '';
      return `■ Batch ${e.batchId} ${e.status} after ${e.cyclesCompleted} cycle(s) · ${done}${blocked}${e.sprintComplete ? ' · sprint complete' : ''}${why}`;
    }
    case 'cycle:start':
      return `── Cycle ${e.cycle}${e.maxCycles ? `/${e.maxCycles}` : ''}: ${e.storyKeys.join(' + ')} (epic ${e.epicId})`;
    case 'cycle:end':
      return `── Cycle ${e.cycle} ended · done: ${e.done.join(', ') || '-'} · blocked: ${e.blocked.join(', ') || '-'}`;
    case 'command:start':
      return `  ▷ ${e.command}${e.attempt > 1 || e.command.endsWith('review') ? ` #${e.attempt}` : ''} · ${e.storyKeys.join(', ')}${e.model ? ` · ${e.model}` : ''}`;
    case 'command:end':
      if (e.replayed) return `  ↺ ${e.command} #${e.attempt} · ${e.storyKeys.join(', ')}: already done (from the journal)`;
      // The agent's own renderer already printed its ✓/✗ line for a command that ran.
      return undefined;
    case 'command:output':
      return `  ${e.line}`;
    case 'command:progress':
      return `    · ${e.row.storyId} ${e.row.command} ${e.row.taskId} ${e.row.status}${e.row.message ? ` — ${e.row.message}` : ''}`;
    case 'story:status':
      return `  ● ${e.storyKey}: ${e.from ?? '?'} → ${e.to}${e.reason ? ` (${e.reason})` : ''}`;
    case 'context:status':
      return `  ◆ project context ${e.status}: ${e.path}${e.message ? ` — ${e.message}` : ''}`;
    case 'budget:reached':
      return `  $ budget reached (${e.scope}${e.storyKey ? ` ${e.storyKey}` : ''}): ${usd(e.spentUsd)} of ${usd(e.limitUsd)}; pausing`;
    case 'commit:verified':
      return `  ✔ commit ${e.sha.slice(0, 8)} verified (${e.mode}): ${e.message} · ${e.files} file(s)`;
    case 'commit:failed':
      return `  ✗ batch commit not verified (${e.mode}, ${e.reason}): ${e.detail}${e.paths?.length ? ` — ${e.paths.join(', ')}` : ''}`;
    case 'gates:result': {
      const gates = e.results.map((g) => `${g.ok ? '✓' : '✗'} ${g.name}`).join(', ');
      return `  ${e.ok ? '✓' : '✗'} quality gates before code-review #${e.attempt} of ${e.storyKey}: ${gates}`;
    }
    case 'lane:state':
      return `  ⑂ lane ${e.branch} (${e.storyKey}): ${e.state}${e.files?.length ? ` — ${e.files.join(', ')}` : ''}${e.detail ? ` — ${e.detail}` : ''}`;
    case 'report:written':
      return `  ✎ sprint report: ${e.path}`;
    case 'warning':
      return `  ⚠ ${e.message}`;
    case 'error':
      return `  ✗ ${e.message}`;
    case 'run:state':
    case 'story:phase':
      return undefined;
  }
}
