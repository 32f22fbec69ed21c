// The Sprint tree as the user sees it: rendered rows in the workbench (read through the driver), and
// following edits of sprint-status.yaml on disk.
import { strict as assert } from 'node:assert';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { hasDriver, ledgerPath, renderedTexts, sprintRunner, waitFor } from './workbench';

const ROWS = '#workbench\\.parts\\.sidebar .monaco-list-row';

async function rows(): Promise<string[]> {
  return (await renderedTexts(ROWS)).map((r) => `${r.label} | ${r.text.replace(/\s+/g, ' ').trim()}`);
}

function writeAtomic(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

describe('Sprint tree', () => {
  before(async function () {
    // Reads the rendered workbench through the driver; under @vscode/test-electron there is none.
    if (!hasDriver()) this.skip();
    await sprintRunner();
    await vscode.commands.executeCommand('workbench.view.extension.sprintRunner');
  });

  it('shows the epics with progress and their stories with statuses', async () => {
    const shown = await waitFor(async () => {
      const r = await rows();
      return r.some((x) => x.includes('1-1-add-and-list-tasks')) && r.some((x) => x.includes('2-2-load-tasks-on-startup')) ? r : undefined;
    }, 'the tree to render the sample ledger');
    const epic1 = shown.find((r) => r.includes('Epic 1: Task Basics'));
    assert.ok(epic1, `no "Epic 1: Task Basics" row (title from epics.md) in:\n${shown.join('\n')}`);
    assert.match(epic1, /0\/3 done/);
    const story = shown.find((r) => r.includes('1-1-add-and-list-tasks'))!;
    assert.match(story, /backlog/);
    const retro = shown.find((r) => r.includes('epic-1-retrospective'));
    assert.ok(retro, 'retrospectives are shown (dimmed) by default');
  });

  it('follows sprint-status.yaml when it changes on disk', async () => {
    const file = ledgerPath();
    const original = readFileSync(file, 'utf8');
    try {
      writeAtomic(file, original.replace('2-2-load-tasks-on-startup: backlog', '2-2-load-tasks-on-startup: review'));
      await waitFor(async () => (await rows()).some((r) => r.includes('2-2-load-tasks-on-startup') && /review/.test(r)), 'the tree to show 2-2 in review', 10_000);
    } finally {
      writeAtomic(file, original);
    }
    await waitFor(async () => (await rows()).some((r) => r.includes('2-2-load-tasks-on-startup') && /backlog/.test(r)), 'the tree to show 2-2 back in backlog', 10_000);
  });

  it('hides retrospectives when the setting says so, without a reload', async () => {
    const config = vscode.workspace.getConfiguration('sprintRunner');
    await config.update('tree.retrospectives', 'hidden', vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor(async () => {
        const r = await rows();
        return r.some((x) => x.includes('1-1-add-and-list-tasks')) && !r.some((x) => x.includes('retrospective'));
      }, 'retrospectives to disappear', 10_000);
    } finally {
      await config.update('tree.retrospectives', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
