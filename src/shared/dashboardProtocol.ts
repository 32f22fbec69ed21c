// The one message contract between the dashboard panel (extension host) and its webview.
//
// webview → host: imperative (`startRun`). host → webview: past tense deltas or `snapshot`.
// Invariants:
// - After `ready` (and after `requestSnapshot`) the host posts a `snapshot` carrying the current `rev`.
// - Every later state delta carries `rev` = previous rev + 1. A webview that sees a gap ignores the
//   delta and posts `requestSnapshot`; it never patches over a hole.
// - Replies to requests (`history`, `batchStories`, `timeline`, `actionFailed`) carry no rev: they are
//   not part of the state stream.
// - The host validates every incoming message with `validateWebviewMessage` and drops the rest.

import type {
  BatchStoryRow,
  BatchSummary,
  CostView,
  DashboardSnapshot,
  LogLine,
  RunView,
  StoryCard,
  StoryTimeline,
} from './dashboardViewModels';

export const DASHBOARD_VIEW_TYPE = 'sprintRunner.dashboard';

/** Largest cycles count the Start control accepts (a batch that large is "all" in practice). */
export const MAX_CYCLES = 999;

export type ControlAction =
  | 'startRun'
  | 'pause'
  | 'resume'
  | 'stop'
  | 'resumeStory'
  | 'unblockStory'
  | 'openStory'
  | 'openLog';

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'requestSnapshot'; lastRev: number }
  | { type: 'startRun'; cycles: number | 'all' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'resumeStory'; storyKey: string }
  | { type: 'unblockStory'; storyKey: string }
  | { type: 'openStory'; storyKey: string }
  | { type: 'openLog'; path: string }
  | { type: 'requestHistory' }
  | { type: 'requestBatchStories'; batchId: number }
  | { type: 'requestTimeline'; storyKey: string }
  | { type: 'copyText'; text: string };

/** The state stream after a snapshot: each is posted with `rev` = previous rev + 1. */
export type DashboardDelta =
  | { type: 'eventAppended'; line: LogLine }
  /** A new batch started (not a resumed one): the log starts empty. */
  | { type: 'logCleared' }
  | { type: 'storyChanged'; card: StoryCard }
  | { type: 'runStateChanged'; run: RunView }
  | { type: 'costsChanged'; costs: CostView };

export type RequestName = 'requestHistory' | 'requestTimeline' | 'requestBatchStories';

export type HostMessage =
  | { type: 'snapshot'; rev: number; snapshot: DashboardSnapshot }
  | (DashboardDelta & { rev: number })
  | { type: 'history'; batches: BatchSummary[] }
  | { type: 'batchStories'; batchId: number; stories: BatchStoryRow[] }
  | { type: 'timeline'; timeline: StoryTimeline }
  | { type: 'actionFailed'; action: ControlAction | RequestName; message: string };

export type ValidationResult = { ok: true; message: WebviewMessage } | { ok: false; reason: string };

const MAX_KEY = 300;
const MAX_PATH = 4096;
const MAX_COPY = 16 * 1024 * 1024;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function hasOnlyKeys(o: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const k of Object.keys(o)) if (!keys.includes(k)) return `unexpected field "${k}"`;
  return undefined;
}

/** A story key or path must be a non-empty single-line string without control characters. */
function textField(o: Record<string, unknown>, key: string, max: number): string | undefined {
  const v = o[key];
  if (typeof v !== 'string') return `"${key}" must be a string`;
  if (v.length === 0 || v.length > max) return `"${key}" must be 1..${max} characters`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
  if (/[\u0000-\u001f\u007f]/.test(v)) return `"${key}" contains control characters`;
  return undefined;
}

function fail(type: string, reason: string): ValidationResult {
  return { ok: false, reason: `${type}: ${reason}` };
}

/**
 * Accepts exactly the messages of `WebviewMessage` (no extra fields, right types and ranges). The
 * webview runs agent text; a message it posts is input, never trusted.
 */
export function validateWebviewMessage(raw: unknown): ValidationResult {
  if (!isPlainObject(raw)) return { ok: false, reason: 'message is not an object' };
  const type = raw.type;
  if (typeof type !== 'string') return { ok: false, reason: 'message has no string "type"' };
  const only = (...keys: string[]) => hasOnlyKeys(raw, ['type', ...keys]);
  let problem: string | undefined;
  switch (type) {
    case 'ready':
    case 'pause':
    case 'resume':
    case 'stop':
    case 'requestHistory':
      problem = only();
      return problem ? fail(type, problem) : { ok: true, message: { type } };
    case 'requestSnapshot': {
      problem = only('lastRev');
      const lastRev = raw.lastRev;
      if (!problem && !(Number.isSafeInteger(lastRev) && (lastRev as number) >= -1)) problem = '"lastRev" must be an integer ≥ -1';
      return problem ? fail(type, problem) : { ok: true, message: { type, lastRev: lastRev as number } };
    }
    case 'startRun': {
      problem = only('cycles');
      const c = raw.cycles;
      if (!problem && c !== 'all' && !(Number.isInteger(c) && (c as number) >= 1 && (c as number) <= MAX_CYCLES)) {
        problem = `"cycles" must be "all" or an integer 1..${MAX_CYCLES}`;
      }
      return problem ? fail(type, problem) : { ok: true, message: { type, cycles: c as number | 'all' } };
    }
    case 'resumeStory':
    case 'unblockStory':
    case 'openStory':
    case 'requestTimeline':
      problem = only('storyKey') ?? textField(raw, 'storyKey', MAX_KEY);
      return problem ? fail(type, problem) : { ok: true, message: { type, storyKey: raw.storyKey as string } };
    case 'openLog':
      problem = only('path') ?? textField(raw, 'path', MAX_PATH);
      return problem ? fail(type, problem) : { ok: true, message: { type, path: raw.path as string } };
    case 'requestBatchStories': {
      problem = only('batchId');
      const id = raw.batchId;
      if (!problem && !(Number.isSafeInteger(id) && (id as number) > 0)) problem = '"batchId" must be a positive integer';
      return problem ? fail(type, problem) : { ok: true, message: { type, batchId: id as number } };
    }
    case 'copyText': {
      problem = only('text');
      const t = raw.text;
      if (!problem && (typeof t !== 'string' || t.length > MAX_COPY)) problem = `"text" must be a string of at most ${MAX_COPY} characters`;
      return problem ? fail(type, problem) : { ok: true, message: { type, text: t as string } };
    }
    default:
      return { ok: false, reason: `unknown message type "${type.slice(0, 40)}"` };
  }
}
