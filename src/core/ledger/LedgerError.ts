// A sprint-status.yaml that cannot be used as it is: bad YAML, duplicate keys, no development_status,
// an unknown story. The message is `<file>:<line>:<col>: <reason>. Fix: <hint>` so editors and terminals
// link it to the spot.

export class LedgerError extends Error {
  override readonly name = 'LedgerError';

  constructor(
    readonly file: string,
    /** 1-based. */
    readonly line: number,
    /** 1-based. */
    readonly col: number,
    /** What is wrong, without the location. */
    readonly reason: string,
    /** How to fix it. */
    readonly hint: string,
  ) {
    super(`${file}:${line}:${col}: ${reason}. Fix: ${hint}`);
  }
}
