// The SPRINT_RUNNER_* variables every agent child gets: what step it runs, for which stories, in
// which run. The BMAD progress helper and sim-claude read them. One definition for the engine (which
// knows the ledger's short ids and the artifacts folder) and the Claude agent (which runs the child).

import { commandLabel } from '../commands';
import { shortIdOf } from '../ledger/storyKeys';
import type { AgentRequest } from './AgentContract';

export function agentEnvironment(
  step: Pick<AgentRequest, 'command' | 'attempt' | 'storyKeys' | 'epicId' | 'runId'>,
  extra: { storyIds?: readonly string[]; artifactsDir?: string } = {},
): Record<string, string> {
  return {
    SPRINT_RUNNER_COMMAND: step.command,
    SPRINT_RUNNER_COMMAND_LABEL: commandLabel(step.command, step.attempt),
    SPRINT_RUNNER_STORY_KEYS: step.storyKeys.join(','),
    SPRINT_RUNNER_STORY_IDS: (extra.storyIds ?? step.storyKeys.map(shortIdOf)).join(','),
    SPRINT_RUNNER_EPIC_ID: step.epicId,
    SPRINT_RUNNER_ATTEMPT: String(step.attempt),
    SPRINT_RUNNER_RUN_ID: step.runId,
    ...(extra.artifactsDir !== undefined ? { SPRINT_RUNNER_ARTIFACTS: extra.artifactsDir } : {}),
  };
}
