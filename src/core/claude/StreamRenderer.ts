// Turns a run's events into the human lines of the output channel:
//   [2a-1 dev-story#1] ▸ Bash: npm test
//   [2a-1 dev-story#1]   ✓ 12 passing … 40 more lines
//   [2a-1 dev-story#1] ✓ done in 4m12s · 38.2k in / 6.1k out · $0.42

import type { AgentOutcome, AgentUsage } from '../agent/AgentContract';
import type { ClaudeEvent } from './ClaudeStreamParser';

export interface StreamRendererOptions {
  /** Story short ids of the step (`2a-1`). */
  storyIds: string[];
  /** Command label (`dev-story`, `code-review`). */
  command: string;
  attempt: number;
  /** Longest line kept before cutting with `…` (default 200). */
  maxLineLength?: number;
  /** Assistant text lines shown per block (default 6). */
  maxTextLines?: number;
}

/** `[2a-1,2a-2 code-review#3]`; `[generate-project-context#1]` for a step of no story. */
export function stepLabel(storyIds: string[], command: string, attempt: number): string {
  return storyIds.length ? `[${storyIds.join(',')} ${command}#${attempt}]` : `[${command}#${attempt}]`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** 38200 → `38.2k`, 1500000 → `1.5M`. */
export function formatTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export function formatCost(usd: number): string {
  return usd > 0 && usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** The main argument of a tool call, for `▸ Bash: npm test`. */
function toolSummary(name: string, input: Record<string, unknown>): string {
  const pick = (k: string): string | undefined => (typeof input[k] === 'string' ? (input[k] as string) : undefined);
  const arg = pick('command') ?? pick('file_path') ?? pick('path') ?? pick('pattern') ?? pick('description') ?? pick('url') ?? pick('prompt');
  return arg === undefined ? name : `${name}: ${arg}`;
}

export class StreamRenderer {
  readonly prefix: string;
  private readonly maxLine: number;
  private readonly maxTextLines: number;
  private readonly toolNames = new Map<string, string>();

  constructor(options: StreamRendererOptions) {
    this.prefix = stepLabel(options.storyIds, options.command, options.attempt);
    this.maxLine = options.maxLineLength ?? 200;
    this.maxTextLines = options.maxTextLines ?? 6;
  }

  private line(text: string): string {
    const flat = text.replace(/\s*[\r\n]+\s*/g, ' ');
    const cut = flat.length > this.maxLine ? `${flat.slice(0, this.maxLine - 1)}…` : flat;
    return `${this.prefix} ${cut}`;
  }

  /** Lines for one event (often none). */
  render(event: ClaudeEvent): string[] {
    const indent = (parent: string | null): string => (parent ? '  ↳ ' : '');
    switch (event.kind) {
      case 'init':
        return [this.line(`session ${event.sessionId}${event.model ? ` · ${event.model}` : ''}${event.permissionMode ? ` · ${event.permissionMode}` : ''}`)];
      case 'assistant-text': {
        const lines = event.text.split('\n').filter((l) => l.trim() !== '');
        const shown = lines.slice(0, this.maxTextLines).map((l) => this.line(`${indent(event.parentToolUseId)}${event.synthetic ? '⚠ ' : ''}${l}`));
        if (lines.length > this.maxTextLines) shown.push(this.line(`${indent(event.parentToolUseId)}… ${lines.length - this.maxTextLines} more lines`));
        return shown;
      }
      case 'thinking':
        return [];
      case 'tool-use':
        this.toolNames.set(event.id, event.name);
        return [this.line(`${indent(event.parentToolUseId)}▸ ${toolSummary(event.name, event.input)}`)];
      case 'tool-result': {
        const lines = event.content.split('\n');
        while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
        const first = lines.find((l) => l.trim() !== '') ?? '';
        const more = lines.length > 1 ? ` … ${lines.length - 1} more line${lines.length === 2 ? '' : 's'}` : '';
        const mark = event.isError ? '✗' : '✓';
        const cut = first.length > this.maxLine - 40 ? `${first.slice(0, this.maxLine - 41)}…` : first;
        return [this.line(`${indent(event.parentToolUseId)}  ${mark} ${cut || '(no output)'}${more}`)];
      }
      case 'api-retry':
        return [
          this.line(
            `⟳ retry ${event.attempt}${event.maxRetries !== undefined ? `/${event.maxRetries}` : ''}: ${event.error}${event.errorStatus !== null ? ` (${event.errorStatus})` : ''}`,
          ),
        ];
      case 'task':
        if (event.subtype === 'task_started') return [this.line(`⤷ sub-agent started: ${event.description ?? event.taskId}`)];
        if (event.subtype === 'task_notification') return [this.line(`⤶ sub-agent ${event.status ?? 'finished'}${event.summary ? `: ${event.summary}` : ''}`)];
        return [];
      case 'warning':
        return [this.line(`⚠ ${event.message}`)];
      case 'system':
        if (event.subtype === 'permission_denied' && typeof event.data.message === 'string') return [this.line(`⚠ ${event.data.message}`)];
        return [];
      default:
        return [];
    }
  }

  /** The closing line. */
  finish(outcome: AgentOutcome, elapsedMs: number, usage?: AgentUsage, message?: string): string {
    const parts = [`in ${formatDuration(elapsedMs)}`];
    if (usage) {
      const input = usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
      parts.push(`${formatTokens(input)} in / ${formatTokens(usage.outputTokens)} out`, formatCost(usage.costUsd));
    }
    if (outcome === 'success') return `${this.prefix} ✓ done ${parts.join(' · ')}`;
    const why = message ? `: ${message.split('\n')[0]}` : '';
    return this.line(`✗ ${outcome === 'cancelled' ? 'stopped' : `failed (${outcome})`} ${parts.join(' · ')}${why}`);
  }
}
