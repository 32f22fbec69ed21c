import { strict as assert } from 'node:assert';
import { checkPromptTemplate, PROMPT_VARIABLES, PromptTemplateError, renderPrompt, type PromptVariables } from '../../../src/core/prompts/renderPrompt';

const vars = Object.fromEntries(PROMPT_VARIABLES.map((v) => [v, `<${v}>`])) as PromptVariables;

describe('renderPrompt', () => {
  it('substitutes every known variable, spaces inside braces allowed', () => {
    assert.equal(renderPrompt('Story {{story_key}} ({{ story_id }}) in {{implementation_artifacts}}', vars, 'p.md'), 'Story <story_key> (<story_id>) in <implementation_artifacts>');
  });

  it('an unknown variable is an error naming the file, the line, the variable and the fix', () => {
    assert.throws(
      () => checkPromptTemplate('line one\nline two {{story_key}}\nthird {{storyKey}}\n', '/ws/prompts/dev-story.md'),
      (err: unknown) => {
        assert.ok(err instanceof PromptTemplateError);
        assert.equal(err.line, 3);
        assert.equal(err.variable, 'storyKey');
        assert.match(err.message, /^\/ws\/prompts\/dev-story\.md:3: unknown prompt variable \{\{storyKey\}\}\. Known variables: \{\{story_key\}\}.*Fix the spelling or remove it\.$/);
        return true;
      },
    );
  });

  it('single braces and other text are left alone', () => {
    assert.equal(renderPrompt('feat({epic}): {x} {{epic_id}}', vars, 'p.md'), 'feat({epic}): {x} <epic_id>');
  });
});
