// `_bmad/bmm/config.yaml` that cannot be used: bad YAML or a path with a placeholder we cannot resolve.
// Same message shape as LedgerError: `<file>:<line>:<col>: <reason>. Fix: <hint>`.

export class BmadConfigError extends Error {
  override readonly name = 'BmadConfigError';

  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly reason: string,
    readonly hint: string,
  ) {
    super(`${file}:${line}:${col}: ${reason}. Fix: ${hint}`);
  }
}
