import { strict as assert } from 'node:assert';
import { findingsPattern, isRepeatedPattern, normaliseFinding, patternSimilarity } from '../../../src/core/workflow/findingsPattern';
import { parseFindings } from '../../../src/core/workflow/markers';

const p = (text: string) => findingsPattern(parseFindings(text));

describe('findingsPattern (repeated code-review findings, 003 step 4)', () => {
  it('normalises case, spacing, file:line, file:line:col, L12, L12-L14, line 12, #L12', () => {
    const variants = [
      'Missing null check in src/a.ts:12',
      'missing  NULL check in src/a.ts:40:7',
      'Missing null check (line 12) in src/a.ts',
      'Missing null check at L12-L14 in src/a.ts',
      'Missing null check in src/a.ts#L12',
    ];
    const normal = new Set(variants.map((text) => normaliseFinding({ severity: 'HIGH', text }).replace(' at in', ' in')));
    assert.deepEqual([...normal], ['high missing null check in src/a.ts']);
  });

  it('keeps the severity with the text: the same text at another severity is another finding', () => {
    assert.notEqual(normaliseFinding({ severity: 'HIGH', text: 'x' }), normaliseFinding({ severity: 'LOW', text: 'x' }));
  });

  it('a pattern is sorted and de-duplicated, so order of findings does not matter', () => {
    assert.deepEqual(p('- [LOW] b\n- [HIGH] a\n- [LOW] b'), ['high a', 'low b']);
  });

  it('similarity is the Jaccard index; empty patterns are never similar', () => {
    assert.equal(patternSimilarity(['a', 'b'], ['a', 'b']), 1);
    assert.equal(patternSimilarity(['a', 'b'], ['a', 'c']), 1 / 3);
    assert.equal(patternSimilarity(['a', 'b'], ['a']), 0.5);
    assert.equal(patternSimilarity([], []), 0);
  });

  it('repeated: three reviews pairwise ≥ 0.5', () => {
    const r1 = p('- [CRITICAL] src/db.ts:10 SQL injection in search\n- [LOW] typo');
    const r2 = p('- [CRITICAL] src/db.ts:11 SQL injection in search');
    const r3 = p('- [critical] SRC/DB.TS:19 sql injection in search\n- [LOW] Typo');
    assert.equal(isRepeatedPattern([r1, r2, r3]), true);
  });

  it('changing findings are progress, even at the same severity', () => {
    const r1 = p('- [CRITICAL] token in log');
    const r2 = p('- [CRITICAL] missing validation');
    const r3 = p('- [CRITICAL] token in log');
    assert.equal(isRepeatedPattern([r1, r2, r3]), false);
  });

  it('two similar reviews are not enough, and reviews without finding lines never repeat', () => {
    assert.equal(isRepeatedPattern([p('- [HIGH] a'), p('- [HIGH] a')]), false);
    assert.equal(isRepeatedPattern([[], [], []]), false);
  });
});
