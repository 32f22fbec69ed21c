import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendDeferredItems, DEFERRED_ITEMS_HEADER } from '../../../src/core/workflow/appendDeferredItems';
import { withProjectContext } from '../../../src/core/workflow/injectProjectContext';
import { NodeFileSystem } from '../../../src/infra/NodeFileSystem';

describe('project-context injection (append fallback)', () => {
  const B = '<!-- sprint-runner: project-context begin -->';
  const E = '<!-- sprint-runner: project-context end -->';
  it('appends the context under one header, delimited', () => {
    assert.equal(withProjectContext('# Discovery\n\nfound things\n', '# Project Context\n\nCTX v1\n'), `# Discovery\n\nfound things\n\n## Project Context\n\n${B}\n# Project Context\n\nCTX v1\n${E}\n`);
  });
  it('is idempotent, and a newer context replaces the old copy (headings inside it included), keeping later sections', () => {
    const once = withProjectContext('# D\n\nx\n', '# Project Context\n\n## Stack\n\nCTX v1');
    assert.equal(withProjectContext(once, '# Project Context\n\n## Stack\n\nCTX v1'), once);
    const withTail = `${once}\n## Notes\n\nkeep me\n`;
    assert.equal(withProjectContext(withTail, 'CTX v2'), `# D\n\nx\n\n## Project Context\n\n${B}\nCTX v2\n${E}\n\n## Notes\n\nkeep me\n`);
  });
  it('a Project Context section written by someone else (the BMAD script) is left alone', () => {
    const byScript = '# D\n\n## Project Context\n\nfrom the script\n';
    assert.equal(withProjectContext(byScript, 'CTX'), byScript);
  });
});

describe('deferred-items.md', () => {
  let dir: string;
  beforeEach(async () => (dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sr-deferred-'))));
  afterEach(() => fsp.rm(dir, { recursive: true, force: true }));

  it('creates the file with a header, appends, and never lists the same item of the same step twice (re-run after a crash)', async () => {
    const fs = new NodeFileSystem();
    const file = path.join(dir, 'deferred-items.md');
    const src = { storyIds: ['1-2'], commandLabel: 'code-review-3', batchId: 7 };
    assert.deepEqual(await appendDeferredItems(fs, file, ['Cache invalidation'], src), ['- [ ] Cache invalidation — 1-2, code-review-3, batch 7']);
    assert.deepEqual(await appendDeferredItems(fs, file, ['Cache invalidation', 'Metrics'], src), ['- [ ] Metrics — 1-2, code-review-3, batch 7']);
    assert.equal(
      await fsp.readFile(file, 'utf8'),
      `${DEFERRED_ITEMS_HEADER}- [ ] Cache invalidation — 1-2, code-review-3, batch 7\n- [ ] Metrics — 1-2, code-review-3, batch 7\n`,
    );
    assert.deepEqual((await fsp.readdir(dir)).sort(), ['deferred-items.md'], 'no temp file left behind');
  });

  it('keeps what people wrote in the file', async () => {
    const fs = new NodeFileSystem();
    const file = path.join(dir, 'deferred-items.md');
    await fsp.writeFile(file, '# Mine\n\n- [x] done by hand');
    await appendDeferredItems(fs, file, ['New'], { storyIds: [], commandLabel: 'batch-commit', batchId: 1 });
    assert.equal(await fsp.readFile(file, 'utf8'), '# Mine\n\n- [x] done by hand\n- [ ] New — sprint, batch-commit, batch 1\n');
  });
});
