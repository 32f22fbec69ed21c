// The one place an engine event becomes words. The CLI, the extension's Output and the dashboard's
// log all render these lines, so every event kind reads the same everywhere; the switch is exhaustive
// (a new kind does not compile until it has its line here).

import { commandLabel } from './commands';
import { formatDuration, formatUsd } from './formatAmounts';
import { shortIdOf } from './ledger/storyKeys';
import type { SprintEvent } from './SprintEvents';

export type EventLevel = 'info' | 'warning' | 'error';

export interface EventLine {
  level: EventLevel;
  /** Short ids of the stories the line is about (`2a-1 2a-2`), or '' for batch-level lines. */
  story: string;
  /** Command as the CSV writes it (`code-review-2`), or what the line is about (`batch`, `lane`, …). */
  topic: string;
  /** A progress row's task id; '' otherwise. */
  taskId: string;
  status: string;
  message: string;
  /** Longer text for whoever can show it (a failed gate's output, the files of a refused commit). */
  detail?: string;
}

export interface DescribeContext {
  /** Short ids for keys (the dashboard knows the ledger's); default: the key's own short id. */
  storyLabel?: (keys: readonly string[]) => string;
  /** Parallel mode's lane number of a story, when the caller numbers lanes. */
  laneOf?: (storyKey: string) => number | undefined;
  /** The run went on after a pause (only then does `running` deserve a line). */
  resumedFromPause?: boolean;
}

function defaultStoryLabel(keys: readonly string[]): string {
  return keys.map(shortIdOf).join(' ');
}

