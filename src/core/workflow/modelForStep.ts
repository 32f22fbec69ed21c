// The one place a step's model is chosen. Agents run the model they are given (or their CLI's own
// default when none is), so a review attempt runs the cheap model exactly when this says so.

import { REVIEW_COMMANDS, type StepCommand } from '../commands';
import type { EngineSettings } from './EngineSettings';

/** The review model from `cheapModelFromAttempt` on for review commands, otherwise the default model (undefined = the agent's own). */
export function modelForStep(settings: Pick<EngineSettings, 'defaultModel' | 'reviewModel' | 'cheapModelFromAttempt'>, command: StepCommand, attempt: number): string | undefined {
  return REVIEW_COMMANDS.includes(command) && attempt >= settings.cheapModelFromAttempt ? settings.reviewModel : settings.defaultModel;
}
