// A Claude Code BMAD install lacks workflows the run needs, and the user did not choose the runner's own
// prompts for them: the run is refused before any agent is paid (the CLI exits 2).

import type { StepCommand } from '../commands';

export class BmadWorkflowsMissingError extends Error {
  constructor(
    message: string,
    readonly missing: readonly StepCommand[],
    readonly fix: string,
  ) {
    super(message);
    this.name = 'BmadWorkflowsMissingError';
  }
}
