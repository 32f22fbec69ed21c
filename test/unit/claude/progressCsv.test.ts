import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { extractProgressRows, formatProgressLine, parseProgressLine, splitCsvRecord } from '../../../src/core/claude/progressCsv';
import { fixturePath } from '../../support/fixtures';

const REAL_CSV = fixturePath('bmad', 'sprint-runner.csv');

describe('progress CSV lines', () => {
  it('replaying the real sprint-runner.csv reproduces every row, in order, with its message', () => {
    const text = readFileSync(REAL_CSV, 'utf8');
    const lines = text.split('\n').filter((l) => l !== '');
    const rows = extractProgressRows(text);
    assert.equal(rows.length, lines.length);
    assert.equal(rows.length, 151); // the spec README says "150"; the file holds 151 distinct lines
    assert.deepEqual(rows[0], {
      timestamp: 1769210247, epicId: '4', storyId: '4-1', command: 'create-story', taskId: 'setup', status: 'start',
      message: 'Initializing story creation for 4-1',
    });
    const withComma = rows.find((r) => r.timestamp === 1769210272);
    assert.equal(withComma?.message, 'Context loaded from epics, architecture, sprint-status');
    // Round trip: formatting each row gives back the exact line the helper printed.
    assert.deepEqual(rows.map(formatProgressLine), lines);
    const commands = new Set(rows.map((r) => r.command));
    assert.deepEqual([...commands].sort(), ['code-review-1', 'code-review-2', 'code-review-3', 'create-story', 'create-tech-spec', 'dev-story', 'story-discovery', 'story-review-1', 'tech-spec-review-1']);
  });

  it('finds several lines in one tool result among stderr and other output, 6- and 7-column forms', () => {
    // The content of cli-2.1.330/bash-multiline: three 6-column lines and a merged stderr line.
    const content = '1769210247,4,4-1,create-story,setup,start\n1769210248,4,4-1,create-story,setup,progress\nwarn: to stderr\n1769210249,4,4-1,create-story,setup,end';
    const rows = extractProgressRows(content);
    assert.deepEqual(rows.map((r) => [r.timestamp, r.status, r.message]), [[1769210247, 'start', ''], [1769210248, 'progress', ''], [1769210249, 'end', '']]);
    const mixed = 'npm test\r\n1769210300,2a,2a-1,dev-story,tests,end,"Tests complete (tests:12 passed)"\r\n12 passing\r\n';
    assert.deepEqual(extractProgressRows(mixed).map((r) => r.message), ['Tests complete (tests:12 passed)']);
  });

  it('handles RFC 4180 quotes and ignores lines that only look like CSV', () => {
    assert.deepEqual(splitCsvRecord('a,"b ""quoted"", c",d'), ['a', 'b "quoted", c', 'd']);
    assert.equal(splitCsvRecord('a,"unterminated'), undefined);
    assert.equal(parseProgressLine('1769210247,4,4-1,create-story,setup,start,"msg",extra'), undefined);
    assert.equal(parseProgressLine('12,4,4-1,create-story,setup,start'), undefined);
    assert.equal(parseProgressLine('1769210247,4,4-1,create story,setup,start'), undefined);
    assert.equal(parseProgressLine('Exit code 3'), undefined);
    assert.equal(parseProgressLine('1769210247,4,4-1,code-review-2,fix,end,"Fixed ""null"" check (issues:2)"')?.message, 'Fixed "null" check (issues:2)');
  });
});
