// Decides what a finished `claude -p` run means for the engine, from what the CLI itself printed.
// Facts (test/fixtures/claude-stream-json/README.md): failure is `is_error`, not `subtype`; API errors
// arrive as subtype "success" + is_error + api_error_status; no `result` line is a failure whatever the
// exit code; CLI validation errors go to stderr with exit 1 and nothing on stdout.

import type { AgentOutcome } from '../agent/AgentContract';
import type { ClaudeResult } from './ClaudeStreamParser';
import type { ClaudeRunTranscript } from './ClaudeRunTranscript';

export const CLAUDE_INSTALL_HINT =
  'install it with `npm install -g @anthropic-ai/claude-code`, or set sprintRunner.claude.command / --claude to its path';

export const ROOT_BYPASS_HINT =
  'running as root: the CLI refuses bypassPermissions / --dangerously-skip-permissions unless IS_SANDBOX=1 is set ' +
  '(set it in the environment when the machine is a sandbox or container), or choose another permission mode ' +
  '(sprintRunner.claude.permissionMode, e.g. acceptEdits with allowed tools)';

/** How the process ended and anything that happened around it. */
export interface ClaudeProcessEnd {
  exitCode: number | null;
  signal: string | null;
  /** Tail of stderr (the CLI's validation messages land there). */
  stderr: string;
  /** Set when the process could not start (`ENOENT`, `EACCES`, …). */
  spawnError?: { code?: string; message: string };
  /** Why the orchestrator stopped it, if it did. */
  stoppedBy?: 'cancel' | 'timeout' | 'idle-timeout';
  /** The limit that fired, for the message. */
  timeoutMs?: number;
  command?: string;
}

export interface ClaudeOutcome {
  outcome: AgentOutcome;
  /** `result.subtype` or a short class: no-result, spawn-failed, timeout, idle-timeout, cli-error, api-error, … */
  errorClass?: string;
  /** The CLI's own words (plus a hint when we know the fix). */
  message?: string;
  /** A usage limit: when it resets (epoch ms), from `rate_limit_event` or the CLI's `…limit reached|<epoch s>` text. */
  resetsAt?: number;
  /** `five_hour`, `seven_day`, … when the CLI said. */
  limitType?: string;
}

/** The CLI's usage-limit text: `Claude AI usage limit reached|<epoch seconds>`. */
const LIMIT_TEXT = /usage limit reached\|(\d{9,11})/i;

/** When the usage limit that ended this run resets, if it was one (epoch ms). */
export function usageLimitReset(run: ClaudeRunTranscript, stderr: string): { resetsAt: number; limitType?: string } | undefined {
  const texts = [...run.results.map((r) => r.resultText ?? ''), ...run.results.flatMap((r) => r.errors), ...run.syntheticTexts, run.outputText, stderr];
  for (const t of texts) {
    const m = LIMIT_TEXT.exec(t);
    if (m) return { resetsAt: Number(m[1]) * 1000, ...(run.rejectedLimit?.rateLimitType ? { limitType: run.rejectedLimit.rateLimitType } : {}) };
  }
  const limit = run.rejectedLimit;
  if (limit?.resetsAt !== undefined) return { resetsAt: limit.resetsAt * 1000, ...(limit.rateLimitType ? { limitType: limit.rateLimitType } : {}) };
  return undefined;
}

/**
 * classifyOutcome, with a usage limit recognised whatever else the run ended with (an API error, no result):
 * a transient failure that carries its reset time, so the engine waits for it instead of retrying blindly.
 */
export function classifyWithLimits(run: ClaudeRunTranscript, end: ClaudeProcessEnd): ClaudeOutcome {
  const verdict = classifyOutcome(run, end);
  if (verdict.outcome === 'success' || verdict.outcome === 'cancelled' || verdict.outcome === 'permanent') return verdict;
  const limit = usageLimitReset(run, end.stderr);
  if (!limit) return verdict;
  const when = new Date(limit.resetsAt).toISOString();
  return {
    outcome: 'transient',
    errorClass: 'usage-limit',
    message: `usage limit${limit.limitType ? ` (${limit.limitType})` : ''} reached; it resets at ${when}${verdict.message ? ` — ${verdict.message}` : ''}`,
    ...limit,
  };
}

