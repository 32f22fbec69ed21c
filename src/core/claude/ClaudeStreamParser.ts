// Turns the lines of `claude -p --output-format stream-json --verbose` into typed events.
// Shapes follow test/fixtures/claude-stream-json (CLI 2.1.197 and 2.1.330): one `assistant` line per
// content block, tool results inside `user` lines, `result` with is_error (not subtype) deciding failure.
// A line that is not JSON, or JSON of an unexpected shape, becomes a `warning` event; nothing here throws.

/** Token counts as the CLI reports them (the `result.usage` object, snake_case in the stream). */
export interface ClaudeTokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
}

/** One entry of `result.modelUsage` (cumulative for the session, sub-agents included). */
export interface ClaudeModelUsage extends ClaudeTokenUsage {
  costUsd: number;
}

export interface ClaudePermissionDenial {
  toolName: string;
  toolUseId: string;
  toolInput: unknown;
}

export interface ClaudeResult {
  /** `success`, `error_max_turns`, `error_max_budget_usd`, `error_during_execution`, … */
  subtype: string;
  /** The failure flag. API errors arrive as `subtype: "success"` with `is_error: true`. */
  isError: boolean;
  apiErrorStatus: number | null;
  apiErrorType?: string;
  /** Absent on error_max_turns / error_max_budget_usd (those carry `errors[]`). */
  resultText?: string;
  errors: string[];
  usage: ClaudeTokenUsage;
  totalCostUsd: number;
  modelUsage: Record<string, ClaudeModelUsage>;
  numTurns?: number;
  durationMs?: number;
  sessionId?: string;
  stopReason?: string;
  terminalReason?: string;
  permissionDenials: ClaudePermissionDenial[];
  /** 2.1.330 numbers its results when one run prints several. */
  resultIndex?: number;
}

export type ClaudeEvent =
  | {
      kind: 'init';
      sessionId: string;
      model?: string;
      tools: string[];
      permissionMode?: string;
      cwd?: string;
      version?: string;
      /** Names (without `/`) of every command and skill the CLI found for this folder; undefined when not printed. */
      slashCommands?: string[];
    }
  | {
      kind: 'assistant-text';
      text: string;
      parentToolUseId: string | null;
      model?: string;
      /** The CLI's own message standing in for the model (`model: "<synthetic>"`), e.g. an API error. */
      synthetic: boolean;
      apiErrorStatus?: number | null;
      error?: string;
    }
  | { kind: 'thinking'; text: string; parentToolUseId: string | null }
  | { kind: 'tool-use'; id: string; name: string; input: Record<string, unknown>; parentToolUseId: string | null }
  | { kind: 'tool-result'; toolUseId: string; content: string; isError: boolean; parentToolUseId: string | null }
  | { kind: 'user-text'; text: string; parentToolUseId: string | null }
  | { kind: 'api-retry'; attempt: number; maxRetries?: number; retryDelayMs?: number; errorStatus: number | null; error: string }
  | {
      kind: 'task';
      subtype: 'task_started' | 'task_progress' | 'task_updated' | 'task_notification' | string;
      taskId: string;
      toolUseId?: string;
      description?: string;
      status?: string;
      summary?: string;
    }
  | { kind: 'stream-event'; eventType: string; event: unknown; parentToolUseId: string | null }
  /**
   * `rate_limit_event`: the subscription's usage window. `status` is `allowed`, `allowed_warning` or
   * `rejected`; `resetsAt` in epoch seconds; `rateLimitType` e.g. `five_hour`, `seven_day`.
   */
  | { kind: 'rate-limit'; status: string; resetsAt?: number; rateLimitType?: string }
  | { kind: 'result'; result: ClaudeResult }
  /** Any other `system` line (`status`, `thinking_tokens`, `permission_denied`, …), kept for the log. */
  | { kind: 'system'; subtype: string; data: Record<string, unknown> }
  /** JSON with a `type` this parser does not know: kept, never fatal. */
  | { kind: 'other'; type: string; data: Record<string, unknown> }
  | { kind: 'warning'; message: string; lineNumber: number };

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function parentOf(o: Json): string | null {
  return typeof o.parent_tool_use_id === 'string' ? o.parent_tool_use_id : null;
}

