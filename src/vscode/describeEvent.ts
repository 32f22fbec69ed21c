// The orchestrator log's line for each engine event, and the `[1-1,1-2 create-story#1]` prefix. Free of
// `vscode` so plain Node unit tests cover them.

import type { SprintEvent } from '../core/SprintEvents';
import { parseStoryKey } from '../core/ledger/storyKeys';
import { shortStoryLabel } from './runningText';

/** The Claude stream renderer's prefix (`[1-1,1-2 create-story#1]`), so log and agent lines read alike. */
export function agentLinePrefix(storyKeys: readonly string[], command: string, attempt: number): string {
  const stories = storyKeys.map((k) => parseStoryKey(k)?.shortId ?? k).join(',');
  return `[${stories ? `${stories} ` : ''}${command}#${attempt}]`;
}

/** One orchestrator log line per event worth a line; undefined for the chatty ones. */
export function describeEvent(e: SprintEvent): { level: 'info' | 'warn' | 'error'; text: string } | undefined {
  switch (e.type) {
    case 'batch:start':
      return { level: 'info', text: `Batch ${e.batchId} ${e.resumed ? 'resumed' : 'started'} (${e.maxCycles === null ? 'all cycles' : `${e.maxCycles} cycle(s)`})` };
    case 'batch:end':
      return {
        level: e.status === 'failed' ? 'error' : 'info',
        text: `Batch ${e.batchId} ${e.status} after ${e.cyclesCompleted} cycle(s); done: ${e.storiesDone.join(', ') || '—'}; blocked: ${e.storiesBlocked.join(', ') || '—'}${e.reason ? ` (${e.reason})` : ''}`,
      };
    case 'cycle:start':
      return { level: 'info', text: `Cycle ${e.cycle}${e.maxCycles ? `/${e.maxCycles}` : ''}: ${e.storyKeys.join(', ')} (epic ${e.epicId})` };
    case 'cycle:end':
      return { level: 'info', text: `Cycle ${e.cycle} ended; done: ${e.done.join(', ') || '—'}; blocked: ${e.blocked.join(', ') || '—'}` };
    case 'command:start':
      return { level: 'info', text: `${agentLinePrefix(e.storyKeys, e.command, e.attempt)} started${e.model ? ` (model ${e.model})` : ''}` };
    case 'command:end': {
      const cost = e.usage ? ` · $${e.usage.costUsd.toFixed(4)}` : '';
      const level = e.outcome === 'success' || e.outcome === 'cancelled' ? 'info' : e.outcome === 'transient' ? 'warn' : 'error';
      return {
        level,
        text: `${agentLinePrefix(e.storyKeys, e.command, e.attempt)} ${e.outcome}${e.replayed ? ' (from the journal)' : ''} in ${(e.durationMs / 1000).toFixed(1)} s${cost}${e.message ? ` — ${e.message}` : ''}`,
      };
    }
    case 'story:status':
      return { level: e.to === 'blocked' ? 'warn' : 'info', text: `Story ${e.storyKey}: ${e.from ?? '?'} → ${e.to}${e.reason ? ` (${e.reason})` : ''}` };
    case 'context:status':
      return { level: e.status === 'failed' ? 'error' : 'info', text: `Project context ${e.status}: ${e.path}${e.message ? ` — ${e.message}` : ''}` };
    case 'budget:reached':
      return { level: 'warn', text: `Budget reached (${e.scope}${e.storyKey ? ` ${e.storyKey}` : ''}): $${e.spentUsd.toFixed(2)} of $${e.limitUsd.toFixed(2)}` };
    case 'warning':
      return { level: 'warn', text: e.message };
    case 'error':
      return { level: 'error', text: `${e.permanent ? 'Permanent failure: ' : ''}${e.message}` };
    case 'run:state':
      return { level: 'info', text: `Run state: ${e.state}` };
    case 'command:progress':
      return { level: 'info', text: `${shortStoryLabel(e.storyKeys)} ${e.row.command} ${e.row.taskId} ${e.row.status}${e.row.message ? `: ${e.row.message}` : ''}` };
    case 'command:output':
    case 'story:phase':
      return undefined;
  }
}
