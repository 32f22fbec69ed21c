import type { StepCommand } from '../commands';

export interface LoadedPrompt {
  /** The template text, already checked for unknown `{{variables}}`. */
  text: string;
  /** Where it came from (workspace override or shipped prompt), for error messages. */
  path: string;
}

/** Where the engine gets the prompt template of a step (infra/PromptLibrary in production). */
export interface PromptSource {
  load(command: StepCommand): Promise<LoadedPrompt>;
}
