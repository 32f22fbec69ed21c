// Story commands with arguments (no prompts): Mark Blocked, then Resume story on the blocked story.
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { SprintEvent } from '../../src/core/SprintEvents';
import { hasDriver, renderedTexts, sprintRunner, statusOnDisk, waitFor, type TestApi } from './workbench';

const STORY = '1-3-delete-a-task';

describe('Resume story on a blocked story', function () {
  this.timeout(120_000);
  let api: TestApi;
  const events: SprintEvent[] = [];

  before(async () => {
    api = await sprintRunner();
    api.onDidEmit((e) => events.push(e));
    await vscode.commands.executeCommand('workbench.view.extension.sprintRunner');
  });

  it('Mark Blocked writes blocked to the ledger and the tree shows it', async () => {
    const before = statusOnDisk(STORY);
    assert.ok(before && before !== 'done' && before !== 'blocked', `unexpected starting status ${before}`);
    await vscode.commands.executeCommand('sprintRunner.story.block', STORY, 'waiting for a product decision');
    assert.equal(statusOnDisk(STORY), 'blocked');
    if (hasDriver()) await waitFor(async () => (await renderedTexts('#workbench\\.parts\\.sidebar .monaco-list-row')).some((r) => r.label.includes(STORY) && /blocked/.test(`${r.label} ${r.text}`)), 'the tree to show the story blocked', 10_000);
  });

  it('Resume story restores the pre-block status from the journal, then runs a cycle starting with it', async () => {
    const from = events.length;
    const result = await vscode.commands.executeCommand<{ success: boolean }>('sprintRunner.story.resume', STORY);
    assert.equal(result.success, true);
    const mine = events.slice(from);
    const unblocked = mine.find((e) => e.type === 'story:status' && e.storyKey === STORY && e.from === 'blocked');
    assert.ok(unblocked && unblocked.type === 'story:status' && unblocked.to !== 'blocked', 'the story was not unblocked first');
    const cycle = mine.find((e): e is Extract<SprintEvent, { type: 'cycle:start' }> => e.type === 'cycle:start');
    assert.equal(cycle?.storyKeys[0], STORY, 'the cycle must start with the resumed story');
    assert.equal(statusOnDisk(STORY), 'done');
  });
});
