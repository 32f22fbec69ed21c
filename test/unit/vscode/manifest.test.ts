// The installable extension as a user meets it: every setting a message names exists, settings come
// in titled groups with their enum values explained, the icon, licence and repository fields vsce
// needs, the walkthrough's pages, and a .vsix without test doubles.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { contributedSettings, manifest, REPO_ROOT } from '../../support/manifest';

const pkg = manifest();
const settings = contributedSettings(pkg);
const commandIds = new Set((pkg.contributes.commands as { command: string }[]).map((c) => c.command));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(name) ? [full] : [];
  });
}

describe('manifest', () => {
  it('every sprintRunner.<group>.<name> named in the sources is a contributed setting or command', () => {
    const unknown: string[] = [];
    for (const file of sourceFiles(path.join(REPO_ROOT, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const rel = path.relative(REPO_ROOT, file);
      for (const m of text.matchAll(/sprintRunner\.[A-Za-z]+\.[A-Za-z]+\b/g)) {
        if (!(m[0] in settings) && !commandIds.has(m[0])) unknown.push(`${rel}: ${m[0]}`);
      }
      // A setting name built at run time cannot be checked: messages spell names out.
      for (const m of text.matchAll(/sprintRunner\.[A-Za-z]+\.\$\{/g)) unknown.push(`${rel}: ${m[0]}… (built at run time)`);
    }
    assert.deepEqual(unknown, []);
  });

  it('groups the settings under titles, and explains every enum value', () => {
    const groups = pkg.contributes.configuration as { title: string; properties: Record<string, unknown> }[];
    assert.ok(Array.isArray(groups) && groups.length >= 8, 'contributes.configuration is an array of titled groups');
    const titles = groups.map((g) => g.title);
    for (const t of ['Agent', 'Git', 'Gates', 'Parallel', 'Containers', 'Notifications']) assert.ok(titles.includes(t), `no "${t}" group in ${titles.join(', ')}`);
    for (const g of groups) assert.ok(Object.keys(g.properties).length > 0, `${g.title} is empty`);
    for (const [key, s] of Object.entries(settings)) {
      if (!s.enum) continue;
      assert.equal(s.enumDescriptions?.length, s.enum.length, `${key}: one enumDescription per enum value`);
    }
  });

  it('has an icon, a licence and the repository fields vsce needs, and packages without skipping them', () => {
    const icon = readFileSync(path.join(REPO_ROOT, pkg.icon));
    assert.equal(icon.subarray(1, 4).toString('ascii'), 'PNG');
    assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128], 'a 128×128 icon');
    const licence = readFileSync(path.join(REPO_ROOT, 'LICENSE'), 'utf8');
    assert.equal(pkg.license, 'MIT');
    assert.match(licence, /^MIT License/);
    assert.match(licence, /Sprint Runner contributors/);
    assert.match(pkg.repository.url, /^https:\/\/\S+\.git$/);
    assert.match(pkg.bugs.url, /^https:\/\//);
    assert.match(pkg.homepage, /^https:\/\//);
    assert.doesNotMatch(pkg.scripts.package, /--skip-license|--allow-missing-repository/);
  });

  it('ships the docs and no test doubles in the .vsix', () => {
    const ignore = readFileSync(path.join(REPO_ROOT, '.vscodeignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    assert.ok(ignore.includes('!docs/**'), 'docs/ is packaged');
    for (const l of ignore) assert.doesNotMatch(l, /sim-claude|cli\.js|test/, `${l} would ship a test double or the CLI bundle`);
    assert.ok(existsSync(path.join(REPO_ROOT, 'docs', 'extension.md')));
  });

  it('has a walkthrough whose pages exist and whose links run commands that exist', () => {
    const [walkthrough] = pkg.contributes.walkthroughs as { id: string; steps: { id: string; description: string; media: { markdown?: string } }[] }[];
    const stepIds = walkthrough.steps.map((s) => s.id);
    for (const id of ['claude', 'bmad', 'sprintPlanning', 'permissionMode', 'simulator', 'firstRun']) assert.ok(stepIds.includes(id), `step ${id}`);
    const texts = [...walkthrough.steps.map((s) => s.description), ...(pkg.contributes.viewsWelcome as { contents: string }[]).map((w) => w.contents)];
    for (const s of walkthrough.steps) assert.ok(s.media.markdown && existsSync(path.join(REPO_ROOT, s.media.markdown)), `${s.id}: ${s.media.markdown}`);
    for (const text of texts) {
      for (const m of text.matchAll(/\(command:(sprintRunner\.[\w.]+)/g)) assert.ok(commandIds.has(m[1]), `link to unknown command ${m[1]}`);
    }
    const welcome = (pkg.contributes.viewsWelcome as { contents: string; when: string }[]).find((w) => w.when.includes('!sprintRunner.hasLedger'));
    for (const c of ['sprintRunner.ledger.create', 'sprintRunner.doctor', 'sprintRunner.docs.open']) assert.ok(welcome?.contents.includes(`command:${c}`), `the no-ledger welcome offers ${c}`);
  });
});