/** The line for an event, or undefined for events that have none (agent output, idle/running states). */
export function eventLineOf(e: SprintEvent, context: DescribeContext = {}): EventLine | undefined {
  const label = context.storyLabel ?? defaultStoryLabel;
  const line = (story: string, topic: string, status: string, message: string, level: EventLevel = 'info', detail?: string, taskId = ''): EventLine => ({
    level,
    story,
    topic,
    taskId,
    status,
    message,
    ...(detail ? { detail } : {}),
  });
  switch (e.type) {
    case 'run:state':
      // `running`/`idle` say nothing batch:start/end do not; pauses, stops and resumes are the operator's.
      if (e.state === 'running') return context.resumedFromPause ? line('', 'run', 'resumed', 'Run resumed') : undefined;
      if (e.state === 'idle') return undefined;
      return line('', 'run', e.state, { pausing: 'Pausing after the current step', paused: 'Run paused', stopping: 'Stopping the run' }[e.state], e.state === 'stopping' ? 'warning' : 'info');
    case 'batch:start':
      return line('', 'batch', e.resumed ? 'resumed' : 'start',
        `Batch #${e.batchId} ${e.resumed ? 'resumed' : 'started'} (${e.maxCycles === null ? 'all cycles' : `${e.maxCycles} cycle${e.maxCycles === 1 ? '' : 's'}`})`);
    case 'batch:end': {
      const done = e.storiesDone.length ? `done: ${e.storiesDone.join(', ')}` : 'no story done';
      const blocked = e.storiesBlocked.length ? `; blocked: ${e.storiesBlocked.join(', ')}` : '';
      return line('', 'batch', e.status,
        `Batch #${e.batchId} ${e.status} after ${e.cyclesCompleted} cycle(s): ${done}${blocked}${e.sprintComplete ? '; sprint complete' : ''}${e.reason ? ` — ${e.reason}` : ''}`,
        e.status === 'failed' ? 'error' : e.status === 'completed' ? 'info' : 'warning');
    }
    case 'cycle:start':
      return line(label(e.storyKeys), 'cycle', 'start', `Cycle ${e.cycle}${e.maxCycles === null ? '' : `/${e.maxCycles}`} started (epic ${e.epicId})`);
    case 'cycle:end':
      return line(label(e.storyKeys), 'cycle', 'end', `Cycle ${e.cycle} ended: ${e.done.length} done, ${e.blocked.length} blocked`, e.blocked.length ? 'warning' : 'info');
    case 'command:start':
      return line(label(e.storyKeys), commandLabel(e.command, e.attempt), 'start', e.model ? `Started (model ${e.model})` : 'Started');
    case 'command:progress':
      return line(e.row.storyId || label(e.storyKeys), e.row.command, e.row.status, e.row.message, 'info', undefined, e.row.taskId);
    case 'command:output':
      return undefined;
    case 'command:end': {
      const cost = e.usage ? ` · ${formatUsd(e.usage.costUsd)}` : '';
      const msg = `${e.outcome} in ${formatDuration(e.durationMs)}${cost}${e.replayed ? ' (from journal)' : ''}${e.message ? ` — ${e.message}` : ''}`;
      const level: EventLevel = e.outcome === 'success' || e.outcome === 'cancelled' ? 'info' : e.outcome === 'transient' ? 'warning' : 'error';
      return line(label(e.storyKeys), commandLabel(e.command, e.attempt), e.outcome, msg, level);
    }
    case 'story:status':
      return line(label([e.storyKey]), 'status', e.to, `${e.from ?? '?'} → ${e.to}${e.reason ? ` — ${e.reason}` : ''}`, e.to === 'blocked' ? 'warning' : 'info');
    case 'story:phase':
      return line(label([e.storyKey]), e.command ? commandLabel(e.command, e.attempt ?? 1) : 'phase', e.phase, `Phase ${e.phase}`);
    case 'context:status':
      return line('', 'project-context', e.status, `${e.path}${e.message ? ` — ${e.message}` : ''}`, e.status === 'failed' ? 'error' : 'info');
    case 'budget:reached':
      return line(e.storyKey ? label([e.storyKey]) : '', 'budget', 'reached', `${e.scope} budget reached: ${formatUsd(e.spentUsd)} of ${formatUsd(e.limitUsd)}; pausing`, 'warning');
    case 'batch:forecast':
      return line('', 'forecast', e.basis,
        `Forecast for this batch: ${formatUsd(e.nextBatchUsd)} for ${e.stories.length} stor${e.stories.length === 1 ? 'y' : 'ies'} (${e.basis === 'default' ? 'default costs: no history yet' : `${e.basis}: ${e.historyCommands} command(s) of this project`})${e.budgetUsd !== undefined ? `; budget ${formatUsd(e.budgetUsd)}` : ''}`,
        e.budgetUsd !== undefined && e.nextBatchUsd > e.budgetUsd ? 'warning' : 'info');
    case 'limit:wait':
      return e.state === 'waiting'
        ? line(label(e.storyKeys), 'usage-limit', 'waiting',
          `Usage limit${e.limitType ? ` (${e.limitType})` : ''} reached: waiting until ${new Date(e.resetsAt).toISOString()} (${formatDuration(Math.max(0, e.resetsAt - e.at))} left); the run continues by itself, stop cancels`, 'warning')
        : line(label(e.storyKeys), 'usage-limit', 'over', 'Usage limit reset: continuing');
    case 'warning':
      return line(e.storyKey ? label([e.storyKey]) : '', 'warning', 'warning', e.message, 'warning');
    case 'error':
      return line(e.storyKey ? label([e.storyKey]) : '', 'error', e.permanent ? 'permanent' : 'error', `${e.permanent ? 'Permanent failure: ' : ''}${e.message}`, 'error');
    case 'commit:verified':
      return line(label(e.storyKeys), 'batch-commit', 'verified',
        `${e.mode === 'engine' ? 'Engine commit' : 'Commit verified'} ${e.sha.slice(0, 10)}: ${e.message.split('\n')[0]} (${e.files} file${e.files === 1 ? '' : 's'})`);
    case 'commit:failed':
      return line(label(e.storyKeys), 'batch-commit', 'failed',
        `${e.mode === 'engine' ? 'Engine commit refused' : 'Commit not verified'} (${e.reason}): ${e.detail}${e.paths?.length ? ` — ${e.paths.join(', ')}` : ''}`, 'error',
        e.paths && e.paths.length > 0 ? `Files:\n${e.paths.join('\n')}` : undefined);
    case 'commit:review':
      return e.state === 'waiting'
        ? line(label(e.storyKeys), 'commit-review', 'waiting',
          `Waiting for your review before the batch commit${e.round > 0 ? ` (again, after ${e.round} rejection${e.round === 1 ? '' : 's'})` : ''}: ${
            e.files === undefined ? 'no diff (git is not in use)' : `${e.files} file${e.files === 1 ? '' : 's'} changed, +${e.insertions ?? 0} −${e.deletions ?? 0}`}`, 'warning')
        : e.state === 'approved'
          ? line(label(e.storyKeys), 'commit-review', 'approved', 'Batch commit approved')
          : line(label(e.storyKeys), 'commit-review', 'rejected', `Batch commit rejected, the stories go back to code review: ${e.reason ?? ''}`, 'warning');
    case 'gates:result': {
      const summary = e.results.map((r) => `${r.name} ${r.ok ? 'passed' : r.timedOut ? 'timed out' : `failed${r.exitCode !== null ? ` (exit ${r.exitCode})` : ''}`}`).join(', ');
      const failed = e.results.filter((r) => !r.ok);
      const detail = failed.map((r) => `── ${r.name}${r.error ? `: ${r.error}` : ''}\n${r.output}`).join('\n\n');
      return line(label([e.storyKey]), 'gates', e.ok ? 'pass' : 'fail',
        `Quality gates before code-review #${e.attempt}: ${summary || 'none'}`, e.ok ? 'info' : 'warning', detail || undefined);
    }
    case 'lane:state': {
      const n = context.laneOf?.(e.storyKey);
      const files = e.files && e.files.length > 0 ? `: ${e.files.join(', ')}` : '';
      const what = {
        started: `Lane${n ? ` ${n}` : ''} started on ${e.branch}`,
        merged: `Lane merged: ${e.branch}`,
        conflict: `Lane parked, merge conflict${files} (branch ${e.branch} kept)`,
        uncommitted: `Lane parked, uncommitted work${files} (branch ${e.branch} kept)`,
        failed: `Lane merge failed (branch ${e.branch} kept)`,
        kept: `Lane kept: ${e.branch}`,
      }[e.state];
      const level: EventLevel = e.state === 'started' || e.state === 'merged' ? 'info' : e.state === 'failed' ? 'error' : 'warning';
      return line(label([e.storyKey]), 'lane', e.state, `${what}${e.detail ? ` — ${e.detail.split('\n')[0]}` : ''}`, level,
        [e.cwd ? `Worktree: ${e.cwd}` : '', e.detail ?? ''].filter(Boolean).join('\n') || undefined);
    }
    case 'report:written':
      return line('', 'report', 'written', `Sprint report written: ${e.path}`);
    default: {
      const unhandled: never = e;
      return unhandled;
    }
  }
}

/** One line of text: `[2a-1 code-review-2] success in 1m 03s · $0.42`. */
export function eventLineText(l: EventLine): string {
  const head = l.story ? `${l.story} ${l.topic}` : l.topic;
  return `[${head}${l.taskId ? ` ${l.taskId}` : ''}] ${l.message}`;
}
