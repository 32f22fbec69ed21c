// What the engine asks of an agent and what it gets back. The engine never knows whether the agent is
// the real `claude -p`, sim-claude or a scripted fake: it sees only this contract.

import type { StepCommand } from '../commands';

/** One CSV progress line a subagent logged: `timestamp,epicID,storyID,command,task-id,status,"message"`. */
export interface ProgressRow {
  /** Unix seconds, as the helper prints them. */
  timestamp: number;
  epicId: string;
  storyId: string;
  /** As logged, with the review iteration (`code-review-3`) or taxonomy name (`story-discovery`). */
  command: string;
  taskId: string;
  /** `start` | `end` normally; anything else is kept as logged. */
  status: string;
  message: string;
}

export interface AgentUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  costUsd: number;
  /** Model id the CLI reported (system/init or modelUsage), when known. */
  model?: string;
  durationMs?: number;
  numTurns?: number;
  sessionId?: string;
}

/**
 * - success: the agent ran and its `result` is clean (markers are checked by the engine afterwards).
 * - agent-failure: it ran but `is_error`, `error_max_turns`, `error_max_budget_usd`, no `result` line,
 *   or (decided by the engine) a required marker is missing. Re-run at once; 3 in a row block the story.
 * - transient: API overloaded / rate limit / server error / connection, exit by signal, usage limit.
 *   Retried by the engine with backoff; never counts as a review attempt nor as a failure.
 * - permanent: authentication, invalid request, CLI validation error, unknown flag, command not found.
 *   The run stops with the CLI's own message.
 * - cancelled: the engine asked the agent to stop (pause is not this; stop/cancel is).
 */
export type AgentOutcome = 'success' | 'agent-failure' | 'transient' | 'permanent' | 'cancelled';

/** Things an agent reports while it works, forwarded by the engine as events. */
export type AgentActivity =
  | { kind: 'progress'; row: ProgressRow }
  /** A human-readable line for an output channel (the stream renderer's output). */
  | { kind: 'output'; line: string }
  | { kind: 'warning'; message: string }
  | { kind: 'session'; sessionId: string; model?: string; permissionMode?: string }
  | { kind: 'retry'; attempt: number; maxRetries?: number; error?: string; status?: number | null };

export interface AgentRequest {
  runId: string;
  batchId: number;
  cycle: number;
  /** Deterministic id of this step in the run journal, e.g. `c1/code-review/1-2-foo/a3`. */
  stepKey: string;
  command: StepCommand;
  /** Full story keys this invocation covers (create-story/discovery/batch-commit may cover two). */
  storyKeys: string[];
  epicId: string;
  /** 1-based review attempt; 1 for non-review commands. */
  attempt: number;
  /** Model alias or id to pass to the agent (`--model`); undefined = the agent's default. */
  model?: string;
  /** The rendered prompt (goes to stdin). */
  prompt: string;
  /**
   * Continue this Claude session (`--resume <id>`) instead of starting a new one: the agent stopped short of
   * its step's evidence and `prompt` is the autonomous-mode reminder.
   */
  resumeSessionId?: string;
  /** Appended system prompt (goes through a file, never argv). */
  systemPrompt?: string;
  cwd: string;
  /** SPRINT_RUNNER_* variables for the child, on top of the orchestrator's own environment. */
  env: Record<string, string>;
  signal: AbortSignal;
  onActivity?: (activity: AgentActivity) => void;
}

export interface AgentResult {
  outcome: AgentOutcome;
  /** The final `result` text (or the concatenated assistant text when there is none). */
  outputText: string;
  /** The CLI's own words when it failed (stderr, `errors[]`, api error text). */
  message?: string;
  /** `result.subtype` or a short class (`no-result`, `spawn-failed`, `timeout`, `idle-timeout`). */
  errorClass?: string;
  usage?: AgentUsage;
  /** Lines `DEFERRED: <text>` found in the output, text only. */
  deferredItems: string[];
  /** Path of the raw NDJSON log of this invocation, when the agent keeps one. */
  logFile?: string;
  exitCode?: number | null;
  signal?: string | null;
  /** A usage limit ended the run (transient): when it resets, epoch ms. The engine waits until then. */
  resetsAt?: number;
  /** `five_hour`, `seven_day`, … when known. */
  limitType?: string;
}

export interface Agent {
  execute(request: AgentRequest): Promise<AgentResult>;
}

/** Picks the agent for a step type (each step command may have its own agent). */
export class AgentRegistry {
  private readonly byCommand = new Map<StepCommand, Agent>();

  constructor(private readonly fallback?: Agent) {}

  register(command: StepCommand, agent: Agent): this {
    this.byCommand.set(command, agent);
    return this;
  }

  get(command: StepCommand): Agent {
    const agent = this.byCommand.get(command) ?? this.fallback;
    if (!agent) throw new Error(`No agent registered for step "${command}"`);
    return agent;
  }
}

/** `DEFERRED: <text>` lines, in order, trimmed, without duplicates. */
export function extractDeferredItems(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t>*-]*DEFERRED:[ \t]*(.+?)[ \t]*$/gim)) {
    if (!out.includes(m[1])) out.push(m[1]);
  }
  return out;
}
