// A story key or run id that cannot be made into a safe git branch, path or container name.
// The message says which value, why, and what to do: story keys come from sprint-status.yaml (data).

export class UnsafeNameError extends Error {
  override readonly name = 'UnsafeNameError';

  constructor(
    /** The value as given (quoted with JSON.stringify in the message so control characters show). */
    readonly value: string,
    readonly reason: string,
  ) {
    super(
      `Unsafe name ${JSON.stringify(value)}: ${reason}. Fix: rename the story key in sprint-status.yaml ` +
        `(or the run id) to letters, digits, '.', '_' and '-' only.`,
    );
  }
}
