import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SprintLedger } from '../../../src/core/ledger/SprintLedger';
import { selectNextStories } from '../../../src/core/ledger/selectNextStories';
import { BmadConfigError } from '../../../src/core/workspace/BmadConfigError';
import { discoverWorkspace } from '../../../src/core/workspace/discoverWorkspace';
import { LedgerNotFoundError } from '../../../src/core/ledger/LedgerNotFoundError';
import { LEDGER_FALLBACKS } from '../../../src/core/workspace/resolveBmadPaths';
import { NodeFileSystem } from '../../../src/infra/NodeFileSystem';

const fs = new NodeFileSystem();
const SAMPLE = path.resolve(__dirname, '../../../sample-workspace');
const LEDGER_TEXT = 'development_status:\n  epic-1: backlog\n  1-1-a: backlog\n';

let root: string;

async function put(relative: string, text: string): Promise<string> {
  const file = path.join(root, relative);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, text, 'utf8');
  return file;
}

async function rejectsNotFound(p: Promise<unknown>, searched: string[]): Promise<LedgerNotFoundError> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => {
    caught = e;
    return e instanceof LedgerNotFoundError;
  });
  const err = caught as LedgerNotFoundError;
  assert.deepEqual(err.searched, searched);
  return err;
}

describe('discoverWorkspace', () => {
  beforeEach(async () => {
    root = await fsp.mkdtemp(path.join(os.tmpdir(), 'sprint-ws-'));
  });
  afterEach(async () => {
    await fsp.rm(root, { recursive: true, force: true });
  });

  it('resolves the shipped sample workspace from its config', async () => {
    const layout = await discoverWorkspace(SAMPLE, fs);
    assert.deepEqual(layout, {
      root: SAMPLE,
      configPath: path.join(SAMPLE, '_bmad/bmm/config.yaml'),
      ledgerPath: path.join(SAMPLE, '_bmad-output/implementation-artifacts/sprint-status.yaml'),
      ledgerChoice: 'the folder _bmad/bmm/config.yaml names as `implementation_artifacts`',
      otherLedgers: [],
      implementationArtifacts: path.join(SAMPLE, '_bmad-output/implementation-artifacts'),
      planningArtifacts: path.join(SAMPLE, '_bmad-output/planning-artifacts'),
      outputFolder: path.join(SAMPLE, '_bmad-output'),
      // Where BMAD's generate-project-context writes it ({output_folder}).
      projectContextPath: path.join(SAMPLE, '_bmad-output/project-context.md'),
      promptOverrideDir: path.join(SAMPLE, '_bmad/bmm/workflows/4-implementation/sprint-runner/prompts'),
      scriptsDir: path.join(SAMPLE, '_bmad/scripts'),
    });
    assert.equal(await fs.exists(layout.projectContextPath), false, 'the sample has no project context: the engine generates it');
    const snapshot = await new SprintLedger(layout.ledgerPath, fs).read();
    assert.deepEqual(snapshot.problems, []);
    assert.deepEqual(
      snapshot.stories.map((s) => `${s.key}:${s.status}`),
      [
        '1-1-add-and-list-tasks:backlog',
        '1-2-complete-a-task:backlog',
        '1-3-delete-a-task:backlog',
        '2-1-save-tasks-to-a-json-file:backlog',
        '2-2-load-tasks-on-startup:backlog',
      ],
    );
    assert.deepEqual(selectNextStories(snapshot)?.storyKeys, ['1-1-add-and-list-tasks', '1-2-complete-a-task']);
  });

  it('follows implementation_artifacts / planning_artifacts from the config, with {project-root} and other keys', async () => {
    await put(
      '_bmad/bmm/config.yaml',
      [
        "output_folder: '{project-root}/out'",
        "implementation_artifacts: '{output_folder}/impl'",
        'planning_artifacts: plans # relative to the root',
      ].join('\n'),
    );
    const ledger = await put('out/impl/sprint-status.yaml', LEDGER_TEXT);
    // A ledger in the default place must not win over the configured one.
    await put('_bmad-output/implementation-artifacts/sprint-status.yaml', LEDGER_TEXT);
    const layout = await discoverWorkspace(root, fs);
    assert.equal(layout.ledgerPath, ledger);
    assert.equal(layout.implementationArtifacts, path.join(root, 'out/impl'));
    assert.equal(layout.planningArtifacts, path.join(root, 'plans'));
    assert.equal(layout.projectContextPath, path.join(root, 'out/project-context.md'), 'none exists: {output_folder}, where BMAD writes it');
  });

  it('uses the older sprint_artifacts key when implementation_artifacts is absent', async () => {
    await put('_bmad/bmm/config.yaml', "sprint_artifacts: '{project-root}/docs/sprint-artifacts'\n");
    const ledger = await put('docs/sprint-artifacts/sprint-status.yaml', LEDGER_TEXT);
    const layout = await discoverWorkspace(root, fs);
    assert.equal(layout.ledgerPath, ledger);
    assert.equal(layout.implementationArtifacts, path.join(root, 'docs/sprint-artifacts'));
  });

  it('without a config, defaults to _bmad-output/*-artifacts', async () => {
    const ledger = await put('_bmad-output/implementation-artifacts/sprint-status.yaml', LEDGER_TEXT);
    const layout = await discoverWorkspace(root, fs);
    assert.equal(layout.configPath, undefined);
    assert.equal(layout.ledgerPath, ledger);
    assert.equal(layout.implementationArtifacts, path.join(root, '_bmad-output/implementation-artifacts'));
    assert.equal(layout.planningArtifacts, path.join(root, '_bmad-output/planning-artifacts'));
  });

  it('falls back to docs/sprint-artifacts, whose folder then holds the story files', async () => {
    const ledger = await put('docs/sprint-artifacts/sprint-status.yaml', LEDGER_TEXT);
    const layout = await discoverWorkspace(root, fs);
    assert.equal(layout.ledgerPath, ledger);
    assert.equal(layout.implementationArtifacts, path.join(root, 'docs/sprint-artifacts'));
  });

  it('falls back when the configured folder has no ledger, keeping the configured artifacts folder', async () => {
    await put('_bmad/bmm/config.yaml', "implementation_artifacts: '{project-root}/stories'\n");
    const ledger = await put('_bmad-output/implementation-artifacts/sprint-status.yaml', LEDGER_TEXT);
    const layout = await discoverWorkspace(root, fs);
    assert.equal(layout.ledgerPath, ledger);
    assert.equal(layout.implementationArtifacts, path.join(root, 'stories'));
  });

  it('an explicit override wins over everything; relative overrides are from the root', async () => {
    await put('_bmad-output/implementation-artifacts/sprint-status.yaml', LEDGER_TEXT);
    const mine = await put('elsewhere/my-sprint.yaml', LEDGER_TEXT);
    assert.equal((await discoverWorkspace(root, fs, { ledgerOverride: mine })).ledgerPath, mine);
    assert.equal((await discoverWorkspace(root, fs, { ledgerOverride: 'elsewhere/my-sprint.yaml' })).ledgerPath, mine);
  });

  it('a missing override is an error naming it, never a silent fallback', async () => {
    await put('_bmad-output/implementation-artifacts/sprint-status.yaml', LEDGER_TEXT);
    const err = await rejectsNotFound(discoverWorkspace(root, fs, { ledgerOverride: 'typo.yaml' }), [path.join(root, 'typo.yaml')]);
    assert.match(err.message, /typo\.yaml/);
  });

  it('not found: the message lists every path looked at, in order, and how to create one', async () => {
    await put('_bmad/bmm/config.yaml', "implementation_artifacts: '{project-root}/stories'\n");
    // A folder with the ledger's name is not a ledger.
    await fsp.mkdir(path.join(root, 'docs/sprint-artifacts/sprint-status.yaml'), { recursive: true });
    const searched = [path.join(root, 'stories/sprint-status.yaml'), ...LEDGER_FALLBACKS.map((p) => path.join(root, p))];
    const err = await rejectsNotFound(discoverWorkspace(root, fs), searched);
    for (const p of searched) assert.ok(err.message.includes(`  - ${p}\n`), `message lists ${p}:\n${err.message}`);
    assert.match(err.message, /sprint-runner run --init/);
    assert.match(err.message, /sprint-planning/);
    assert.match(err.message, /--ledger FILE/);
    assert.match(err.message, /sprintRunner\.ledger\.path/);
    assert.equal(err.suggestedPath, searched[0]);
  });

  it('lists the default path once when the config points at it', async () => {
    const err = await rejectsNotFound(
      discoverWorkspace(root, fs),
      LEDGER_FALLBACKS.map((p) => path.join(root, p)),
    );
    assert.equal(err.message.split('_bmad-output/implementation-artifacts/sprint-status.yaml').length, 3, 'listed + suggested');
  });

  it('a broken config is a BmadConfigError with file:line:col', async () => {
    const config = await put('_bmad/bmm/config.yaml', 'project_name: x\nimplementation_artifacts: a: b\n');
    await assert.rejects(discoverWorkspace(root, fs), (e: unknown) => {
      assert.ok(e instanceof BmadConfigError);
      assert.equal(e.file, config);
      assert.ok(e.message.startsWith(`${config}:${e.line}:${e.col}: `), e.message);
      assert.deepEqual([e.line, e.col], [2, 27]);
      assert.match(e.message, /Nested mappings are not allowed in compact mappings\. Fix: /);
      return true;
    });
  });

  it('an unknown placeholder in a path is an error at its position, not a literal folder', async () => {
    const config = await put('_bmad/bmm/config.yaml', "project_name: x\nimplementation_artifacts: '{projectroot}/impl'\n");
    await assert.rejects(discoverWorkspace(root, fs), (e: unknown) => {
      assert.ok(e instanceof BmadConfigError);
      assert.equal(e.message.split('\n')[0].startsWith(`${config}:2:27: \`implementation_artifacts\` uses the placeholder {projectroot}`), true, e.message);
      assert.match(e.message, /Fix: write the path as '\{project-root\}\/<folder>'/);
      return true;
    });
  });
});
