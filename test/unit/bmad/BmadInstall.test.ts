// Detection and mapping on folders laid out as each BMAD generation installs them (the shapes measured
// with the real installers; the real installers themselves run in test/bmad).
import { strict as assert } from 'node:assert';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bmadDoctorCheck } from '../../../src/core/bmad/bmadDoctorCheck';
import { detectBmadInstall, parseManifest } from '../../../src/core/bmad/BmadInstall';
import { mapWorkflows } from '../../../src/core/bmad/mapWorkflows';
import { NodeFileSystem } from '../../../src/infra/NodeFileSystem';
import { fixturePath } from '../../support/fixtures';

const fs = new NodeFileSystem();
const dirs: string[] = [];

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sr-bmad-detect-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const manifest = (version: string, shims?: boolean): string =>
  `installation:\n  version: ${version}\n  installDate: 2026-12-04T18:10:40.622Z\n${shims === undefined ? '' : `  installShims: ${shims}\n`}modules:\n  - name: bmm\n    version: ${version}\n`;
const skills = (...names: string[]): Record<string, string> => Object.fromEntries(names.map((n) => [`.claude/skills/${n}/SKILL.md`, `---\nname: ${n}\n---\n`]));
const SKILLS_612 = ['bmad-build', 'bmad-build-auto', 'bmad-code-review', 'bmad-review', 'bmad-spec', 'bmad-project-context', 'bmad-sprint-planning'];
const SHIMS_612 = ['bmad-create-story', 'bmad-dev-story', 'bmad-generate-project-context'];

