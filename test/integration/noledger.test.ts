// Session `noledger`: a BMAD project before its sprint plan exists. The Sprint view's welcome offers
// Create from Template and Check Setup; the stories show up without a reload when the ledger is created
// from the welcome view, and again when another tool (BMAD's sprint-planning) writes it; ledger problems
// reach the Problems panel at their line.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DoctorReport } from '../../src/core/doctor/DoctorCheck';
import { driver, hasDriver, ledgerPath, renderedTexts, screenshot, sprintRunner, waitFor, type TestApi } from './workbench';

const SIDEBAR_ROWS = '#workbench\\.parts\\.sidebar .monaco-list-row';
const WELCOME = '#workbench\\.parts\\.sidebar .welcome-view-content';

async function treeLabels(): Promise<string[]> {
  return (await renderedTexts(SIDEBAR_ROWS)).map((r) => `${r.label} ${r.text}`);
}

/** Written the way tools write it: a temp file renamed over the target. */
function writeLedger(body: string): void {
  mkdirSync(path.dirname(ledgerPath()), { recursive: true });
  const tmp = `${ledgerPath()}.tmp-${process.pid}`;
  writeFileSync(tmp, body);
  renameSync(tmp, ledgerPath());
}

describe('a workspace without sprint-status.yaml', function () {
  this.timeout(120_000);
  let api: TestApi;

  before(async () => {
    api = await sprintRunner();
    assert.ok(!existsSync(ledgerPath()), 'the session starts without a ledger');
  });

  it('Check Setup finds the CLI and git, and fails on the missing ledger with the ways to get one', async () => {
    const report = await vscode.commands.executeCommand<DoctorReport>('sprintRunner.doctor', true);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    assert.equal(byId['claude.cli'].status, 'ok', byId['claude.cli'].detail);
    assert.match(byId['claude.version']?.detail ?? '', /\d+\.\d+\.\d+/);
    assert.equal(byId.git.status, 'ok', byId.git.detail);
    assert.equal(byId.ledger.status, 'fail');
    assert.match(byId.ledger.fix ?? '', /Create sprint-status\.yaml from Template/, 'the fix is worded in the extension\'s terms');
    assert.equal(report.ok, false);
  });

  it('shows the welcome view; its Create button shows the stories without a reload', async function () {
    if (!hasDriver()) this.skip();
    await vscode.commands.executeCommand('workbench.view.extension.sprintRunner');
    await waitFor(async () => (await renderedTexts(WELCOME)).some((t) => /No sprint-status\.yaml was found/.test(t.text)) || undefined, 'the no-ledger welcome view', 20_000);
    const buttons = (await renderedTexts(`${WELCOME} .monaco-button`)).map((b) => b.text.trim());
    for (const b of ['Create sprint-status.yaml from Template', 'Check Setup (Doctor)', 'Open Documentation']) assert.ok(buttons.includes(b), `welcome buttons: ${buttons.join(' | ')}`);

    await screenshot('noledger-welcome');
    const clicked = await driver<{ clicked: boolean }>({ op: 'click', selector: `${WELCOME} .monaco-button:has-text("Create sprint-status.yaml from Template")` });
    assert.ok(clicked.clicked);
    await waitFor(() => existsSync(ledgerPath()) || undefined, 'the ledger file', 15_000);
    await vscode.commands.executeCommand('workbench.view.extension.sprintRunner');
    const rows = await waitFor(async () => {
      const labels = await treeLabels();
      return labels.some((l) => l.includes('1-1-add-and-list-tasks')) && labels.some((l) => l.includes('2-2-load-tasks-on-startup')) && labels;
    }, 'the created stories in the Sprint view', 20_000);
    assert.ok(rows.some((l) => /Epic 1/.test(l)), rows.join('\n'));
    assert.equal((await api.status()).ledgerPath, ledgerPath());
    await screenshot('noledger-created');
  });

  it('notices the ledger going away, and one written by another tool, without a reload', async function () {
    if (!hasDriver()) this.skip();
    rmSync(ledgerPath());
    await waitFor(async () => (await api.status()).ledgerPath === undefined || undefined, 'the host to notice the ledger is gone', 15_000);
    await vscode.commands.executeCommand('workbench.view.extension.sprintRunner');
    await waitFor(async () => (await renderedTexts(WELCOME)).some((t) => /No sprint-status\.yaml was found/.test(t.text)) || undefined, 'the welcome view again', 15_000);

    // What BMAD's sprint-planning writes (a smaller plan, so these stories can only come from this file).
    writeLedger('development_status:\n  epic-3: backlog\n  3-1-export-tasks-as-csv: backlog\n  3-2-import-tasks: ready-for-dev\n');
    await waitFor(async () => (await treeLabels()).some((l) => l.includes('3-2-import-tasks')) || undefined, 'the stories of the new ledger in the Sprint view', 20_000);
    assert.equal((await api.status()).ledgerPath, ledgerPath());
  });

  it('puts ledger problems in the Problems panel at their line, and clears them when fixed', async () => {
    const uri = vscode.Uri.file(ledgerPath());
    await vscode.commands.executeCommand('workbench.view.extension.sprintRunner');
    writeLedger('development_status:\n  3-1-export-tasks-as-csv: backlog\n  3-2-import-tasks: almost-done\n');
    const warning = await waitFor(() => vscode.languages.getDiagnostics(uri).find((d) => d.range.start.line === 2), 'a warning at line 3', 20_000);
    assert.equal(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(warning.message, /unknown status "almost-done"/);

    writeLedger('development_status:\n  3-1-export-tasks-as-csv: backlog\n  3-1-export-tasks-as-csv: done\n');
    const error = await waitFor(() => vscode.languages.getDiagnostics(uri).find((d) => d.severity === vscode.DiagnosticSeverity.Error), 'an error for the duplicate key', 20_000);
    assert.equal(error.range.start.line, 2);
    assert.match(error.message, /Fix: /);

    writeLedger('development_status:\n  3-1-export-tasks-as-csv: backlog\n');
    await waitFor(() => vscode.languages.getDiagnostics(uri).length === 0 || undefined, 'the diagnostics to clear', 20_000);
    assert.ok(readFileSync(ledgerPath(), 'utf8').includes('3-1-export'));
  });

  it('runs the next cycle of one epic from its epic item, and opens the epic in epics.md', async () => {
    // Epic 1 has an open story first in the sprint's order: a plain run would start there, this one must not.
    writeLedger('development_status:\n  epic-1: in-progress\n  1-1-add-and-list-tasks: done\n  1-2-complete-a-task: backlog\n  epic-2: backlog\n  2-1-save-tasks-to-a-json-file: backlog\n  2-2-load-tasks-on-startup: backlog\n');
    await waitFor(async () => (await vscode.commands.executeCommand('sprintRunner.epic.open', '2'), vscode.window.activeTextEditor?.document.fileName.endsWith('epics.md')) || undefined, 'epics.md to open', 15_000);
    const editor = vscode.window.activeTextEditor!;
    assert.match(editor.document.lineAt(editor.selection.active.line).text, /^#+\s+Epic 2\b/, 'the cursor is on the epic\'s heading');

    const epicItem = (await api.testing.treeItems()).find((i) => i.id === 'epic:2');
    assert.equal(epicItem?.contextValue, 'sprintRunner:epic+backlog', 'the epic item carries the context its actions match');
    const cycles: string[][] = [];
    const sub = api.onDidEmit((e) => {
      if (e.type === 'cycle:start') cycles.push(e.storyKeys);
    });
    try {
      const result = await vscode.commands.executeCommand<{ success: boolean; cyclesCompleted: number }>('sprintRunner.epic.run', '2');
      assert.equal(result.success, true);
      assert.equal(result.cyclesCompleted, 1);
    } finally {
      sub.dispose();
    }
    assert.deepEqual(cycles, [['2-1-save-tasks-to-a-json-file', '2-2-load-tasks-on-startup']]);
    const body = readFileSync(ledgerPath(), 'utf8');
    assert.match(body, /2-1-save-tasks-to-a-json-file: done/);
    assert.match(body, /1-2-complete-a-task: backlog/, 'epic 1 was not touched');

    // The story items now carry their story file (created by the cycle, archived by its batch commit).
    const story = await waitFor(async () => (await api.testing.treeItems()).find((i) => i.id === 'story:2-1-save-tasks-to-a-json-file' && i.resourceUri), 'the story item to carry its file', 15_000);
    assert.match(story.resourceUri!.fsPath, /2-1-save-tasks-to-a-json-file\.md$/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('sprintRunner.epic.run', '2')), /Epic 2 has no story left to run/);
  });
});