/** `tool_result.content` is a string (Bash/Read/Write) or an array of `{type:"text"}` blocks (Agent). */
export function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const parts: string[] = [];
    for (const block of content) {
      if (isObject(block) && typeof block.text === 'string') parts.push(block.text);
    }
    return parts.join('\n');
  }
  return '';
}

function tokenUsage(u: unknown): ClaudeTokenUsage {
  const o = isObject(u) ? u : {};
  return {
    inputTokens: num(o.input_tokens) ?? 0,
    outputTokens: num(o.output_tokens) ?? 0,
    cacheCreationInputTokens: num(o.cache_creation_input_tokens) ?? 0,
    cacheReadInputTokens: num(o.cache_read_input_tokens) ?? 0,
  };
}

function modelUsage(u: unknown): Record<string, ClaudeModelUsage> {
  const out: Record<string, ClaudeModelUsage> = {};
  if (!isObject(u)) return out;
  for (const [model, v] of Object.entries(u)) {
    if (!isObject(v)) continue;
    out[model] = {
      inputTokens: num(v.inputTokens) ?? 0,
      outputTokens: num(v.outputTokens) ?? 0,
      cacheCreationInputTokens: num(v.cacheCreationInputTokens) ?? 0,
      cacheReadInputTokens: num(v.cacheReadInputTokens) ?? 0,
      costUsd: num(v.costUSD) ?? 0,
    };
  }
  return out;
}

function parseResult(o: Json): ClaudeResult {
  const denials: ClaudePermissionDenial[] = [];
  if (Array.isArray(o.permission_denials)) {
    for (const d of o.permission_denials) {
      if (isObject(d)) {
        denials.push({ toolName: str(d.tool_name) ?? '', toolUseId: str(d.tool_use_id) ?? '', toolInput: d.tool_input });
      }
    }
  }
  return {
    subtype: str(o.subtype) ?? '',
    isError: o.is_error === true,
    apiErrorStatus: num(o.api_error_status) ?? null,
    apiErrorType: str(o.api_error_type),
    resultText: str(o.result),
    errors: Array.isArray(o.errors) ? o.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))) : [],
    usage: tokenUsage(o.usage),
    totalCostUsd: num(o.total_cost_usd) ?? 0,
    modelUsage: modelUsage(o.modelUsage),
    numTurns: num(o.num_turns),
    durationMs: num(o.duration_ms),
    sessionId: str(o.session_id),
    stopReason: str(o.stop_reason),
    terminalReason: str(o.terminal_reason),
    permissionDenials: denials,
    resultIndex: num(o.result_index),
  };
}

export class ClaudeStreamParser {
  private lineNumber = 0;

