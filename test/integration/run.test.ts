// "Run N Cycles" with N=1 on the sample workspace with sim-claude as the agent: the status bar while
// it runs, the ledger on disk and the tree after, the agents' output channel, the journal's location.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SprintEvent } from '../../src/core/SprintEvents';
import { hasDriver, renderedTexts, sprintRunner, statusOnDisk, waitFor, type TestApi } from './workbench';

const STATUS_BAR = '#workbench\\.parts\\.statusbar .statusbar-item';

export async function statusBarItems(): Promise<{ text: string; label: string }[]> {
  return renderedTexts(STATUS_BAR);
}

function findFiles(dir: string, match: (f: string) => boolean, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) findFiles(p, match, out);
    else if (match(p)) out.push(p);
  }
  return out;
}

/** The "Sprint Runner: Agents" output channel's backing file (the extension host's output log). */
export function agentsChannelText(api: TestApi): string {
  const logs = path.dirname(api.testing.logUri.fsPath);
  const files = findFiles(logs, (f) => /output_logging_/.test(f) && /Sprint Runner:? Agents/.test(path.basename(f)));
  return files.map((f) => readFileSync(f, 'utf8')).join('\n');
}

describe('Run N Cycles (N=1)', function () {
  this.timeout(120_000);
  let api: TestApi;
  const events: SprintEvent[] = [];

  before(async () => {
    api = await sprintRunner();
    api.onDidEmit((e) => events.push(e));
    await vscode.commands.executeCommand('workbench.view.extension.sprintRunner');
  });

  it('runs one cycle to completion: status bar while running, ledger and tree after', async () => {
    assert.equal(statusOnDisk('1-1-add-and-list-tasks'), 'backlog');
    const run = vscode.commands.executeCommand<{ success: boolean; batchId: number }>('sprintRunner.run.cycles', 1);
    let outcome: unknown;
    void run.then((r) => (outcome = r), (e) => (outcome = e));

    if (hasDriver()) {
      const main = await waitFor(async () => (await statusBarItems()).find((i) => /Sprint: cycle 1\/1 · /.test(i.text)), 'the status bar to show "Sprint: cycle 1/1 · …"', 30_000);
      assert.match(main.text, /Sprint: cycle 1\/1 · 1-1(\+1-2)? [a-z-]+/);
      const items = await statusBarItems();
      assert.ok(items.some((i) => /Pause/i.test(i.label)), `no pause item in the status bar: ${JSON.stringify(items)}`);
      assert.ok(items.some((i) => /Stop/i.test(i.label)), `no stop item in the status bar: ${JSON.stringify(items)}`);
    } else {
      await waitFor(async () => /^Sprint: cycle 1\/1 · /.test((await api.status()).text), 'the status text "Sprint: cycle 1/1 · …"', 30_000);
    }

    const result = await run;
    assert.ok(!(outcome instanceof Error), String(outcome));
    assert.equal(result.success, true, `batch ${result.batchId} did not succeed`);
    assert.equal(statusOnDisk('1-1-add-and-list-tasks'), 'done');
    assert.equal(statusOnDisk('1-2-complete-a-task'), 'done');
    assert.equal(statusOnDisk('1-3-delete-a-task'), 'backlog', 'one cycle works one pair only');
    assert.equal(statusOnDisk('epic-1'), 'in-progress', 'create-story started the epic');
    assert.equal(statusOnDisk('epic-2'), 'backlog');
    const end = events.find((e) => e.type === 'batch:end');
    assert.ok(end && end.type === 'batch:end' && end.status === 'completed');

    if (!hasDriver()) return;
    await waitFor(async () => {
      const rows = (await renderedTexts('#workbench\\.parts\\.sidebar .monaco-list-row')).map((r) => `${r.label} ${r.text}`);
      return rows.some((r) => r.includes('Epic 1') && r.includes('2/3 done')) && rows.some((r) => r.includes('1-1-add-and-list-tasks') && r.includes('done'));
    }, 'the tree to show 1-1 done and Epic 1 at 2/3', 15_000);
    await waitFor(async () => (await statusBarItems()).every((i) => !/Sprint: cycle/.test(i.text)), 'the status bar to leave the running state', 10_000);
  });

  it("streams the children's output to the Agents channel, prefixed by story and command", async () => {
    const text = await waitFor(() => {
      const t = agentsChannelText(api);
      return /^\[1-1(,1-2)? create-story#1\] \S/m.test(t) ? t : undefined;
    }, 'create-story lines in the "Sprint Runner: Agents" output', 15_000);
    assert.match(text, /^\[1-1 dev-story#1\] \S/m);
    assert.match(text, /^\[1-1 code-review#1\] \S/m);
  });

  it('opens a done story from archived-artifacts, where batch-commit moved it', async () => {
    await vscode.commands.executeCommand('sprintRunner.story.open', '1-1-add-and-list-tasks');
    const open = await waitFor(() => vscode.window.activeTextEditor?.document.uri.fsPath, 'an editor with the story', 10_000);
    assert.match(open, /[\\/]archived-artifacts[\\/]1-1-add-and-list-tasks\.md$/);
    assert.match(vscode.window.activeTextEditor?.document.getText() ?? '', /^# Story 1-1: /);
  });

  it('keeps the run journal (database) under the workspace storage', async () => {
    const storage = api.testing.storageUri;
    assert.ok(storage, 'the sample workspace has a storageUri');
    const status = await api.status();
    assert.equal(status.stateDir, storage.fsPath);
    const dbFiles = findFiles(storage.fsPath, (f) => /\.(db|sqlite3?)$/.test(f));
    assert.ok(dbFiles.length > 0, `no database file under ${storage.fsPath}: ${JSON.stringify(readdirSync(storage.fsPath))}`);
    assert.ok(readFileSync(dbFiles[0]).subarray(0, 15).toString() === 'SQLite format 3', `${dbFiles[0]} is not a SQLite file`);
  });

  it('keeps the database in its own child process of the extension host, at a lower priority', () => {
    const children = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return { pid, ppid: Number(fields[1]), nice: Number(fields[16]), cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0') };
        } catch {
          return undefined; // gone meanwhile
        }
      })
      .filter((p) => p !== undefined && p.ppid === process.pid && p.cmdline.some((a) => a.endsWith('store-worker.js')));
    assert.equal(children.length, 1, `expected one database process under the extension host ${process.pid}: ${JSON.stringify(children)}`);
    assert.equal(children[0]?.nice, 10, 'the database process runs at nice 10');
  });
});
