// `{{variable}}` substitution for the step prompts. The set of variables is closed: a template that
// names anything else is rejected when it is loaded (a typo must not become a silent blank in a prompt
// that costs money to run).

export const PROMPT_VARIABLES = [
  'story_key',
  'story_keys',
  'story_id',
  'story_ids',
  'epic_id',
  'implementation_artifacts',
  'planning_artifacts',
  'review_attempt',
  'command',
  'tech_spec_needed',
  'tech_spec_decisions',
  'completed_story_ids',
  'project_context_file',
  /** Failed quality gates before this code review; empty when none failed or none are configured. */
  'quality_gates',
  /** code-review after a human rejected the batch commit: the reviewer's reason as a finding; empty otherwise. */
  'human_review',
  /** The sprint status file the run uses (agents must not guess it from BMAD's config). */
  'ledger_file',
  /** sprint-status-diagnosis: the status the story was found in, the phase and the statuses it expected. */
  'found_status',
  'diagnosed_phase',
  'expected_statuses',
] as const;

export type PromptVariable = (typeof PROMPT_VARIABLES)[number];
export type PromptVariables = Record<PromptVariable, string>;

export class PromptTemplateError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly variable: string,
    cause: string,
  ) {
    super(`${file}:${line}: ${cause}`);
    this.name = 'PromptTemplateError';
  }
}

const VARIABLE = /\{\{\s*([^{}]*?)\s*\}\}/g;

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Throws PromptTemplateError (file, line, fix) for the first `{{name}}` that is not a known variable. */
export function checkPromptTemplate(text: string, file: string): void {
  for (const m of text.matchAll(VARIABLE)) {
    const name = m[1];
    if (!(PROMPT_VARIABLES as readonly string[]).includes(name)) {
      throw new PromptTemplateError(
        file,
        lineOf(text, m.index ?? 0),
        name,
        `unknown prompt variable {{${name}}}. Known variables: ${PROMPT_VARIABLES.map((v) => `{{${v}}}`).join(', ')}. ` +
          'Fix the spelling or remove it.',
      );
    }
  }
}

/** Substitutes every variable; the template must have passed checkPromptTemplate. */
export function renderPrompt(text: string, vars: PromptVariables, file: string): string {
  checkPromptTemplate(text, file);
  return text.replace(VARIABLE, (_all, name: string) => vars[name as PromptVariable]);
}
