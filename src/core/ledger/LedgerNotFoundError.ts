// No sprint-status.yaml where BMAD puts it. Lists every place looked at and how to create one.

export class LedgerNotFoundError extends Error {
  override readonly name = 'LedgerNotFoundError';

  constructor(
    /** Absolute paths looked at, in the order they were tried. */
    readonly searched: readonly string[],
    /** Where `createLedgerFromTemplate` would create it. */
    readonly suggestedPath: string,
  ) {
    super(
      [
        'sprint-status.yaml not found. Looked at:',
        ...searched.map((p) => `  - ${p}`),
        'Fix: run the BMAD sprint-planning workflow (/bmad:bmm:workflows:sprint-planning), or create one from the',
        `template with \`sprint-runner run --init\` (writes ${suggestedPath}), or pass the path of an existing`,
        'sprint-status.yaml explicitly.',
      ].join('\n'),
    );
  }
}
