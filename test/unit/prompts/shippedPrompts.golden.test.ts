// Golden test of the shipped prompts as the engine renders them for a sample story: every variable
// substituted, the BMAD workflow named, the files and status moves spelled out, the logging helper with
// the task ids of test/fixtures/bmad/task-taxonomy.yaml (copied to test/support), DEFERRED lines
// and the exact markers the engine parses.

import { strict as assert } from 'node:assert';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { StepCommand } from '../../../src/core/commands';
import { aRunner, aStore, aWorkspace, type TestWorkspace } from '../../support/workflowBuilders';
import type { Invocation } from '../../support/ScriptedAgent';

const TAXONOMY_FILE = path.resolve(__dirname, '../../support/task-taxonomy.yaml');
const TAXONOMY_KEY: Record<StepCommand, string | undefined> = {
  'generate-project-context': undefined,
  'create-story': 'sprint-create-story',
  'create-story-discovery': 'sprint-create-story-discovery',
  'story-review': 'sprint-story-review',
  'create-tech-spec': 'sprint-create-tech-spec',
  'tech-spec-review': 'sprint-tech-spec-review',
  'dev-story': 'sprint-dev-story',
  'code-review': 'sprint-code-review',
  'batch-commit': 'sprint-commit',
  'sprint-status-diagnosis': undefined,
};

const WORKFLOW: Record<StepCommand, string> = {
  'generate-project-context': '/bmad:bmm:workflows:generate-project-context',
  'create-story': '/bmad:bmm:workflows:create-story <story_key>',
  'create-story-discovery': '/bmad:bmm:workflows:create-story',
  'story-review': '/bmad:bmm:workflows:create-story 2a-1-session-scanner',
  'create-tech-spec': '/bmad:bmm:workflows:create-tech-spec 2a-1-session-scanner',
  'tech-spec-review': '/bmad:bmm:workflows:create-tech-spec 2a-1-session-scanner',
  'dev-story': '/bmad:bmm:workflows:dev-story 2a-1-session-scanner',
  'code-review': '/bmad:bmm:workflows:code-review 2a-1-session-scanner',
  'batch-commit': '/bmad:bmm:workflows:batch-commit',
  'sprint-status-diagnosis': '/bmad:bmm:workflows:sprint-status-diagnosis 2a-1-session-scanner',
};

