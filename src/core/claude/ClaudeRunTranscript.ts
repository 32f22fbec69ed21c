// What one `claude -p` run said, accumulated from its events: the facts classifyOutcome and the cost
// accounting need, without keeping the whole stream in memory.

import type { AgentUsage } from '../agent/AgentContract';
import type { ClaudeEvent, ClaudeResult } from './ClaudeStreamParser';

export interface ClaudeRetry {
  attempt: number;
  maxRetries?: number;
  errorStatus: number | null;
  error: string;
}

/** Keeps at most this much top-level assistant text (the fallback output when there is no `result`). */
const MAX_ASSISTANT_TEXT = 256 * 1024;

export class ClaudeRunTranscript {
  sessionId?: string;
  model?: string;
  permissionMode?: string;
  tools: string[] = [];
  /** Every `result` line, in order (2.1.330 can print two in one run). */
  readonly results: ClaudeResult[] = [];
  readonly retries: ClaudeRetry[] = [];
  readonly warnings: string[] = [];
  /** `<synthetic>` assistant texts: the CLI's own error words. */
  readonly syntheticTexts: string[] = [];
  private readonly assistantTexts: string[] = [];
  private assistantTextLength = 0;
  toolUses = 0;
  toolErrors = 0;
  /** The last `rate_limit_event` that rejected the run: when the usage window reopens. */
  rejectedLimit?: { resetsAt?: number; rateLimitType?: string };

  add(event: ClaudeEvent): void {
    switch (event.kind) {
      case 'init':
        this.sessionId ??= event.sessionId || undefined;
        this.model ??= event.model;
        this.permissionMode ??= event.permissionMode;
        if (this.tools.length === 0) this.tools = event.tools;
        break;
      case 'assistant-text':
        if (event.synthetic) this.syntheticTexts.push(event.text);
        else if (event.parentToolUseId === null && this.assistantTextLength < MAX_ASSISTANT_TEXT) {
          this.assistantTexts.push(event.text);
          this.assistantTextLength += event.text.length;
        }
        break;
      case 'tool-use':
        this.toolUses++;
        break;
      case 'tool-result':
        if (event.isError) this.toolErrors++;
        break;
      case 'api-retry':
        this.retries.push({ attempt: event.attempt, maxRetries: event.maxRetries, errorStatus: event.errorStatus, error: event.error });
        break;
      case 'result':
        this.results.push(event.result);
        if (event.result.sessionId) this.sessionId ??= event.result.sessionId;
        break;
      case 'warning':
        this.warnings.push(event.message);
        break;
      case 'rate-limit':
        if (event.status === 'rejected') this.rejectedLimit = { resetsAt: event.resetsAt, rateLimitType: event.rateLimitType };
        break;
      default:
        break;
    }
  }

  get lastResult(): ClaudeResult | undefined {
    return this.results[this.results.length - 1];
  }

  /** The text the engine reads markers from: every result's text in order, else the top-level assistant text. */
  get outputText(): string {
    const texts = this.results.map((r) => r.resultText).filter((t): t is string => t !== undefined && t !== '');
    if (texts.length > 0) return texts.join('\n\n');
    return this.assistantTexts.join('\n\n');
  }

  /**
   * Tokens and cost of the run. `total_cost_usd` and `modelUsage` are cumulative for the session (the two
   * results of a 2.1.330 sub-agent run repeat the same totals), so the last result's values are the run's
   * totals; summing them would double-count. `modelUsage` also counts sub-agents and the non-streaming
   * fallback, which `result.usage` misses, so tokens come from it when present; `usage` (summed over the
   * results, each covering its own turns) only when `modelUsage` is empty.
   */
  usage(): AgentUsage | undefined {
    const last = this.lastResult;
    if (!last) return undefined;
    let costUsd = 0;
    for (const r of this.results) costUsd = Math.max(costUsd, r.totalCostUsd);
    const models = Object.entries(last.modelUsage);
    const usage: AgentUsage = {
      inputTokens: 0,
      outputTokens: 0,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
      costUsd,
      model: this.model,
      durationMs: 0,
      numTurns: 0,
      sessionId: this.sessionId ?? last.sessionId,
    };
    if (models.length > 0) {
      let topCost = -1;
      for (const [model, m] of models) {
        usage.inputTokens += m.inputTokens;
        usage.outputTokens += m.outputTokens;
        usage.cacheCreationInputTokens += m.cacheCreationInputTokens;
        usage.cacheReadInputTokens += m.cacheReadInputTokens;
        if (m.costUsd > topCost) {
          topCost = m.costUsd;
          if (!this.model) usage.model = model;
        }
      }
    } else {
      for (const r of this.results) {
        usage.inputTokens += r.usage.inputTokens;
        usage.outputTokens += r.usage.outputTokens;
        usage.cacheCreationInputTokens += r.usage.cacheCreationInputTokens;
        usage.cacheReadInputTokens += r.usage.cacheReadInputTokens;
      }
    }
    for (const r of this.results) {
      usage.durationMs = (usage.durationMs ?? 0) + (r.durationMs ?? 0);
      usage.numTurns = (usage.numTurns ?? 0) + (r.numTurns ?? 0);
    }
    return usage;
  }
}
