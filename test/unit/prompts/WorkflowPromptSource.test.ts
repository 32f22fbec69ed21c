// The prompt a step sends when BMAD has its workflow installed: first line `/<name> <story keys>` (the only
// place the CLI expands a command), the runner's contract after it; runner prompts otherwise.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { BmadInstall, BmadSlashEntry } from '../../../src/core/bmad/BmadInstall';
import { mapWorkflows } from '../../../src/core/bmad/mapWorkflows';
import { renderPrompt } from '../../../src/core/prompts/renderPrompt';
import { invokedWorkflow, WorkflowPromptSource } from '../../../src/core/prompts/WorkflowPromptSource';
import { PromptLibrary } from '../../../src/infra/PromptLibrary';

const shipped = new PromptLibrary({ shippedDir: path.resolve(__dirname, '../../../prompts') });

function installOf(generation: BmadInstall['generation'], names: string[]): BmadInstall {
  const entries: BmadSlashEntry[] = names.map((name) => ({ name, kind: 'skill', scope: 'project', file: `/ws/.claude/skills/${name}/SKILL.md`, claudeLoads: true }));
  return { generation, entries, byName: new Map(entries.map((e) => [e.name, e])) };
}

const vars = {
  story_key: '2a-1-session-scanner', story_keys: '2a-1-session-scanner', story_id: '2a-1', story_ids: '2a-1', epic_id: '2a',
  implementation_artifacts: '/ws/impl', planning_artifacts: '/ws/plan', review_attempt: '1', command: 'x', tech_spec_needed: 'false',
  tech_spec_decisions: '', completed_story_ids: '2a-1', project_context_file: '/ws/plan/project-context.md', quality_gates: '', human_review: '', ledger_file: '/ws/impl/sprint-status.yaml',
  found_status: '', diagnosed_phase: '', expected_statuses: '',
};

describe('WorkflowPromptSource', () => {
  const source = new WorkflowPromptSource(shipped, mapWorkflows(installOf('6.12', ['bmad-create-story', 'bmad-dev-story', 'bmad-code-review'])));

  it('an installed workflow is the first line, with the story keys; the contract follows', async () => {
    const p = await source.load('dev-story');
    const text = renderPrompt(p.text, { ...vars, command: 'dev-story' }, p.path);
    assert.equal(text.split('\n')[0], '/bmad-dev-story 2a-1-session-scanner');
    assert.equal(invokedWorkflow(text), 'bmad-dev-story');
    assert.match(text, /^# dev-story — implement story 2a-1/m);
    assert.match(text, /The BMAD workflow `\/bmad-dev-story` is loaded above/);
    assert.doesNotMatch(text, /bmad:bmm:workflows/);
    assert.match(text, /^DEFERRED: <what, and why it was deferred>$/m);
    assert.match(text, /In the sprint status file `\/ws\/impl\/sprint-status\.yaml`/);
  });

  it('a step without a workflow keeps the runner prompt and says so; other workflows it names are rewritten', async () => {
    const commit = await source.load('batch-commit');
    assert.equal(invokedWorkflow(commit.text), undefined);
    assert.match(commit.text, /^# \{\{command\}\}/);
    assert.match(commit.text, /No BMAD workflow is installed for this step \(no BMAD version has a batch-commit workflow\)/);
    const review = await source.load('story-review');
    assert.equal(invokedWorkflow(review.text), undefined);
    assert.match(review.text, /`\/bmad-create-story` \(its instructions: `\/ws\/\.claude\/skills\/bmad-create-story\/SKILL\.md`\)/);
  });

  it('the project context has no arguments; nothing installed = the prompts as shipped, minus the dead workflow name', async () => {
    const ctx = await new WorkflowPromptSource(shipped, mapWorkflows(installOf('6.2+', ['bmad-generate-project-context', 'bmad-create-story', 'bmad-dev-story', 'bmad-code-review']))).load('generate-project-context');
    assert.equal(ctx.text.split('\n')[0], '/bmad-generate-project-context');
    const none = new WorkflowPromptSource(shipped, mapWorkflows(installOf('none', [])));
    const p = await none.load('create-story');
    assert.match(p.text, /^# \{\{command\}\}/);
    assert.match(p.text, /No BMAD workflow is installed for this step \(no BMAD install found\)/);
  });
});