  /** Parses one stdout line into zero or more events (an `assistant`/`user` line may hold several blocks). */
  parseLine(line: string): ClaudeEvent[] {
    this.lineNumber++;
    if (line.length === 0 || (line.length < 64 && line.trim() === '')) return [];
    // Cheap guard before JSON.parse: every stream-json line is an object.
    const first = line.charCodeAt(0) === 0xfeff ? line.charCodeAt(1) : line.charCodeAt(0);
    if (first !== 0x7b /* { */) return [this.warning(`not JSON: ${preview(line)}`)];
    let value: unknown;
    try {
      value = JSON.parse(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
    } catch (err) {
      return [this.warning(`not JSON (${(err as Error).message}): ${preview(line)}`)];
    }
    if (!isObject(value)) return [this.warning(`JSON line is not an object: ${preview(line)}`)];
    return this.parseObject(value);
  }

  private warning(message: string): ClaudeEvent {
    return { kind: 'warning', message: `stream-json line ${this.lineNumber}: ${message}`, lineNumber: this.lineNumber };
  }

  private parseObject(o: Json): ClaudeEvent[] {
    const type = str(o.type);
    switch (type) {
      case 'system':
        return [this.parseSystem(o)];
      case 'assistant':
        return this.parseAssistant(o);
      case 'user':
        return this.parseUser(o);
      case 'result':
        return [{ kind: 'result', result: parseResult(o) }];
      case 'rate_limit_event':
        if (isObject(o.rate_limit_info)) {
          const info = o.rate_limit_info;
          return [{ kind: 'rate-limit', status: str(info.status) ?? '', resetsAt: num(info.resetsAt), rateLimitType: str(info.rateLimitType) }];
        }
        return [{ kind: 'other', type: 'rate_limit_event', data: o }];
      case 'stream_event': {
        const ev = isObject(o.event) ? o.event : {};
        return [{ kind: 'stream-event', eventType: str(ev.type) ?? '', event: ev, parentToolUseId: parentOf(o) }];
      }
      default:
        if (type === undefined) return [this.warning(`JSON line without "type": ${preview(JSON.stringify(o))}`)];
        return [{ kind: 'other', type, data: o }];
    }
  }

  private parseSystem(o: Json): ClaudeEvent {
    const subtype = str(o.subtype) ?? '';
    if (subtype === 'init') {
      return {
        kind: 'init',
        sessionId: str(o.session_id) ?? '',
        model: str(o.model),
        tools: Array.isArray(o.tools) ? o.tools.filter((t): t is string => typeof t === 'string') : [],
        permissionMode: str(o.permissionMode),
        cwd: str(o.cwd),
        version: str(o.claude_code_version),
        ...(Array.isArray(o.slash_commands) ? { slashCommands: o.slash_commands.filter((t): t is string => typeof t === 'string') } : {}),
      };
    }
    if (subtype === 'api_retry') {
      return {
        kind: 'api-retry',
        attempt: num(o.attempt) ?? 0,
        maxRetries: num(o.max_retries),
        retryDelayMs: num(o.retry_delay_ms),
        errorStatus: num(o.error_status) ?? null,
        error: str(o.error) ?? 'unknown',
      };
    }
    if (subtype.startsWith('task_')) {
      const patch = isObject(o.patch) ? o.patch : {};
      return {
        kind: 'task',
        subtype,
        taskId: str(o.task_id) ?? '',
        toolUseId: str(o.tool_use_id),
        description: str(o.description),
        status: str(o.status) ?? str(patch.status),
        summary: str(o.summary),
      };
    }
    return { kind: 'system', subtype, data: o };
  }

  private parseAssistant(o: Json): ClaudeEvent[] {
    const msg = isObject(o.message) ? o.message : undefined;
    if (!msg || !Array.isArray(msg.content)) return [this.warning('assistant line without message.content[]')];
    const parent = parentOf(o);
    const model = str(msg.model);
    const synthetic = model === '<synthetic>';
    const out: ClaudeEvent[] = [];
    for (const block of msg.content) {
      if (!isObject(block)) continue;
      switch (block.type) {
        case 'text':
          out.push({
            kind: 'assistant-text',
            text: str(block.text) ?? '',
            parentToolUseId: parent,
            model,
            synthetic,
            apiErrorStatus: synthetic ? (num(o.api_error_status) ?? null) : undefined,
            error: str(o.error),
          });
          break;
        case 'thinking':
          out.push({ kind: 'thinking', text: str(block.thinking) ?? '', parentToolUseId: parent });
          break;
        case 'tool_use':
          out.push({
            kind: 'tool-use',
            id: str(block.id) ?? '',
            name: str(block.name) ?? '',
            input: isObject(block.input) ? block.input : {},
            parentToolUseId: parent,
          });
          break;
        default:
          break;
      }
    }
    return out;
  }

  private parseUser(o: Json): ClaudeEvent[] {
    const msg = isObject(o.message) ? o.message : undefined;
    if (!msg) return [this.warning('user line without message')];
    const parent = parentOf(o);
    if (typeof msg.content === 'string') return [{ kind: 'user-text', text: msg.content, parentToolUseId: parent }];
    if (!Array.isArray(msg.content)) return [];
    const out: ClaudeEvent[] = [];
    for (const block of msg.content) {
      if (!isObject(block)) continue;
      if (block.type === 'tool_result') {
        out.push({
          kind: 'tool-result',
          toolUseId: str(block.tool_use_id) ?? '',
          content: toolResultText(block.content),
          isError: block.is_error === true,
          parentToolUseId: parent,
        });
      } else if (block.type === 'text') {
        out.push({ kind: 'user-text', text: str(block.text) ?? '', parentToolUseId: parent });
      }
    }
    return out;
  }
}

function preview(line: string): string {
  return line.length > 120 ? `${line.slice(0, 120)}… (${line.length} chars)` : line;
}
