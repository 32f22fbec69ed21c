// A gate command configured as one string (`npm run lint -- --max-warnings=0`) is split into argv here,
// WITHOUT a shell: whitespace separates words; '…' keeps everything literally; "…" keeps everything but
// lets \" and \\ escape; a backslash outside quotes escapes the next character. Shell operators
// (| & ; < > ` $( ) are refused with a message, never interpreted: write `["sh", "-c", "…"]` as an argv
// array if a shell is really wanted.

export class CommandLineError extends Error {
  override readonly name = 'CommandLineError';
  constructor(readonly commandLine: string, readonly reason: string) {
    super(`Cannot use the command ${JSON.stringify(commandLine)}: ${reason}. Fix: write it as an argument array (e.g. ["npm", "test"]), or ["sh", "-c", "…"] if you really want a shell.`);
  }
}

export function parseCommandLine(line: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new CommandLineError(line, `unterminated single quote at column ${i + 1}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (c === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const d = line[i];
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < n && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          word += line[i + 1];
          i += 2;
          continue;
        }
        if (d === '$' || d === '`') throw new CommandLineError(line, `shell expansion '${d}' inside double quotes at column ${i + 1} is not supported`);
        word += d;
        i++;
      }
      if (!closed) throw new CommandLineError(line, 'unterminated double quote');
      inWord = true;
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= n) throw new CommandLineError(line, 'trailing backslash');
      word += line[i + 1];
      inWord = true;
      i += 2;
      continue;
    }
    if ('|&;<>`$()'.includes(c)) {
      throw new CommandLineError(line, `shell operator '${c}' at column ${i + 1} (commands run without a shell)`);
    }
    word += c;
    inWord = true;
    i++;
  }
  if (inWord) out.push(word);
  if (out.length === 0) throw new CommandLineError(line, 'it is empty');
  return out;
}
