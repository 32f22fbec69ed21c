// Splits a byte stream into lines: no length cap (a tool result can be megabytes on one line), chunks cut
// anywhere (inside a line, inside a CRLF pair, inside a multi-byte UTF-8 character).

import { StringDecoder } from 'node:string_decoder';

export class StreamLineReader {
  private readonly decoder = new StringDecoder('utf8');
  /** Pieces of the line being assembled; joined once when its newline arrives (no quadratic concatenation). */
  private pending: string[] = [];

  /** Feeds a chunk; returns the complete lines it finished (without `\n` / `\r\n`). */
  push(chunk: Uint8Array | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk as Buffer);
    const lines: string[] = [];
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      let line: string;
      if (this.pending.length > 0) {
        this.pending.push(text.slice(start, nl));
        line = this.pending.join('');
        this.pending = [];
      } else {
        line = text.slice(start, nl);
      }
      lines.push(line.endsWith('\r') ? line.slice(0, -1) : line);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) this.pending.push(start === 0 ? text : text.slice(start));
    return lines;
  }

  /** The stream ended: returns the last line when it had no newline. */
  end(): string[] {
    const rest = this.decoder.end();
    if (rest) this.pending.push(rest);
    if (this.pending.length === 0) return [];
    let line = this.pending.join('');
    this.pending = [];
    if (line.endsWith('\r')) line = line.slice(0, -1);
    return line.length > 0 ? [line] : [];
  }
}
