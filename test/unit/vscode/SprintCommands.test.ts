// The command table against package.json (the manifest half of "every command is registered and vice
// versa"; the integration suite checks the registration half in the real host), and argument parsing.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseCycles, SprintCommands, storyKeyOf } from '../../../src/vscode/SprintCommands';

const root = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('SprintCommands', () => {
  it('lists exactly the commands package.json contributes, each titled in the Sprint Runner category', () => {
    const contributed = (pkg.contributes.commands as { command: string; category: string }[]);
    assert.deepEqual(contributed.map((c) => c.command).sort(), Object.values(SprintCommands).sort());
    for (const c of contributed) assert.equal(c.category, 'Sprint Runner', c.command);
  });

  it('uses only declared commands in menus, and anchored regexes for viewItem', () => {
    const ids = new Set(Object.values(SprintCommands) as string[]);
    for (const [menu, items] of Object.entries(pkg.contributes.menus as Record<string, { command: string; when?: string }[]>)) {
      for (const item of items) {
        assert.ok(ids.has(item.command), `${menu}: unknown command ${item.command}`);
        for (const m of (item.when ?? '').matchAll(/viewItem =~ \/([^/]*)\//g)) assert.ok(m[1].startsWith('^'), `${menu} ${item.command}: unanchored ${m[1]}`);
      }
    }
  });

  it('reads every contributed setting in SprintRunnerSettings and core/settings (the one parser, for the extension and the CLI)', () => {
    const source = ['src/vscode/SprintRunnerSettings.ts', 'src/core/settings/SprintRunnerConfig.ts'].map((f) => readFileSync(path.join(root, f), 'utf8')).join('\n');
    for (const key of Object.keys(pkg.contributes.configuration.properties)) {
      assert.ok(source.includes(`'${key.replace(/^sprintRunner\./, '')}'`), `${key} is contributed but never read`);
    }
  });

  it('never activates on *, and keeps engines.vscode within the tested host (1.139)', () => {
    assert.ok(!pkg.activationEvents.includes('*'));
    const [, major, minor] = /(\d+)\.(\d+)/.exec(pkg.engines.vscode) ?? [];
    assert.ok(Number(major) === 1 && Number(minor) <= 139, pkg.engines.vscode);
  });

  it('parses cycles from numbers, numeric strings and "all" only', () => {
    assert.equal(parseCycles(3), 3);
    assert.equal(parseCycles(' 12 '), 12);
    assert.equal(parseCycles('all'), 'all');
    for (const bad of [0, -1, 1.5, 'two', '', undefined, null, '3x']) assert.equal(parseCycles(bad), undefined, String(bad));
  });

  it('takes a story from a key or a tree element', () => {
    assert.equal(storyKeyOf('1-3-delete-a-task'), '1-3-delete-a-task');
    assert.equal(storyKeyOf({ storyKey: '2-1' }), '2-1');
    assert.equal(storyKeyOf('  '), undefined);
    assert.equal(storyKeyOf(undefined), undefined);
  });
});