const TRANSIENT_STATUS = new Set([408, 409, 429, 500, 502, 503, 504, 529]);
const TRANSIENT_ERRORS = new Set(['overloaded', 'rate_limit', 'server_error', 'unknown', 'connection_error', 'timeout']);
const PERMANENT_STATUS = new Set([400, 401, 403, 404, 413]);
const PERMANENT_ERRORS = new Set(['authentication_failed', 'billing_error', 'invalid_request', 'permission_error']);

/** Stderr lines the CLI prints when it refuses its arguments or environment (exit 1, nothing on stdout). */
const STDERR_VALIDATION: { pattern: RegExp; errorClass: string; hint?: string }[] = [
  { pattern: /cannot be used with root\/sudo privileges/i, errorClass: 'root-bypass-refused', hint: ROOT_BYPASS_HINT },
  { pattern: /requires --verbose/i, errorClass: 'cli-error', hint: 'stream-json output needs --verbose (sprint-runner always passes it; check extra arguments)' },
  { pattern: /unknown option|unknown command|too many arguments/i, errorClass: 'unknown-option', hint: 'remove or fix the argument in sprintRunner.claude.extraArgs' },
  { pattern: /^error: (option|missing required argument|required option)/im, errorClass: 'cli-error' },
  { pattern: /Input must be provided/i, errorClass: 'cli-error', hint: 'the prompt was empty' },
  { pattern: /invalid (value|choice|argument)|Allowed choices are/i, errorClass: 'cli-error' },
  { pattern: /^Error: /m, errorClass: 'cli-error' },
];

const SIGNAL_EXIT_CODES: Record<number, string> = { 129: 'SIGHUP', 130: 'SIGINT', 137: 'SIGKILL', 143: 'SIGTERM' };

function firstLines(text: string, max = 2000): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

function classifyApiError(result: ClaudeResult, run: ClaudeRunTranscript): ClaudeOutcome {
  const text = result.resultText || run.syntheticTexts[run.syntheticTexts.length - 1] || result.errors.join('; ') || 'API error';
  const status = result.apiErrorStatus;
  const lastRetry = run.retries[run.retries.length - 1];
  const type = result.apiErrorType ?? '';
  const retryError = lastRetry?.error ?? '';
  if (
    (status !== null && PERMANENT_STATUS.has(status)) ||
    /authentication|invalid_request|permission_error|billing/.test(type) ||
    PERMANENT_ERRORS.has(retryError) ||
    /invalid api key|please run \/login|credit balance is too low/i.test(text)
  ) {
    return { outcome: 'permanent', errorClass: 'api-error', message: text };
  }
  if (/usage limit|limit reached|limit will reset/i.test(text)) {
    return { outcome: 'transient', errorClass: 'usage-limit', message: text };
  }
  if (
    (status !== null && TRANSIENT_STATUS.has(status)) ||
    /overloaded|rate_limit|api_error|timeout/.test(type) ||
    TRANSIENT_ERRORS.has(retryError) ||
    /overloaded|unable to connect|connection|ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket|network|timed? ?out|server error|fetch failed/i.test(text)
  ) {
    return { outcome: 'transient', errorClass: 'api-error', message: text };
  }
  return { outcome: 'agent-failure', errorClass: 'api-error', message: text };
}

/** True when the CLI's error result is an API failure rather than the agent's own run ending badly. */
function isApiError(result: ClaudeResult, run: ClaudeRunTranscript): boolean {
  return (
    result.apiErrorStatus !== null ||
    result.terminalReason === 'api_error' ||
    (result.subtype === 'success' && run.syntheticTexts.length > 0) ||
    /^API Error/i.test(result.resultText ?? '')
  );
}

