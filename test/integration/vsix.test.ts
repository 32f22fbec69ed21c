// Session `vsix`: the packaged extension, installed with `code-server --install-extension`, is the one
// running (not the development folder) and carries only what runs.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, sprintRunner } from './workbench';

describe('installed .vsix', () => {
  it('runs from the extensions folder with its bundles, wasm, prompts and media, and no sources', async () => {
    const api = await sprintRunner();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.ok(ext.isActive);
    assert.match(ext.extensionPath, /[\\/]extensions[\\/]sprint-runner\.sprint-runner-/, `running from ${ext.extensionPath}`);
    for (const f of ['dist/extension.js', 'dist/sql-wasm.wasm', 'dist/webview.js', 'prompts/dev-story.md', 'media/templates/sprint-status-template.yaml']) {
      assert.ok(existsSync(path.join(ext.extensionPath, f)), `${f} missing from the .vsix`);
    }
    for (const f of ['src', 'test', 'node_modules', 'dist/extension.js.map', 'sample-workspace', 'dist/sim-claude.js', 'dist/cli.js']) {
      assert.ok(!existsSync(path.join(ext.extensionPath, f)), `${f} must not be packaged`);
    }
    // vsce stores the licence as LICENSE.txt.
    for (const f of ['LICENSE.txt', 'media/icon.png', 'docs/extension.md', 'media/walkthrough/first-run.md']) {
      assert.ok(existsSync(path.join(ext.extensionPath, f)), `${f} missing from the .vsix`);
    }
    assert.equal((await api.status()).state, 'idle');
  });

  it('opens its own documentation from the installed copy', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const opened = await vscode.commands.executeCommand<string>('sprintRunner.docs.open', 'extension');
    assert.equal(opened, path.join(ext.extensionPath, 'docs', 'extension.md'));
  });
});
