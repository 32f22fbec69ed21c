import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readEpicTitles, readEpicsOutline } from '../../../src/core/workspace/readEpicsOutline';
import { NodeFileSystem } from '../../../src/infra/NodeFileSystem';

describe('readEpicsOutline / readEpicTitles', () => {
  const fs = new NodeFileSystem();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sr-epics-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('titles the epics of a single epics.md, headings with a title only', async () => {
    writeFileSync(path.join(dir, 'epics.md'), '# Breakdown\n\n## Epic 2a: Session Scanner\n\n### Story 2a.1: Scan\n\n## Epic 3\n\n### Story 3.1: Untitled epic\n');
    const titles = await readEpicTitles(dir, fs);
    assert.deepEqual([...titles], [['2a', 'Session Scanner']]);
    const { sources, epics } = await readEpicsOutline(dir, fs);
    assert.deepEqual(sources, [path.join(dir, 'epics.md')]);
    assert.deepEqual(epics.map((e) => e.epicId), ['2a', '3']);
  });

  it('reads sharded epics/*.md in name order when there is no epics.md', async () => {
    mkdirSync(path.join(dir, 'epics'));
    writeFileSync(path.join(dir, 'epics', 'epic-2.md'), '## Epic 2: Persistence\n');
    writeFileSync(path.join(dir, 'epics', 'epic-1.md'), '## Epic 1: Task Basics\n');
    writeFileSync(path.join(dir, 'epics', 'notes.txt'), '## Epic 9: not markdown\n');
    assert.deepEqual([...(await readEpicTitles(dir, fs))], [['1', 'Task Basics'], ['2', 'Persistence']]);
  });

  it('gives no titles, and no error, without epics or without the folder', async () => {
    assert.deepEqual([...(await readEpicTitles(dir, fs))], []);
    assert.deepEqual([...(await readEpicTitles(path.join(dir, 'missing'), fs))], []);
  });
});
