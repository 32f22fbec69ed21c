// Which model each step runs on, as the CLI would be told: the engine chooses, the agent only maps
// aliases. With `cheapModelFromAttempt` 3 the second code review must not already run on the cheap model.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { StepCommand } from '../../../src/core/commands';
import { defaultEngineSettings, type EngineSettings } from '../../../src/core/workflow/EngineSettings';
import { modelForStep } from '../../../src/core/workflow/modelForStep';
import { ClaudeAgent } from '../../../src/infra/claude/ClaudeAgent';
import { sessionOptionsFrom } from '../../../src/vscode/openSprintSession';
import { parseSprintRunnerConfig } from '../../../src/core/settings/SprintRunnerConfig';
import type { SprintRunnerConfig } from '../../../src/vscode/SprintRunnerSettings';

function config(over: Partial<SprintRunnerConfig>): SprintRunnerConfig {
  // Every setting at its default, as the extension reads an empty configuration.
  return { ...parseSprintRunnerConfig(() => undefined, { env: {} }), ...over };
}

describe('model choice: the engine decides, the agent runs what it is given', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sr-model-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The model the claude CLI gets (`--model`) for each attempt of a command, with the extension's settings. */
  function modelsPassedToCli(c: SprintRunnerConfig, command: StepCommand, attempts: number): (string | undefined)[] {
    const options = sessionOptionsFrom(c);
    const engine: EngineSettings = { ...defaultEngineSettings(), ...options.engine };
    const agent = new ClaudeAgent({ ...options.agent, logDir: dir, stateDir: dir });
    return Array.from({ length: attempts }, (_, i) => {
      const attempt = i + 1;
      const model = modelForStep(engine, command, attempt);
      return agent.modelFor(model ? { model } : {});
    });
  }

  it('cheap model from attempt 3, no default model: code reviews 1 and 2 run on the CLI default, 3 and 4 on haiku', () => {
    assert.deepEqual(modelsPassedToCli(config({ cheapModelFromAttempt: 3 }), 'code-review', 4), [undefined, undefined, 'haiku', 'haiku']);
  });

  it('a default model runs every non-review step and the reviews before the cheap attempt', () => {
    const c = config({ defaultModel: 'opus', cheapModelFromAttempt: 2 });
    assert.deepEqual(modelsPassedToCli(c, 'story-review', 3), ['opus', 'haiku', 'haiku']);
    assert.deepEqual(modelsPassedToCli(c, 'dev-story', 1), ['opus']);
  });
});
