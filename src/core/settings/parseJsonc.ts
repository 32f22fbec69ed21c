// VS Code's settings files are JSON with comments and trailing commas. This reads them without a
// dependency: comments and trailing commas become spaces (so positions keep their line), then JSON.parse.

export class JsoncError extends Error {
  override readonly name = 'JsoncError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

export function stripJsonc(text: string): string {
  const out = text.split('');
  let i = 0;
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  };
  let lastSignificant = -1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      lastSignificant = j;
      i = j + 1;
    } else if (ch === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (ch === '}' || ch === ']') {
      if (lastSignificant >= 0 && out[lastSignificant] === ',') out[lastSignificant] = ' ';
      lastSignificant = i;
      i++;
    } else {
      if (!/\s/.test(ch)) lastSignificant = i;
      i++;
    }
  }
  return out.join('');
}

/** Parses JSONC; an empty file is an empty object. Throws JsoncError with the 1-based line of the error. */
export function parseJsonc(text: string): unknown {
  const stripped = stripJsonc(text.replace(/^\uFEFF/, ''));
  if (stripped.trim() === '') return {};
  try {
    return JSON.parse(stripped);
  } catch (err) {
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message);
    const line = at ? stripped.slice(0, Number(at[1])).split('\n').length : 1;
    throw new JsoncError(line, message.replace(/^JSON\.parse: /, ''));
  }
}

/**
 * The `<section>.*` values of a settings object, keyed without the section: flat keys
 * (`"sprintRunner.git.maxParallel": 2`, as VS Code writes them) and nested objects
 * (`"sprintRunner": {"git": {"maxParallel": 2}}`) alike; flat keys win.
 */
export function sectionValues(settings: unknown, section: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) return values;
  const flatten = (prefix: string, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && prefix.split('.').length < 2) {
      for (const [k, inner] of Object.entries(v as Record<string, unknown>)) flatten(prefix ? `${prefix}.${k}` : k, inner);
    } else if (prefix) {
      values[prefix] = v;
    }
  };
  const nested = (settings as Record<string, unknown>)[section];
  if (nested !== undefined) flatten('', nested);
  for (const [key, v] of Object.entries(settings as Record<string, unknown>)) {
    if (key.startsWith(`${section}.`)) values[key.slice(section.length + 1)] = v;
  }
  return values;
}