describe('shipped prompts rendered for a sample story (golden)', () => {
  let ws: TestWorkspace;
  let prompts: Map<string, Invocation>;
  let taxonomy: Record<string, { task_ids: string[] }>;

  before(async () => {
    taxonomy = (parse(await fsp.readFile(TAXONOMY_FILE, 'utf8')) as { command_mappings: Record<string, { task_ids: string[] }> }).command_mappings;
    ws = await aWorkspace({ stories: { '2a-1-session-scanner': 'backlog' }, contextAgeHours: 'missing' });
    const t = aRunner(ws, { store: await aStore(),
      script: {
        'create-story': { output: '[TECH-SPEC-DECISION: REQUIRED]' },
        'story-review 2a-1 a1': { output: '[CRITICAL-ISSUES-FOUND: YES]' },
        'code-review 2a-1 a1': { output: '- [HIGH] x\nHIGHEST SEVERITY: HIGH' },
        // dev-story marks the story done itself: the code review finds it "done" and has it diagnosed.
        'dev-story': { setStatus: { '2a-1-session-scanner': 'done' } },
        'sprint-status-diagnosis': { output: '[DIAGNOSIS: CONTINUE-AS review]' },
      },
    });
    await t.runner.run({ cycles: 1 });
    prompts = new Map();
    for (const i of t.agent.invocations) prompts.set(`${i.command}#${i.attempt}`, i);
  });
  after(() => ws.dispose());

  const art = () => ws.layout.implementationArtifacts;
  const render = (c: StepCommand, attempt = 1) => {
    const inv = prompts.get(`${c}#${attempt}`);
    assert.ok(inv, `${c} attempt ${attempt} was invoked`);
    return inv.prompt;
  };

  it('every command was invoked and every variable substituted', () => {
    assert.equal(new Set([...prompts.values()].map((i) => i.command)).size, 10);
    for (const [k, inv] of prompts) {
      assert.doesNotMatch(inv.prompt, /\{\{|\}\}/, k);
      assert.match(inv.prompt, /AUTONOMOUS MODE/, k);
      assert.match(inv.prompt, /Never ask for approval, confirmation or input/, k);
      assert.match(inv.prompt, /always choose to review first/, k);
      assert.match(inv.prompt, /^DEFERRED: <what, and why it was deferred>$/m, k);
    }
  });

  for (const command of Object.keys(WORKFLOW) as StepCommand[]) {
    it(`${command}: names its BMAD workflow, logs with the taxonomy's task ids`, () => {
      const text = render(command);
      assert.ok(text.includes(WORKFLOW[command]), `${command} runs ${WORKFLOW[command]}`);
      assert.match(text, /sh "\$SPRINT_RUNNER_LOG"( --story (<story_id>|2a-1))? <task-id> <start\|end> "<message>"/);
      const key = TAXONOMY_KEY[command];
      const listed = /Task ids[^:]*: ((?:`[a-z]+`(?:, )?)+)/.exec(text);
      assert.ok(listed, `${command} lists its task ids`);
      const ids = [...listed[1].matchAll(/`([a-z]+)`/g)].map((m) => m[1]);
      if (key) assert.deepEqual(ids, taxonomy[key].task_ids, `${command} task ids = taxonomy ${key}`);
      else for (const id of ids) assert.ok(Object.values(taxonomy).some((t) => t.task_ids.includes(id)), `${id} is a taxonomy id`);
    });
  }

  it('create-story: both keys of the cycle, the story file, backlog → ready-for-dev, per-story decision lines', () => {
    const text = render('create-story');
    assert.match(text, /^# create-story — create story files for 2a-1 \(epic 2a\)$/m);
    assert.ok(text.includes(`\`${art()}/<story_key>.md\``));
    assert.match(text, /from `backlog` to `ready-for-dev`/);
    assert.ok(text.includes(`In the sprint status file \`${ws.layout.ledgerPath}\``), 'the ledger in use is named');
    assert.match(text, /^Story <story_id>: \[TECH-SPEC-DECISION: REQUIRED\]$/m);
    assert.match(text, /^Story <story_id>: \[TECH-SPEC-DECISION: SKIP\]$/m);
  });

  it('create-story-discovery: the discovery file, no status move, does not read the project context', () => {
    const text = render('create-story-discovery');
    assert.ok(text.includes(`\`${art()}/<story_key>-discovery-story.md\``));
    assert.match(text, /Never edit the sprint status file/);
    assert.ok(text.includes(`Do NOT read \`${ws.layout.projectContextPath}\``));
  });

  it('story-review and tech-spec-review: attempt in the title and {{command}}, CRITICAL-ISSUES-FOUND marker', () => {
    assert.match(render('story-review', 2), /^# story-review-2 — review story 2a-1 \(review 2\)$/m);
    for (const c of ['story-review', 'tech-spec-review'] as const) {
      const text = render(c);
      assert.match(text, /^\[CRITICAL-ISSUES-FOUND: YES\]\n\[CRITICAL-ISSUES-FOUND: NO\]$/m);
    }
    assert.ok(render('tech-spec-review').includes(`${art()}/tech-spec-2a-1-session-scanner.md`));
    assert.match(render('tech-spec-review'), /- 2a-1: REQUIRED/);
  });

  it('create-tech-spec: the tech spec file and the decisions map', () => {
    const text = render('create-tech-spec');
    assert.ok(text.includes(`\`${art()}/tech-spec-2a-1-session-scanner.md\``));
    assert.match(text, /tech spec needed: true\):\n- 2a-1: REQUIRED\n/);
  });

  it('dev-story: ready-for-dev → in-progress → review, tests, no commit', () => {
    const text = render('dev-story');
    assert.match(text, /`ready-for-dev` → `in-progress` when you start, `in-progress` → `review`/);
    assert.ok(text.includes(`In the sprint status file \`${ws.layout.ledgerPath}\``), 'the ledger in use is named');
    assert.match(text, /Do not commit/);
  });

  it('code-review: findings lines, HIGHEST SEVERITY, Issues counts, ZERO ISSUES; the attempt is in the title', () => {
    const text = render('code-review', 2);
    assert.match(text, /^# code-review-2 — adversarial code review of 2a-1 \(review 2\)$/m);
    assert.match(text, /^- \[CRITICAL\] <file>:<line> <what is wrong>$/m);
    assert.match(text, /^HIGHEST SEVERITY: CRITICAL\|HIGH\|MEDIUM\|LOW\|NONE$/m);
    assert.match(text, /^Issues: <n> CRITICAL, <n> HIGH, <n> MEDIUM, <n> LOW$/m);
    assert.match(text, /print `ZERO ISSUES` on its own line/);
    assert.match(text, /Do not edit its status/);
  });

  it('sprint-status-diagnosis: the status found, the phase and what it expected, no file changes, the DIAGNOSIS markers', () => {
    const text = render('sprint-status-diagnosis');
    assert.match(text, /^# sprint-status-diagnosis — diagnose story 2a-1, found in status "done"$/m);
    assert.match(text, /start the code-review phase of story `2a-1-session-scanner` .* found it in the status `done` .* expects "review"/);
    assert.match(text, /^\[DIAGNOSIS: CONTINUE-AS <backlog\|ready-for-dev\|in-progress\|review>\]\n\[DIAGNOSIS: BLOCK <reason in one sentence>\]$/m);
    assert.match(text, /Do not edit the sprint status file/);
  });

  it('batch-commit: completed story ids, epic, the commit message format of 003', () => {
    const text = render('batch-commit');
    assert.match(text, /- story_ids: 2a-1\n/);
    assert.match(text, /- epic_id: 2a\n/);
    assert.match(text, /`feat\(2a\): implement stories 2a-1`/);
  });

  it('generate-project-context: writes the project context path', () => {
    assert.ok(render('generate-project-context').includes(`- \`${ws.layout.projectContextPath}\` (replace it entirely)`));
  });
});
