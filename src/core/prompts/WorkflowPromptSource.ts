// Makes each step's prompt load the BMAD workflow installed for it. The Claude CLI expands a command or
// skill only when the prompt's FIRST line is `/<name> <args>`; everything after the name, the following
// lines included, reaches the workflow as its arguments. So a step mapped to an installed workflow gets
// `/<name> <story keys>` as its first line and the runner's contract (markers, logging, autonomy,
// deferred items, the ledger's path) after it. Templates (shipped or workspace overrides) keep naming the
// workflows the way the workflow spec does (`/bmad:bmm:workflows:<step>`); those names are rewritten to
// what is installed, or replaced by a note when nothing is.

import type { StepCommand } from '../commands';
import type { WorkflowMapping, WorkflowTarget } from '../bmad/mapWorkflows';
import type { LoadedPrompt, PromptSource } from './PromptSource';

/** The arguments on the command line: the story keys (none for the project context). */
export function workflowArguments(step: StepCommand): string {
  return step === 'generate-project-context' ? '' : '{{story_keys}}';
}

/** `/name args`, the line the CLI expands. */
export function workflowCommandLine(name: string, args: string): string {
  return args ? `/${name} ${args}` : `/${name}`;
}

const FENCED = /```[^\n]*\n\/bmad:bmm:workflows:([\w-]+)[^\n]*\n```/g;
const NAMED = /\/bmad:bmm:workflows:([\w-]+)/g;

function targetOf(mapping: WorkflowMapping, name: string): WorkflowTarget | undefined {
  return (mapping.targets as Record<string, WorkflowTarget | undefined>)[name];
}

/** Rewrites a template for the installed workflows; exported for the golden tests and the doctor. */
export function applyWorkflowMapping(step: StepCommand, template: string, mapping: WorkflowMapping): string {
  const own = mapping.targets[step];
  let body = template.replace(FENCED, (whole, name: string) => {
    const t = targetOf(mapping, name);
    if (name === step) {
      return own.kind === 'installed'
        ? `The BMAD workflow \`/${own.name}\` is loaded above (this message started with it): follow it for the story keys on its first line, with the instructions below.`
        : `No BMAD workflow is installed for this step (${own.reason}): do it yourself as described below.`;
    }
    if (t?.kind === 'installed') return `\`/${t.name}\` (its instructions: \`${t.entry.file}\`)`;
    return whole;
  });
  body = body.replace(NAMED, (whole, name: string) => {
    const t = targetOf(mapping, name);
    return t?.kind === 'installed' ? `/${t.name}` : whole;
  });
  if (own.kind !== 'installed') return body;
  return `${workflowCommandLine(own.name, workflowArguments(step))}\n\n${body}`;
}

export class WorkflowPromptSource implements PromptSource {
  constructor(
    private readonly inner: PromptSource,
    private readonly mapping: WorkflowMapping,
  ) {}

  async load(command: StepCommand): Promise<LoadedPrompt> {
    const loaded = await this.inner.load(command);
    return { ...loaded, text: applyWorkflowMapping(command, loaded.text, this.mapping) };
  }
}

/** The command name a rendered prompt asks the CLI to expand (its first line `/<name> …`), if any. */
export function invokedWorkflow(prompt: string): string | undefined {
  const first = prompt.slice(0, prompt.indexOf('\n') === -1 ? undefined : prompt.indexOf('\n'));
  return /^\/([A-Za-z0-9][\w:.-]*)(?:\s|$)/.exec(first)?.[1];
}