describe('detectBmadInstall and mapWorkflows', () => {
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('v6-alpha (the fixture, no manifest): nested commands /bmad:bmm:workflows:<name>, config folder bmad/', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'sr-bmad-alpha-'));
    dirs.push(root);
    cpSync(fixturePath('bmad-v6-alpha'), root, { recursive: true });
    const install = await detectBmadInstall(root, fs);
    assert.equal(install.generation, 'v6-alpha');
    assert.equal(install.version, undefined);
    assert.equal(install.configDir, path.join(root, 'bmad'));
    const m = mapWorkflows(install);
    assert.deepEqual(m.missing, []);
    const names = Object.fromEntries(Object.entries(m.targets).map(([k, t]) => [k, t.kind === 'installed' ? t.name : 'runner']));
    assert.deepEqual(names, {
      'generate-project-context': 'bmad:bmm:workflows:generate-project-context',
      'create-story': 'bmad:bmm:workflows:create-story',
      'create-story-discovery': 'runner',
      'story-review': 'runner',
      'create-tech-spec': 'bmad:bmm:workflows:create-tech-spec',
      'tech-spec-review': 'runner',
      'dev-story': 'bmad:bmm:workflows:dev-story',
      'code-review': 'bmad:bmm:workflows:code-review',
      'batch-commit': 'runner',
      // 003 step 5's diagnosis runs the installed sprint-status workflow.
      'sprint-status-diagnosis': 'bmad:bmm:workflows:sprint-status',
    });
  });

  it('6.0.x: flat /bmad-bmm-<name> commands, version from the manifest; create-tech-spec stays on the runner prompt', async () => {
    const root = tree({
      '_bmad/_config/manifest.yaml': manifest('6.0.4'),
      '.claude/commands/bmad-bmm-create-story.md': 'x',
      '.claude/commands/bmad-bmm-dev-story.md': 'x',
      '.claude/commands/bmad-bmm-code-review.md': 'x',
      '.claude/commands/bmad-bmm-quick-spec.md': 'x',
      '.claude/commands/bmad-bmm-generate-project-context.md': 'x',
    });
    const install = await detectBmadInstall(root, fs);
    assert.equal(install.generation, '6.0-6.1');
    assert.equal(install.version, '6.0.4');
    const m = mapWorkflows(install);
    assert.equal(m.targets['create-story'].kind === 'installed' && m.targets['create-story'].name, 'bmad-bmm-create-story');
    assert.equal(m.targets['create-tech-spec'].kind, 'runner-prompt');
    assert.match(m.targets['create-tech-spec'].kind === 'runner-prompt' ? m.targets['create-tech-spec'].reason : '', /quick-spec/);
    assert.equal(bmadDoctorCheck(install, m).status, 'ok');
  });

  it('6.12 with shims: the /bmad-<name> skills; 6.12 without: create-story and dev-story missing, the doctor check fails with the fix', async () => {
    const withShims = await detectBmadInstall(tree({ '_bmad/_config/manifest.yaml': manifest('6.12.0', true), ...skills(...SKILLS_612, ...SHIMS_612) }), fs);
    assert.equal(withShims.generation, '6.12');
    assert.equal(withShims.shimsInManifest, true);
    const ok = mapWorkflows(withShims);
    assert.deepEqual(ok.missing, []);
    assert.equal(ok.targets['dev-story'].kind === 'installed' && ok.targets['dev-story'].entry.kind, 'skill');

    const without = await detectBmadInstall(tree({ '_bmad/_config/manifest.yaml': manifest('6.12.0', false), ...skills(...SKILLS_612) }), fs);
    const m = mapWorkflows(without);
    assert.deepEqual(m.missing, ['create-story', 'dev-story']);
    assert.equal(m.targets['code-review'].kind === 'installed' && m.targets['code-review'].name, 'bmad-code-review');
    assert.match(m.targets['generate-project-context'].kind === 'runner-prompt' ? m.targets['generate-project-context'].reason : '', /AGENTS\.md/);
    const check = bmadDoctorCheck(without, m);
    assert.equal(check.status, 'fail');
    assert.match(check.detail, /create-story, dev-story/);
    assert.match(check.fix ?? '', /npx bmad-method install --shims/);
    const relaxed = bmadDoctorCheck(without, mapWorkflows(without, 'runner-prompt'), 'runner-prompt');
    assert.equal(relaxed.status, 'warn');
  });

  it('6.2–6.10 skills without bmad-build and without a manifest are 6.2+; a project without .claude is config-only', async () => {
    const six = await detectBmadInstall(tree({ '_bmad/bmm/config.yaml': 'x: 1\n', ...skills('bmad-create-story', 'bmad-dev-story', 'bmad-code-review') }), fs);
    assert.equal(six.generation, '6.2+');
    const configOnly = await detectBmadInstall(tree({ '_bmad/bmm/config.yaml': 'x: 1\n' }), fs);
    assert.equal(configOnly.generation, 'config-only');
    const m = mapWorkflows(configOnly);
    assert.equal(m.noClaudeInstall, true);
    assert.deepEqual(m.missing, []);
    assert.ok(Object.values(m.targets).every((t) => t.kind === 'runner-prompt'));
    assert.equal(bmadDoctorCheck(configOnly, m).status, 'warn');
  });

  it("the user's ~/.claude counts; a workflow with the step's own name is used (a custom batch-commit); .agents/skills is listed but not relied on", async () => {
    const home = tree({ '.claude/commands/batch-commit.md': 'custom' });
    const root = tree({ ...skills('bmad-create-story', 'bmad-dev-story', 'bmad-code-review'), '.agents/skills/bmad-story-review/SKILL.md': 'x' });
    const install = await detectBmadInstall(root, fs, { homeDir: home });
    const m = mapWorkflows(install);
    const commit = m.targets['batch-commit'];
    assert.equal(commit.kind === 'installed' && `${commit.name} ${commit.entry.scope}`, 'batch-commit user');
    assert.equal(m.targets['story-review'].kind, 'runner-prompt');
    const check = bmadDoctorCheck(install, m);
    assert.deepEqual((check.data as { notLoadedByClaude: string[] }).notLoadedByClaude, [path.join(root, '.agents/skills/bmad-story-review/SKILL.md')]);
    const row = (check.data as { mapping: { step: string; runs: string; file?: string }[] }).mapping.find((r) => r.step === 'batch-commit');
    assert.deepEqual(row && [row.runs, row.file], ['/batch-commit', path.join(home, '.claude/commands/batch-commit.md')]);
  });

  it('parseManifest reads the version and the shims flag', () => {
    assert.deepEqual(parseManifest(manifest('6.12.0', true)), { version: '6.12.0', shims: true });
    assert.deepEqual(parseManifest('modules: []\n'), {});
  });
});
