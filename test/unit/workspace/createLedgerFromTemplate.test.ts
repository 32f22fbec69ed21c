import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SprintLedger } from '../../../src/core/ledger/SprintLedger';
import { createLedgerFromTemplate, LedgerExistsError } from '../../../src/core/workspace/createLedgerFromTemplate';
import { discoverWorkspace } from '../../../src/core/workspace/discoverWorkspace';
import { kebabTitle, parseEpicsOutline } from '../../../src/core/workspace/parseEpicsOutline';
import { NodeFileSystem } from '../../../src/infra/NodeFileSystem';
import { fixturePath } from '../../support/fixtures';

const fs = new NodeFileSystem();
const REPO = path.resolve(__dirname, '../../..');
const TEMPLATE = path.join(REPO, 'media/templates/sprint-status-template.yaml');
const SAMPLE = path.join(REPO, 'sample-workspace');
const SAMPLE_LEDGER = path.join(SAMPLE, '_bmad-output/implementation-artifacts/sprint-status.yaml');
const NOW = new Date('2026-02-03T10:00:00Z');

let root: string;

async function put(relative: string, text: string): Promise<string> {
  const file = path.join(root, relative);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, text, 'utf8');
  return file;
}

describe('createLedgerFromTemplate', () => {
  beforeEach(async () => {
    root = await fsp.mkdtemp(path.join(os.tmpdir(), 'sprint-tpl-'));
  });
  afterEach(async () => {
    await fsp.rm(root, { recursive: true, force: true });
  });

  it('ships BMAD template unchanged in media/templates', async () => {
    assert.equal(await fsp.readFile(TEMPLATE, 'utf8'), await fsp.readFile(fixturePath('bmad', 'sprint-status-template.yaml'), 'utf8'));
  });

  it('recreates the sample ledger from the sample epics: same stories, all backlog, project filled in', async () => {
    await fsp.cp(SAMPLE, root, { recursive: true });
    await fsp.rm(path.join(root, '_bmad-output/implementation-artifacts/sprint-status.yaml'));

    const created = await createLedgerFromTemplate(root, fs, { templatePath: TEMPLATE, now: NOW });
    const target = path.join(root, '_bmad-output/implementation-artifacts/sprint-status.yaml');
    assert.deepEqual(created, {
      path: target,
      epicsSources: [path.join(root, '_bmad-output/planning-artifacts/epics.md')],
      storyCount: 5,
    });

    const layout = await discoverWorkspace(root, fs);
    assert.equal(layout.ledgerPath, target);
    const made = await new SprintLedger(target, fs).read();
    const shipped = await new SprintLedger(SAMPLE_LEDGER, fs).read();
    assert.deepEqual(made.problems, []);
    assert.deepEqual(made.stories.map((s) => [s.key, s.status]), shipped.stories.map((s) => [s.key, s.status]));
    assert.deepEqual(made.epics.map((e) => e.key), ['epic-1', 'epic-2']);
    assert.deepEqual(made.retrospectives.map((r) => `${r.key}:${r.status}`), ['epic-1-retrospective:optional', 'epic-2-retrospective:optional']);

    const text = await fsp.readFile(target, 'utf8');
    assert.match(text, /^# project: todo-cli$/m);
    assert.match(text, /^# generated: 2026-02-03$/m);
    assert.match(text, /^generated: 2026-02-03$/m);
    assert.match(text, /^project: todo-cli$/m);
    assert.match(text, /^project_key: todo-cli$/m);
    assert.match(text, /^tracking_system: file-system$/m);
    assert.match(text, /^story_location: _bmad-output\/implementation-artifacts$/m);
    assert.match(text, /^# STATUS DEFINITIONS:$/m, 'BMAD header comments kept');
    assert.match(text, /^ {2}# Epic 1: Task Basics$/m);
    assert.doesNotMatch(text, /\{[a-z_]+\}/, 'no placeholder left');
    assert.doesNotMatch(text, /plant|My Awesome Project|user-authentication|EXAMPLE STRUCTURE/, "the template's example stories are not copied");
  });

  it('never overwrites an existing ledger', async () => {
    const existing = await put('_bmad-output/implementation-artifacts/sprint-status.yaml', 'development_status:\n  1-1-mine: review\n');
    await assert.rejects(createLedgerFromTemplate(root, fs, { templatePath: TEMPLATE, now: NOW }), (e: unknown) => {
      assert.ok(e instanceof LedgerExistsError);
      assert.equal(e.file, existing);
      assert.match(e.message, /already exists; it was not overwritten/);
      return true;
    });
    assert.equal(await fsp.readFile(existing, 'utf8'), 'development_status:\n  1-1-mine: review\n');
  });

  it('without epics or config: project named after the folder, empty development_status with a how-to', async () => {
    const created = await createLedgerFromTemplate(root, fs, { templatePath: TEMPLATE, now: NOW });
    assert.equal(created.path, path.join(root, '_bmad-output/implementation-artifacts/sprint-status.yaml'));
    assert.equal(created.storyCount, 0);
    assert.deepEqual(created.epicsSources, []);
    const text = await fsp.readFile(created.path, 'utf8');
    assert.match(text, new RegExp(`^project: ${path.basename(root)}$`, 'm'));
    assert.match(text, /^development_status:\n {2}# No stories yet\./m);
    const snap = await new SprintLedger(created.path, fs).read();
    assert.deepEqual([snap.stories, snap.epics, snap.problems], [[], [], []]);
  });

  it('writes to an explicit path and reads sharded epics (epics/*.md)', async () => {
    await put('_bmad/bmm/config.yaml', "project_name: 'Grimoire: the app'\nplanning_artifacts: '{project-root}/plans'\n");
    await put('plans/epics/epic-2a.md', '## Epic 2a: Sessions\n\n### Story 2a.1: Session scanner & DB sync\n\n### Story 2a.2: List\n');
    await put('plans/epics/epic-1.md', '## Epic 1: Bootstrap\n### Story 1.1: Scaffold\n');
    const created = await createLedgerFromTemplate(root, fs, { templatePath: TEMPLATE, ledgerPath: 'custom/sprint.yaml', now: NOW });
    assert.equal(created.path, path.join(root, 'custom/sprint.yaml'));
    assert.deepEqual(created.epicsSources, [path.join(root, 'plans/epics/epic-1.md'), path.join(root, 'plans/epics/epic-2a.md')]);
    const snap = await new SprintLedger(created.path, fs).read();
    assert.deepEqual(snap.stories.map((s) => s.key), ['1-1-scaffold', '2a-1-session-scanner-db-sync', '2a-2-list']);
    const text = await fsp.readFile(created.path, 'utf8');
    assert.match(text, /^project: "Grimoire: the app"$/m, 'a value that needs quoting is quoted');
    assert.match(text, /^story_location: custom$/m);
  });

  it('keeps the template line endings (CRLF template → CRLF ledger)', async () => {
    const crlfTemplate = await put('tpl.yaml', (await fsp.readFile(TEMPLATE, 'utf8')).replace(/\n/g, '\r\n'));
    await put('_bmad-output/planning-artifacts/epics.md', '## Epic 1: A\n### Story 1.1: B\n');
    const created = await createLedgerFromTemplate(root, fs, { templatePath: crlfTemplate, now: NOW });
    const text = await fsp.readFile(created.path, 'utf8');
    assert.equal(/[^\r]\n/.test(text), false);
    assert.deepEqual((await new SprintLedger(created.path, fs).read()).stories.map((s) => s.key), ['1-1-b']);
  });
});

describe('parseEpicsOutline', () => {
  it('reads BMAD epic and story headings into sprint-status keys, first occurrence of a story number wins', () => {
    const md = [
      '# Epics',
      '### Epic 1: Task Basics',
      '## Epic 1: Task Basics',
      '### Story 1.1: Add and list tasks',
      '### Story 1.10: Ten',
      '### Story 1.1: Add and list tasks (details)',
      '#### Story 5-SR.3: Python orchestrator — core loop',
      'Story 9.9: not a heading',
    ].join('\n');
    assert.deepEqual(parseEpicsOutline(md), [
      {
        epicId: '1',
        title: 'Task Basics',
        stories: [
          { key: '1-1-add-and-list-tasks', title: 'Add and list tasks', line: 4 },
          { key: '1-10-ten', title: 'Ten', line: 5 },
        ],
      },
      { epicId: '5-sr', title: '', stories: [{ key: '5-sr-3-python-orchestrator-core-loop', title: 'Python orchestrator — core loop', line: 7 }] },
    ]);
  });

  it('kebabTitle lowercases and joins words with dashes', () => {
    assert.equal(kebabTitle('Add a To-do (CLI)!'), 'add-a-to-do-cli');
    assert.equal(kebabTitle('Café & Crème'), 'cafe-creme');
  });
});
