// The step commands of the 003 workflow, with the names each surface uses for them.

export const STEP_COMMANDS = [
  'generate-project-context',
  'create-story',
  'create-story-discovery',
  'story-review',
  'create-tech-spec',
  'tech-spec-review',
  'dev-story',
  'code-review',
  'batch-commit',
  /** 003 step 5: a story found in a status its phase does not expect is diagnosed before the run goes on. */
  'sprint-status-diagnosis',
] as const;

export type StepCommand = (typeof STEP_COMMANDS)[number];

export function isStepCommand(s: string): s is StepCommand {
  return (STEP_COMMANDS as readonly string[]).includes(s);
}

/** Review commands carry their iteration in `{{command}}` and the CSV column (`code-review-3`). */
export const REVIEW_COMMANDS: readonly StepCommand[] = ['story-review', 'tech-spec-review', 'code-review'];

/** `code-review-2` for reviews (the CSV's and the prompts' spelling), the bare command otherwise. */
export function commandLabel(command: string, attempt: number): string {
  return isReviewCommand(command) ? `${command}-${attempt}` : command;
}

/** `code-review#2` for reviews (the status line's spelling), the bare command otherwise. */
export function attemptLabel(command: string, attempt: number): string {
  return isReviewCommand(command) ? `${command}#${attempt}` : command;
}

export function isReviewCommand(command: string): boolean {
  return (REVIEW_COMMANDS as readonly string[]).includes(command);
}

/** task-taxonomy.yaml names commands `sprint-<x>`; a few differ from the engine's names. */
const TAXONOMY_TO_COMMAND: Record<string, StepCommand> = {
  'sprint-commit': 'batch-commit',
  'story-discovery': 'create-story-discovery',
  'sprint-story-discovery': 'create-story-discovery',
  'sprint-create-story-discovery': 'create-story-discovery',
};

/** Maps a taxonomy id or a CSV command column (`code-review-3`, `story-discovery`) to a step command. */
export function toStepCommand(name: string): StepCommand | undefined {
  const bare = name.replace(/-\d+$/, '');
  if (TAXONOMY_TO_COMMAND[bare]) return TAXONOMY_TO_COMMAND[bare];
  const unprefixed = bare.startsWith('sprint-') ? bare.slice('sprint-'.length) : bare;
  if (TAXONOMY_TO_COMMAND[unprefixed]) return TAXONOMY_TO_COMMAND[unprefixed];
  return isStepCommand(unprefixed) ? unprefixed : undefined;
}
