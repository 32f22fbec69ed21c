// What a user who set nothing gets is the same in the extension and the CLI: package.json's defaults
// are the core's (one owner), not numbers typed again.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_IDLE_TIMEOUT_MINUTES, DEFAULT_STEP_TIMEOUT_MINUTES, defaultEngineSettings } from '../../../src/core/workflow/EngineSettings';
import { DEFAULT_CYCLES } from '../../../src/core/workflow/RunTypes';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_WALL_TIMEOUT_MS } from '../../../src/infra/claude/ClaudeAgent';
import { commandHelp } from '../../../src/cli/cliHelp';
import { contributedSettings } from '../../support/manifest';

const root = path.resolve(__dirname, '..', '..', '..');
const properties = contributedSettings() as Record<string, { default: unknown }>;
const setting = (key: string) => properties[`sprintRunner.${key}`].default;

describe('defaults have one owner', () => {
  it('timeouts: the settings, the Claude agent and the CLI help agree (idle 15 min, step 60 min)', () => {
    assert.equal(setting('timeouts.idleMinutes'), DEFAULT_IDLE_TIMEOUT_MINUTES);
    assert.equal(setting('timeouts.stepMinutes'), DEFAULT_STEP_TIMEOUT_MINUTES);
    assert.equal(DEFAULT_IDLE_TIMEOUT_MS, 15 * 60_000);
    assert.equal(DEFAULT_WALL_TIMEOUT_MS, 60 * 60_000);
    assert.match(commandHelp('run'), /--idle-timeout S [^\n]*default 900\)/);
    assert.match(commandHelp('run'), /--step-timeout S [^\n]*default 3600\)/);
  });

  it('reviews, models, cycles and project context: the settings are the engine defaults', () => {
    const d = defaultEngineSettings();
    assert.equal(setting('models.review'), d.reviewModel);
    assert.equal(setting('reviews.cheapModelFromAttempt'), d.cheapModelFromAttempt);
    assert.equal(setting('reviews.maxStoryReviews'), d.maxStoryReviews);
    assert.equal(setting('reviews.maxCodeReviews'), d.maxCodeReviews);
    assert.equal(setting('projectContext.maxAgeHours'), d.projectContextMaxAgeHours);
    assert.equal(setting('run.defaultCycles'), DEFAULT_CYCLES);
  });
});
