// Progress lines subagents log through the helper (media/sprint-log.sh):
//   timestamp,epicID,storyID,command,task-id,status,"message"   (RFC 4180; the 6-column form has no message)
// They reach us inside tool results, mixed with anything else the command printed (stderr is merged), several
// per result. Everything that is not such a line is ignored.

import type { ProgressRow } from '../agent/AgentContract';

/** Splits one CSV record (RFC 4180: quoted fields, `""` escapes). Undefined when the quoting is broken. */
export function splitCsvRecord(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (i < n && line.charCodeAt(i) === 0x22 /* " */) {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q === -1) return undefined;
        value += line.slice(i, q);
        if (line.charCodeAt(q + 1) === 0x22) {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      if (i === n) return fields;
      if (line.charCodeAt(i) !== 0x2c /* , */) return undefined;
      i++;
    } else {
      const c = line.indexOf(',', i);
      if (c === -1) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, c));
      i = c + 1;
    }
  }
}

const TIMESTAMP = /^\d{9,13}$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const WORD = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** One line → a row, or undefined when it is not a progress line. */
export function parseProgressLine(line: string): ProgressRow | undefined {
  const text = line.trim();
  // Cheap prefilter: a progress line starts with digits and a comma.
  if (text.length < 12 || !/^\d{9,13},/.test(text)) return undefined;
  const f = splitCsvRecord(text);
  if (!f || (f.length !== 6 && f.length !== 7)) return undefined;
  const [ts, epicId, storyId, command, taskId, status] = f;
  if (!TIMESTAMP.test(ts) || !ID.test(epicId) || !ID.test(storyId) || !WORD.test(command) || !WORD.test(taskId) || !WORD.test(status)) {
    return undefined;
  }
  let timestamp = Number(ts);
  if (ts.length === 13) timestamp = Math.floor(timestamp / 1000); // milliseconds → seconds
  return { timestamp, epicId, storyId, command, taskId, status, message: f.length === 7 ? f[6] : '' };
}

/** Every progress line in a tool result's text, in order. Lines may end in CRLF. */
export function extractProgressRows(text: string): ProgressRow[] {
  const rows: ProgressRow[] = [];
  if (text.indexOf(',') === -1) return rows;
  for (const line of text.split('\n')) {
    const row = parseProgressLine(line);
    if (row) rows.push(row);
  }
  return rows;
}

/** The CSV line the helper prints for a row (message quoted per RFC 4180). */
export function formatProgressLine(row: ProgressRow): string {
  return `${row.timestamp},${row.epicId},${row.storyId},${row.command},${row.taskId},${row.status},"${row.message.replace(/"/g, '""')}"`;
}
