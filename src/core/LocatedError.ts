// An error in a file the user edits, located to the spot: `<file>:<line>:<col>: <reason>. Fix: <hint>`,
// so editors and terminals link it. The ledger's and BMAD config's errors are this shape.

export class LocatedError extends Error {
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
