// Which installed BMAD command or skill each workflow step runs, per BMAD generation, or the runner's own
// prompt where BMAD has no such workflow. docs/workflow.md has the same table in words.

import { STEP_COMMANDS, type StepCommand } from '../commands';
import type { BmadGeneration, BmadInstall, BmadSlashEntry } from './BmadInstall';

export type WorkflowTarget =
  /** The step's prompt starts with `/<name> <args>`: the CLI loads the installed workflow. */
  | { kind: 'installed'; name: string; entry: BmadSlashEntry }
  /** The step runs on the runner's own prompt (`prompts/<step>.md` or the workspace override). */
  | { kind: 'runner-prompt'; reason: string };

/** What to do when a Claude Code BMAD install lacks a workflow the run needs (6.12 without shims). */
export type MissingWorkflowPolicy = 'refuse' | 'runner-prompt';

export interface WorkflowMapping {
  generation: BmadGeneration;
  targets: Record<StepCommand, WorkflowTarget>;
  /**
   * Steps whose BMAD workflow every Claude Code install of this generation is expected to have but this
   * one lacks (6.12 without `--shims`: create-story, dev-story). Under `refuse` the run must not start.
   */
  missing: StepCommand[];
  /** No Claude Code BMAD command or skill (config only, another IDE's install, or no BMAD): every step runs on the runner's prompts. */
  noClaudeInstall: boolean;
}

/** The steps BMAD itself defines a workflow for; the others are the runner's own (003's prompts). */
const BMAD_WORKFLOW_STEPS: readonly StepCommand[] = ['create-story', 'dev-story', 'code-review', 'create-tech-spec', 'generate-project-context'];

/** A Claude Code BMAD install without one of these cannot run 003's cycle as BMAD means it. */
export const REQUIRED_WORKFLOW_STEPS: readonly StepCommand[] = ['create-story', 'dev-story', 'code-review'];

/** Every name a workflow with 003's step name takes in the layouts BMAD used, most specific first. */
export function candidateNames(step: StepCommand): string[] {
  // The diagnosis runs BMAD's sprint-status workflow: `bmad-bmm-sprint-status` (6.0.x), the
  // `bmad-sprint-status` shim (6.12), `sprint-status` (v6-alpha). 6.12's bmad-sprint-planning is not
  // used: it regenerates the ledger, which a diagnosis must not do.
  if (step === 'sprint-status-diagnosis') return candidateNames('sprint-status' as StepCommand);
  return [`bmad:bmm:workflows:${step}`, `bmad-bmm-${step}`, `bmad-${step}`, step];
}

const GENERATIONS_WITH_CLAUDE: readonly BmadGeneration[] = ['v6-alpha', '6.0-6.1', '6.2+', '6.12'];

function whyRunnerPrompt(step: StepCommand, generation: BmadGeneration): string {
  if (!GENERATIONS_WITH_CLAUDE.includes(generation)) {
    return generation === 'none' ? 'no BMAD install found' : 'BMAD has no Claude Code commands or skills in this workspace';
  }
  switch (step) {
    case 'batch-commit':
      return 'no BMAD version has a batch-commit workflow';
    case 'story-review':
    case 'tech-spec-review':
      return 'BMAD has no review ("validate mode") workflow for this step';
    case 'create-story-discovery':
      return 'discovery is a step of the runner, not a BMAD workflow';
    case 'sprint-status-diagnosis':
      return 'no sprint-status workflow is installed (bmad-sprint-planning is not used: it rewrites the ledger)';
    case 'create-tech-spec':
      return generation === 'v6-alpha' ? 'this v6-alpha install has no create-tech-spec workflow' : 'BMAD replaced create-tech-spec by quick-spec/spec, which are interactive';
    case 'generate-project-context':
      return generation === '6.12' ? "6.12's bmad-project-context maintains AGENTS.md, not project-context.md" : 'no generate-project-context workflow is installed';
    default:
      return `no ${step} workflow is installed`;
  }
}

export function mapWorkflows(install: BmadInstall, policy: MissingWorkflowPolicy = 'refuse'): WorkflowMapping {
  const generation = install.generation;
  const hasClaude = GENERATIONS_WITH_CLAUDE.includes(generation);
  const targets = {} as Record<StepCommand, WorkflowTarget>;
  const missing: StepCommand[] = [];
  for (const step of STEP_COMMANDS) {
    const entry = candidateNames(step)
      .map((n) => install.byName.get(n))
      .find((e): e is BmadSlashEntry => e !== undefined && e.claudeLoads);
    if (entry) {
      targets[step] = { kind: 'installed', name: entry.name, entry };
      continue;
    }
    if (hasClaude && REQUIRED_WORKFLOW_STEPS.includes(step)) {
      missing.push(step);
      targets[step] = {
        kind: 'runner-prompt',
        reason: `this BMAD install has no ${step} workflow${policy === 'runner-prompt' ? '; the runner prompt is used as configured' : ''}`,
      };
      continue;
    }
    targets[step] = { kind: 'runner-prompt', reason: whyRunnerPrompt(step, generation) };
  }
  return { generation, targets, missing, noClaudeInstall: !hasClaude };
}

/** True when the step is one BMAD defines (its prompt then says which workflow it stands in for). */
export function isBmadWorkflowStep(step: StepCommand): boolean {
  return BMAD_WORKFLOW_STEPS.includes(step);
}
