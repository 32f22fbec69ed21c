// The 003 batch-commit message: `feat({epic_id}): implement stories {story_ids}`.
// - story ids are the short ids (`3a-1`), comma-separated as 003 step 4c formats them (`3a-1,3a-2`);
// - epic_id is everything before the story number; several epics are joined with a comma (`3a,3b`).
// Parsing is strict about the shape (prefix `feat(`, `): implement stories `, non-empty comma lists, no
// other text on the subject line) and lenient about whitespace around commas and at the line's ends, so
// `feat(3a, 3b): implement stories 3a-4, 3b-1` (the batch-commit workflow's own example) is accepted.

import { parseStoryKey } from '../ledger/storyKeys';

export interface BatchCommitSubject {
  epicIds: string[];
  storyIds: string[];
}

/** Unique epic ids of the given story ids/keys, in first-seen order (`3a-1,3b-2` → `3a,3b`). */
export function epicIdsOfStories(storyIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const id of storyIds) {
    const parts = parseStoryKey(id);
    // 003: "everything BEFORE last dash" for short ids; parseStoryKey generalises it to long keys.
    const epic = parts ? parts.epicId : id.slice(0, Math.max(0, id.lastIndexOf('-')));
    if (epic && !out.includes(epic)) out.push(epic);
  }
  return out;
}

function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim());
}

/** An epic id may itself be a comma-joined list (`3a,3b`), as 003 passes it around. */
export function splitEpicIds(epicId: string | readonly string[]): string[] {
  const list = typeof epicId === 'string' ? splitList(epicId) : epicId.flatMap((e) => splitList(e));
  return list.filter((e) => e.length > 0);
}

export function formatBatchCommitMessage(input: { epicId: string | readonly string[]; storyIds: readonly string[] }): string {
  const epics = splitEpicIds(input.epicId);
  if (epics.length === 0) throw new Error('formatBatchCommitMessage: no epic id given. Fix: pass the epic of the stories (e.g. "3a").');
  if (input.storyIds.length === 0) throw new Error('formatBatchCommitMessage: no story ids given. Fix: pass the completed story ids.');
  return `feat(${epics.join(',')}): implement stories ${input.storyIds.join(',')}`;
}

const ITEM = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SUBJECT = /^feat\(([^()]+)\): implement stories (.+)$/;

/** Parses the first line of a commit message; undefined when it does not have the 003 shape. */
export function parseBatchCommitSubject(message: string): BatchCommitSubject | undefined {
  const subject = (message.split(/\r?\n/, 1)[0] ?? '').trim();
  const m = SUBJECT.exec(subject);
  if (!m) return undefined;
  const epicIds = splitList(m[1]);
  const storyIds = splitList(m[2]);
  if (!epicIds.every((e) => ITEM.test(e)) || !storyIds.every((s) => ITEM.test(s))) return undefined;
  return { epicIds, storyIds };
}

export type BatchSubjectCheck = { ok: true } | { ok: false; detail: string };

/**
 * Does the message name exactly the expected epics and stories (order free)? Each expected story may be
 * written as its short id or, when given, as its full key.
 */
export function checkBatchCommitSubject(
  message: string,
  expected: { epicId: string | readonly string[]; storyIds: readonly string[]; storyKeys?: readonly string[] },
): BatchSubjectCheck {
  const wanted = formatBatchCommitMessage(expected);
  const subject = (message.split(/\r?\n/, 1)[0] ?? '').trim();
  const parsed = parseBatchCommitSubject(message);
  if (!parsed) return { ok: false, detail: `subject ${JSON.stringify(subject)} does not have the shape ${JSON.stringify(wanted)}` };
  const epics = splitEpicIds(expected.epicId);
  const sameEpics = parsed.epicIds.length === epics.length && epics.every((e) => parsed.epicIds.includes(e));
  if (!sameEpics) return { ok: false, detail: `subject ${JSON.stringify(subject)} names epics ${parsed.epicIds.join(',')}, expected ${epics.join(',')}` };
  const remaining = [...parsed.storyIds];
  for (let i = 0; i < expected.storyIds.length; i++) {
    const names = [expected.storyIds[i], expected.storyKeys?.[i]].filter((n): n is string => !!n);
    const at = remaining.findIndex((r) => names.includes(r));
    if (at < 0) return { ok: false, detail: `subject ${JSON.stringify(subject)} does not name story ${expected.storyIds[i]}; expected ${JSON.stringify(wanted)}` };
    remaining.splice(at, 1);
  }
  if (remaining.length > 0) return { ok: false, detail: `subject ${JSON.stringify(subject)} names stories that were not in the cycle: ${remaining.join(',')}` };
  return { ok: true };
}
