// Story keys and run ids are data read from files: before one becomes part of a branch name, a folder
// name or a container name it goes through sanitizeNameSegment. The rule:
//   - rejected outright: empty, longer than 200 characters, control characters, `/` or `\`, `..`
//     (a key that looks like a path is a mistake or an attack; guessing what it meant is worse);
//   - everything outside [A-Za-z0-9._-] (spaces, quotes, `$`, `(`, `;`, …) becomes `-`, runs of `-` collapse,
//     leading `-`/`.` and trailing `-`/`.` are dropped, a trailing `.lock` is dropped;
//   - when anything had to change, `-` + 8 hex digits of a hash of the original are appended, so two keys
//     that differ only in unsafe characters never share a branch or a worktree.
// The result matches /^[A-Za-z0-9_][A-Za-z0-9._-]*$/, never contains `..`, and is a valid ref component.

import { createHash } from 'node:crypto';
import { UnsafeNameError } from './UnsafeNameError';

const MAX_LENGTH = 200;
const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

function shortHash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 8);
}

export function sanitizeNameSegment(raw: string): string {
  if (raw.length === 0) throw new UnsafeNameError(raw, 'it is empty');
  if (raw.length > MAX_LENGTH) throw new UnsafeNameError(raw, `it is longer than ${MAX_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw new UnsafeNameError(raw, 'it contains control characters');
  if (/[/\\]/.test(raw)) throw new UnsafeNameError(raw, "it contains a path separator ('/' or '\\')");
  if (raw.includes('..')) throw new UnsafeNameError(raw, "it contains '..'");

  let s = raw.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-{2,}/g, '-');
  s = s.replace(/^[-.]+/, '').replace(/[-.]+$/, '');
  while (s.toLowerCase().endsWith('.lock')) s = s.slice(0, -'.lock'.length).replace(/[-.]+$/, '');
  if (s.length === 0) throw new UnsafeNameError(raw, 'nothing safe is left after removing unsafe characters');
  if (s !== raw) s = `${s}-${shortHash(raw)}`;
  if (!SAFE_SEGMENT.test(s) || s.includes('..')) {
    // Unreachable by construction; kept as the invariant's last line of defence.
    throw new UnsafeNameError(raw, `sanitised form ${JSON.stringify(s)} is still unsafe`);
  }
  return s;
}

/** `sprint/{run-id}` */
export function sprintBranchName(runId: string): string {
  return `sprint/${sanitizeNameSegment(runId)}`;
}

/**
 * `story/{run-id}/{story-key}`, both sanitised. Not `sprint/{run-id}/{story-key}`: git stores refs as
 * paths, so a branch `sprint/r1` and a branch `sprint/r1/x` cannot both exist ("cannot lock ref").
 * Named like `task/{sprint-id}/{task-id}` branches elsewhere; here a story is the task.
 */
export function laneBranchName(runId: string, storyKey: string): string {
  return `${laneBranchPrefix(runId)}${sanitizeNameSegment(storyKey)}`;
}

/** `story/{run-id}/`: every lane branch of a run starts with it. */
export function laneBranchPrefix(runId: string): string {
  return `story/${sanitizeNameSegment(runId)}/`;
}
