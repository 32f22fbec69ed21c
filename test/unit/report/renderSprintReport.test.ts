import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { renderSprintReport, type ReportStory, type SprintReportInput } from '../../../src/core/report/renderSprintReport';

const GOLDEN = path.join(__dirname, 'golden', 'sprint-report.md');

function aStory(over: Partial<ReportStory> & Pick<ReportStory, 'key'>): ReportStory {
  const [epic, n] = over.key.split('-');
  return {
    shortId: `${epic}-${n}`,
    epicId: epic,
    status: 'done',
    commits: [],
    reviews: [],
    gates: [],
    usage: { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 0 },
    deferred: [],
    ...over,
  };
}

const input: SprintReportInput = {
  runId: 'run-2026-01-24',
  batchId: 3,
  startedAt: Date.UTC(2026, 0, 24, 9, 0, 0),
  endedAt: Date.UTC(2026, 0, 24, 11, 12, 30),
  status: 'completed',
  cyclesCompleted: 1,
  notes: ['Batch commit verification: commit abc changes no files | fixed by re-run'],
  stories: [
    aStory({
      key: '3a-1-login-form',
      commits: [{ sha: '0123456789abcdef0123456789abcdef01234567', subject: 'feat(3a): implement stories 3a-1,3a-2', check: 'verified' }],
      reviews: [
        { command: 'story-review', attempt: 1, result: 'no critical issues' },
        { command: 'code-review', attempt: 1, result: '2 issues (0 critical)' },
        { command: 'code-review', attempt: 2, result: 'zero issues' },
      ],
      gates: [
        { name: 'npm test', ok: true, exitCode: 0, durationMs: 42_000 },
        { name: 'npm run lint', ok: true, exitCode: 0, durationMs: 8_000 },
      ],
      usage: { inputTokens: 12_000, outputTokens: 34_567, cacheCreationInputTokens: 100_000, cacheReadInputTokens: 1_234_567, costUsd: 3.456 },
      deferred: ['Add rate limiting to /login', 'Use `bcrypt` cost 12 | later'],
      lane: { branch: 'story/run-2026-01-24/3a-1-login-form', outcome: 'merged (fast-forward)' },
    }),
    aStory({
      key: '3a-2-logout',
      commits: [{ sha: '0123456789abcdef0123456789abcdef01234567', subject: 'feat(3a): implement stories 3a-1,3a-2', check: 'verified' }],
      reviews: [{ command: 'code-review', attempt: 1, result: 'zero issues' }],
      usage: { inputTokens: 1_000, outputTokens: 2_000, cacheCreationInputTokens: 0, cacheReadInputTokens: 50_000, costUsd: 0.5 },
    }),
    aStory({
      key: '4-1-search',
      status: 'blocked',
      blockReason: 'merge conflict in src/search.ts\nsrc/index.ts',
      gates: [{ name: 'npm test', ok: false, exitCode: 1, durationMs: 61_000 }, { name: 'e2e', ok: false, exitCode: null, durationMs: 600_000, timedOut: true }],
      reviews: [{ command: 'code-review', attempt: 1, result: 'failed gate counted as a failed review' }],
      usage: { inputTokens: 500, outputTokens: 700, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 0.04 },
    }),
  ],
};

describe('renderSprintReport', () => {
  it('matches the golden report', () => {
    const text = renderSprintReport(input);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
    assert.equal(text, readFileSync(GOLDEN, 'utf8'));
  });

  it('totals tokens and cost over stories and escapes Markdown from agents', () => {
    const text = renderSprintReport(input);
    assert.match(text, /- Tokens: 1,435,334; cost: \$4\.00/);
    assert.match(text, /- 3a-1-login-form: Use \\`bcrypt\\` cost 12 \\\| later/);
    assert.match(text, /\*\*4-1-search\*\*: merge conflict in src\/search\.ts src\/index\.ts/);
  });

  it('renders an empty batch', () => {
    const text = renderSprintReport({ ...input, stories: [], notes: [] });
    assert.match(text, /No stories were worked on in this batch\./);
    assert.match(text, /## Deferred items\n\nNone\.\n$/);
  });
});