export function classifyOutcome(run: ClaudeRunTranscript, end: ClaudeProcessEnd): ClaudeOutcome {
  if (end.spawnError) {
    const cmd = end.command ?? 'claude';
    if (end.spawnError.code === 'ENOENT') {
      return { outcome: 'permanent', errorClass: 'spawn-failed', message: `${cmd} not found: ${CLAUDE_INSTALL_HINT}` };
    }
    if (end.spawnError.code === 'EACCES') {
      return { outcome: 'permanent', errorClass: 'spawn-failed', message: `${cmd} is not executable (EACCES): chmod +x it or set sprintRunner.claude.command / --claude to the right program` };
    }
    return { outcome: 'permanent', errorClass: 'spawn-failed', message: `could not start ${cmd}: ${end.spawnError.message}` };
  }
  if (end.stoppedBy === 'cancel') {
    return { outcome: 'cancelled', errorClass: 'cancelled', message: 'stopped by the orchestrator' };
  }
  if (end.stoppedBy === 'timeout' || end.stoppedBy === 'idle-timeout') {
    const what = end.stoppedBy === 'timeout' ? 'ran longer than the step timeout' : 'printed nothing for longer than the idle timeout';
    const limit = end.timeoutMs !== undefined ? ` (${Math.round(end.timeoutMs / 1000)} s)` : '';
    return {
      outcome: 'agent-failure',
      errorClass: end.stoppedBy,
      message: `claude ${what}${limit} and was stopped; raise ${end.stoppedBy === 'timeout' ? 'sprintRunner.timeouts.stepMinutes (CLI: --step-timeout)' : 'sprintRunner.timeouts.idleMinutes (CLI: --idle-timeout)'} if the step legitimately needs longer`,
    };
  }

  // Any result with is_error decides (the first one: later ones only report the aftermath).
  const failed = run.results.find((r) => r.isError);
  if (failed) {
    if (isApiError(failed, run)) return classifyApiError(failed, run);
    const words = failed.errors.length > 0 ? failed.errors.join('; ') : failed.resultText || `claude reported ${failed.subtype}`;
    return { outcome: 'agent-failure', errorClass: failed.subtype || 'is_error', message: words };
  }
  if (run.results.length > 0) return { outcome: 'success' };

  // No result line: a failure whatever the exit code. Which kind depends on what the CLI said.
  const stderr = end.stderr.trim();
  if (stderr) {
    for (const rule of STDERR_VALIDATION) {
      if (rule.pattern.test(stderr)) {
        const words = firstLines(stderr);
        return { outcome: 'permanent', errorClass: rule.errorClass, message: rule.hint ? `${words}\n→ ${rule.hint}` : words };
      }
    }
  }
  const signal = end.signal ?? (end.exitCode !== null ? SIGNAL_EXIT_CODES[end.exitCode] : undefined) ?? null;
  if (signal) {
    return {
      outcome: 'transient',
      errorClass: 'signal',
      message: `claude was ended by ${signal} before printing a result${stderr ? `: ${firstLines(stderr, 500)}` : ''}`,
    };
  }
  const lastRetry = run.retries[run.retries.length - 1];
  if (lastRetry && TRANSIENT_ERRORS.has(lastRetry.error)) {
    return {
      outcome: 'transient',
      errorClass: 'no-result',
      message: `claude stopped after API retry ${lastRetry.attempt}${lastRetry.maxRetries ? `/${lastRetry.maxRetries}` : ''} (${lastRetry.error}${lastRetry.errorStatus ? ` ${lastRetry.errorStatus}` : ''}) without a result`,
    };
  }
  return {
    outcome: 'agent-failure',
    errorClass: 'no-result',
    message: `claude exited with code ${end.exitCode ?? 'unknown'} without a result line${stderr ? `: ${firstLines(stderr, 1000)}` : ''}`,
  };
}
