// The ledger as real BMAD projects keep it (test/fixtures/ledgers: one small workspace per layout): found
// without flags, the stories 003 picks, legacy statuses read as BMAD reads them, distinct ids for decimal
// epics, and writes that change only the status value. Each workspace is copied to a temporary folder first.

import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SprintLedger } from '../../../src/core/ledger/SprintLedger';
import { selectNextStories } from '../../../src/core/ledger/selectNextStories';
import { discoverWorkspace } from '../../../src/core/workspace/discoverWorkspace';
import { describeLedgerChoice } from '../../../src/core/workspace/WorkspaceLayout';
import { NodeFileSystem } from '../../../src/infra/NodeFileSystem';
import { fixturePath } from '../../support/fixtures';

const fs = new NodeFileSystem();

interface Layout {
  name: string;
  /** Paths relative to the workspace root, `/`-separated. */
  ledger: string;
  config?: string;
  /** Words the reason for the choice must contain. */
  why: RegExp;
  artifacts: string;
  projectContext: string;
  /** What 003 step 1 picks, with the status each story has as BMAD reads it. */
  picks: Record<string, string>;
  /** A status write: the story, its new status, the line before and after (the only bytes that may change). */
  write: { key: string; to: 'in-progress' | 'review' | 'done'; before: string; after: string };
}

const LAYOUTS: Layout[] = [
  {
    name: 'v6-alpha-output-folder',
    ledger: 'docs/sprint-status.yaml',
    config: 'bmad/bmm/config.yaml',
    why: /output_folder/,
    artifacts: 'docs/stories',
    projectContext: 'docs/project-context.md',
    picks: { '1-2-normalise-signals': 'in-progress', '1-3-score-signals': 'ready-for-dev' },
    write: { key: '1-2-normalise-signals', to: 'review', before: '  1-2-normalise-signals: contexted   # context file written', after: '  1-2-normalise-signals: review   # context file written' },
  },
  {
    name: 'bmad6-output-folder',
    ledger: '_bmad-output/sprint-status.yaml',
    config: '_bmad/bmm/config.yaml',
    why: /output_folder/,
    artifacts: '_bmad-output/implementation-artifacts',
    projectContext: '_bmad-output/planning-artifacts/project-context.md',
    picks: { '1-2-sign-in': 'review', '1-3-reset-password': 'backlog' },
    write: { key: '1-2-sign-in', to: 'done', before: "  1-2-sign-in: 'review'", after: "  1-2-sign-in: 'done'" },
  },
  {
    name: 'repo-root',
    ledger: 'sprint-status.yaml',
    why: /a place BMAD projects keep it/,
    artifacts: '.',
    projectContext: '_bmad-output/project-context.md',
    picks: { '1-2-config-loader': 'in-progress', '1-3-help-text': 'backlog' },
    write: { key: '1-2-config-loader', to: 'review', before: '  1-2-config-loader: in-progress  # half done\r\n', after: '  1-2-config-loader: review  # half done\r\n' },
  },
  {
    name: 'docs-stories',
    ledger: 'docs/stories/sprint-status.yaml',
    why: /a place BMAD projects keep it/,
    artifacts: 'docs/stories',
    projectContext: '_bmad-output/project-context.md',
    picks: { '3-2-map-filters': 'ready-for-dev', '3-3-map-export': 'backlog' },
    write: { key: '3-2-map-filters', to: 'in-progress', before: '  3-2-map-filters: ready-for-dev\n', after: '  3-2-map-filters: in-progress\n' },
  },
  {
    name: 'dot-bmad-ephemeral',
    ledger: '.bmad-ephemeral/sprint-status.yaml',
    config: '.bmad/bmm/config.yaml',
    why: /\.bmad\/bmm\/config\.yaml names as `sprint_artifacts`/,
    artifacts: '.bmad-ephemeral',
    projectContext: 'docs/project-context.md',
    picks: { '1-1-first': 'backlog', '1-2-second': 'backlog' },
    write: { key: '1-1-first', to: 'done', before: '  1-1-first: backlog\n', after: '  1-1-first: done\n' },
  },
  {
    name: 'docs-implementation-artifacts',
    ledger: 'docs/implementation-artifacts/sprint-status.yaml',
    config: '_bmad/bmm/config.yaml',
    why: /a place BMAD projects keep it/,
    artifacts: '_bmad-output/implementation-artifacts',
    projectContext: '_bmad-output/project-context.md',
    picks: { '4-2-export-pdf': 'backlog', '4-3-export-xlsx': 'backlog' },
    write: { key: '4-3-export-xlsx', to: 'done', before: '  4-3-export-xlsx: backlog\n', after: '  4-3-export-xlsx: done\n' },
  },
  {
    name: 'decimal-epics',
    ledger: 'docs/sprint-artifacts/sprint-status.yaml',
    config: 'bmad/bmm/config.yaml',
    why: /`sprint_artifacts`/,
    artifacts: 'docs/sprint-artifacts',
    projectContext: 'docs/project-context.md',
    picks: { '7-5-2-external-signal-routing': 'backlog', '7-5-3-internal-signal-routing': 'backlog' },
    write: {
      key: '7-5-2-external-signal-routing',
      to: 'done',
      before: '  7-5-2-external-signal-routing: backlog\n',
      after: '  7-5-2-external-signal-routing: done\n',
    },
  },
];

