// No sprint-status.yaml where BMAD puts it. Lists every place looked at and how to point at one or create one.

export class LedgerNotFoundError extends Error {
  override readonly name = 'LedgerNotFoundError';

  constructor(
    /** Absolute paths looked at, in the order they were tried. */
    readonly searched: readonly string[],
    /** Where `createLedgerFromTemplate` would create it. */
    readonly suggestedPath: string,
    /** True when the path was given explicitly (`--ledger`, the setting): nothing else was looked at. */
    readonly explicit = false,
  ) {
    super(
      explicit
        ? [
            `sprint-status.yaml not found at ${searched[0] ?? suggestedPath} (the path given with --ledger or the setting sprintRunner.ledger.path).`,
            'Fix: correct the path (a relative one is taken from the workspace folder), or remove it to let the runner find the ledger.',
          ].join('\n')
        : [
            'sprint-status.yaml not found. Looked at:',
            ...searched.map((p) => `  - ${p}`),
            'Fix: if your ledger is elsewhere, pass its path with --ledger FILE (CLI; relative to the workspace) or set',
            'sprintRunner.ledger.path (extension). If the project has none yet, run BMAD sprint-planning, or create one',
            `from the template with \`sprint-runner run --init\` (writes ${suggestedPath}).`,
          ].join('\n'),
    );
  }
}
