import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STEP_COMMANDS } from '../../../src/core/commands';
import { PromptLibrary } from '../../../src/infra/PromptLibrary';
import { SHIPPED_PROMPTS } from '../../support/workflowBuilders';

describe('PromptLibrary', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sr-prompts-'));
  });
  afterEach(() => fsp.rm(dir, { recursive: true, force: true }));

  it('ships a valid prompt for every step command', async () => {
    const lib = new PromptLibrary({ shippedDir: SHIPPED_PROMPTS });
    for (const c of STEP_COMMANDS) {
      const p = await lib.load(c);
      assert.equal(p.path, path.join(SHIPPED_PROMPTS, `${c}.md`));
      assert.ok(p.text.length > 500, c);
    }
  });

  it('the workspace copy overrides the shipped one, per file', async () => {
    await fsp.writeFile(path.join(dir, 'dev-story.md'), 'Custom {{story_key}}');
    const lib = new PromptLibrary({ shippedDir: SHIPPED_PROMPTS, overrideDir: dir });
    assert.deepEqual(await lib.load('dev-story'), { text: 'Custom {{story_key}}', path: path.join(dir, 'dev-story.md') });
    assert.equal((await lib.load('code-review')).path, path.join(SHIPPED_PROMPTS, 'code-review.md'));
  });

  it('an override with an unknown variable fails at load with file and line', async () => {
    await fsp.writeFile(path.join(dir, 'code-review.md'), 'ok\n{{story}}\n');
    const lib = new PromptLibrary({ shippedDir: SHIPPED_PROMPTS, overrideDir: dir });
    await assert.rejects(lib.load('code-review'), new RegExp(`^PromptTemplateError: ${path.join(dir, 'code-review.md').replace(/[/.]/g, '\\$&')}:2: unknown prompt variable \\{\\{story\\}\\}`));
  });

  it('no prompt anywhere: the error lists where it looked', async () => {
    const lib = new PromptLibrary({ shippedDir: path.join(dir, 'none'), overrideDir: dir });
    await assert.rejects(lib.load('batch-commit'), /No prompt for step "batch-commit": looked for .*none\/batch-commit\.md/);
  });
});