async function copyOf(name: string): Promise<string> {
  const root = path.join(await fsp.mkdtemp(path.join(os.tmpdir(), 'sprint-layout-')), name);
  await fsp.cp(fixturePath('ledgers', name), root, { recursive: true });
  return root;
}

const rel = (root: string, p: string) => path.relative(root, p).split(path.sep).join('/') || '.';

describe('ledger layouts of real BMAD projects (test/fixtures/ledgers)', () => {
  const roots: string[] = [];
  after(async () => {
    await Promise.all(roots.map((r) => fsp.rm(path.dirname(r), { recursive: true, force: true })));
  });

  for (const l of LAYOUTS) {
    describe(l.name, () => {
      let root: string;
      before(async () => {
        root = await copyOf(l.name);
        roots.push(root);
      });

      it(`finds ${l.ledger} without flags, with the folders BMAD uses`, async () => {
        const layout = await discoverWorkspace(root, fs);
        assert.equal(rel(root, layout.ledgerPath), l.ledger);
        assert.equal(layout.configPath ? rel(root, layout.configPath) : undefined, l.config);
        assert.match(layout.ledgerChoice ?? '', l.why);
        assert.deepEqual(layout.otherLedgers, []);
        assert.equal(rel(root, layout.implementationArtifacts), l.artifacts);
        assert.equal(rel(root, layout.projectContextPath), l.projectContext);
      });

      it(`picks ${Object.keys(l.picks).join(' + ')}`, async () => {
        const layout = await discoverWorkspace(root, fs);
        const snapshot = await new SprintLedger(layout.ledgerPath, fs).read();
        const ids = snapshot.stories.map((s) => s.shortId);
        assert.equal(new Set(ids).size, ids.length, `distinct short ids: ${ids.join(', ')}`);
        assert.deepEqual(selectNextStories(snapshot)?.statuses, l.picks);
      });

      it(`a status write changes only ${l.write.key}'s value`, async () => {
        const layout = await discoverWorkspace(root, fs);
        const original = await fsp.readFile(layout.ledgerPath, 'utf8');
        assert.equal(original.split(l.write.before).length, 2, `the fixture holds "${l.write.before.trim()}" once`);
        await new SprintLedger(layout.ledgerPath, fs).setStatus(l.write.key, l.write.to);
        assert.equal(await fsp.readFile(layout.ledgerPath, 'utf8'), original.replace(l.write.before, l.write.after));
        await fsp.writeFile(layout.ledgerPath, original);
      });
    });
  }

  it('v6-alpha: drafted and contexted are read as BMAD reads them, and kept as written', async () => {
    const root = await copyOf('v6-alpha-output-folder');
    roots.push(root);
    const ledgerPath = path.join(root, 'docs/sprint-status.yaml');
    const before = await fsp.readFile(ledgerPath, 'utf8');
    const snapshot = await new SprintLedger(ledgerPath, fs).read();
    assert.deepEqual(
      snapshot.stories.map((s) => [s.key, s.status, s.writtenStatus]),
      [
        ['1-1-ingest-feed', 'done', undefined],
        ['1-2-normalise-signals', 'in-progress', 'contexted'],
        ['1-3-score-signals', 'ready-for-dev', 'drafted'],
        ['1-4-alert-rules', 'backlog', undefined],
      ],
    );
    assert.deepEqual(snapshot.problems, [], 'legacy statuses are no problem');
    await new SprintLedger(ledgerPath, fs).setStatus('1-3-score-signals', 'ready-for-dev');
    assert.equal(await fsp.readFile(ledgerPath, 'utf8'), before, 'the word the user wrote stays');
  });

  it('decimal epics: their own ids and epic; the key without a number runs after; undefined statuses skipped with a warning', async () => {
    const root = await copyOf('decimal-epics');
    roots.push(root);
    const ledger = new SprintLedger(path.join(root, 'docs/sprint-artifacts/sprint-status.yaml'), fs);
    const snapshot = await ledger.read();
    assert.deepEqual(
      snapshot.stories.map((s) => `${s.shortId} (epic ${s.epicId})`),
      ['7-4 (epic 7)', '7-5-1 (epic 7-5)', '7-5-2 (epic 7-5)', '7-5-3 (epic 7-5)', '7-6 (epic 7)', '8-1 (epic 8)', 'hotfix-profile-band-segmentation (epic hotfix-profile-band-segmentation)'],
    );
    assert.deepEqual(
      snapshot.problems.map((p) => [p.line, p.kind, p.message.replace(/ \(.*\)/, '')]),
      [
        [9, 'unknown-status', 'story "7-6-cleanup" has unknown status "wont-do"; it is skipped'],
        [12, 'unknown-status', 'story "8-1-dashboards" has unknown status "deferred"; it is skipped'],
      ],
    );
    assert.equal(selectNextStories(snapshot)?.epicId, '7-5');
    await ledger.setStatus('7-5-2-external-signal-routing', 'done');
    await ledger.setStatus('7-5-3-internal-signal-routing', 'done');
    const next = selectNextStories(await ledger.read());
    assert.deepEqual(next?.storyKeys, ['hotfix-profile-band-segmentation'], 'open work without a story number is not left behind');
    assert.deepEqual(next?.skipped, [
      { key: '7-6-cleanup', status: 'wont-do' },
      { key: '8-1-dashboards', status: 'deferred' },
    ]);
  });

  it('several ledgers: the configured one is used, the others are named with how to choose', async () => {
    const root = await copyOf('several-ledgers');
    roots.push(root);
    const layout = await discoverWorkspace(root, fs);
    assert.equal(rel(root, layout.ledgerPath), '_bmad-output/implementation-artifacts/sprint-status.yaml');
    assert.deepEqual(layout.otherLedgers?.map((p) => rel(root, p)), ['docs/sprint-status.yaml']);
    const said = describeLedgerChoice(layout) ?? '';
    assert.ok(said.includes(layout.ledgerPath) && said.includes(path.join(root, 'docs/sprint-status.yaml')), said);
    assert.match(said, /_bmad\/bmm\/config\.yaml names as `implementation_artifacts`/);
    assert.match(said, /--ledger FILE .*sprintRunner\.ledger\.path/);
  });
});
