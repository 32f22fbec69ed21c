import { strict as assert } from 'node:assert';
import {
  parseCodeReview,
  parseCriticalIssuesFound,
  parseFindings,
  parseHighestSeverity,
  parseIssueCounts,
  parseTechSpecDecisions,
} from '../../../src/core/workflow/markers';

const pair = [
  { key: '1-2-login-form', shortId: '1-2' },
  { key: '1-3-logout', shortId: '1-3' },
];

describe('markers', () => {
  describe('[CRITICAL-ISSUES-FOUND: YES|NO]', () => {
    it('reads YES / NO, case-insensitively and through Markdown decoration', () => {
      assert.equal(parseCriticalIssuesFound('done\n[CRITICAL-ISSUES-FOUND: NO]'), false);
      assert.equal(parseCriticalIssuesFound('**[critical-issues-found: yes]**'), true);
      assert.equal(parseCriticalIssuesFound('`[CRITICAL-ISSUES-FOUND:NO]`'), false);
    });
    it('the last occurrence wins (agents quote the instructions first)', () => {
      assert.equal(parseCriticalIssuesFound('I must print [CRITICAL-ISSUES-FOUND: YES] or …\nFixed all.\n[CRITICAL-ISSUES-FOUND: NO]'), false);
    });
    it('missing → undefined', () => {
      assert.equal(parseCriticalIssuesFound('all good, no critical issues'), undefined);
    });
  });

  describe('review markers as BMAD workflows print them', () => {
    it('NO CRITICAL ISSUES FOUND is a clean review; CRITICAL ISSUES FOUND: n counts', () => {
      assert.equal(parseCriticalIssuesFound('Validation complete.\n\nNO CRITICAL ISSUES FOUND'), false);
      assert.equal(parseCriticalIssuesFound('**CRITICAL ISSUES FOUND: 2**\n1. AC 3 untestable'), true);
      assert.equal(parseCriticalIssuesFound('CRITICAL ISSUES FOUND: 0'), false);
    });
    it('the last marker wins across forms (a quoted instruction before the answer)', () => {
      assert.equal(parseCriticalIssuesFound('Print [CRITICAL-ISSUES-FOUND: YES] when…\nNo critical issues found.'), false);
      assert.equal(parseCriticalIssuesFound('NO CRITICAL ISSUES FOUND in round 1\nround 2: CRITICAL ISSUES FOUND: 1'), true);
    });
    it('a bare decision without brackets applies to the single story of the cycle', () => {
      const one = [{ key: '1-2-login-form', shortId: '1-2' }];
      assert.deepEqual(parseTechSpecDecisions('Story written.\nTECH-SPEC-DECISION: SKIP', one).decisions, { '1-2-login-form': 'SKIP' });
      assert.deepEqual(parseTechSpecDecisions('Story 1-2: TECH-SPEC-DECISION: REQUIRED', one).decisions, { '1-2-login-form': 'REQUIRED' });
    });
  });

  describe('tech-spec decisions', () => {
    it('one line per story, by short id or full key, case-insensitive', () => {
      const r = parseTechSpecDecisions('Story 1-2: [TECH-SPEC-DECISION: REQUIRED]\nstory 1-3-LOGOUT: [tech-spec-decision: skip]', pair);
      assert.deepEqual(r, { decisions: { '1-2-login-form': 'REQUIRED', '1-3-logout': 'SKIP' }, defaulted: [] });
    });
    it('a bare marker applies to a single story', () => {
      assert.deepEqual(parseTechSpecDecisions('[TECH-SPEC-DECISION: SKIP]', [pair[0]]).decisions, { '1-2-login-form': 'SKIP' });
    });
    it('a bare marker does not apply to a pair: both default to REQUIRED and are reported', () => {
      assert.deepEqual(parseTechSpecDecisions('[TECH-SPEC-DECISION: SKIP]', pair), {
        decisions: { '1-2-login-form': 'REQUIRED', '1-3-logout': 'REQUIRED' },
        defaulted: ['1-2-login-form', '1-3-logout'],
      });
    });
    it('a story id that is a prefix of another does not match it (1-1 vs 1-10)', () => {
      const r = parseTechSpecDecisions('Story 1-10: [TECH-SPEC-DECISION: SKIP]', [{ key: '1-1-a', shortId: '1-1' }]);
      assert.deepEqual(r.defaulted, ['1-1-a']);
    });
    it('Markdown bold around the line still parses', () => {
      assert.deepEqual(parseTechSpecDecisions('- **Story 1-2:** [TECH-SPEC-DECISION: SKIP]', [pair[0]]).decisions, { '1-2-login-form': 'SKIP' });
    });
  });

  describe('code review', () => {
    const report = [
      'Review of 1-2.',
      '- [CRITICAL] src/auth.ts:42 token written to the log',
      '* [HIGH] missing test for expired sessions',
      '1. [low] typo in README',
      'HIGHEST SEVERITY: CRITICAL',
      'Issues: 1 CRITICAL, 1 HIGH, 0 MEDIUM, 1 LOW',
    ].join('\n');

    it('findings lines, severity upper-cased, bullets and numbers accepted', () => {
      assert.deepEqual(parseFindings(report), [
        { severity: 'CRITICAL', text: 'src/auth.ts:42 token written to the log' },
        { severity: 'HIGH', text: 'missing test for expired sessions' },
        { severity: 'LOW', text: 'typo in README' },
      ]);
    });
    it('counts and highest severity', () => {
      assert.deepEqual(parseIssueCounts(report), { critical: 1, high: 1, medium: 0, low: 1 });
      assert.equal(parseHighestSeverity(report), 'CRITICAL');
      assert.equal(parseHighestSeverity('**HIGHEST SEVERITY:** none'), 'NONE');
    });
    it('a report with findings has CRITICAL and is not zero', () => {
      const r = parseCodeReview(report);
      assert.equal(r.hasCritical, true);
      assert.equal(r.zeroIssues, false);
      assert.equal(r.hasMarkers, true);
    });
    it('ZERO ISSUES marker or all-zero counts → zero issues', () => {
      assert.equal(parseCodeReview('ZERO ISSUES').zeroIssues, true);
      assert.equal(parseCodeReview('HIGHEST SEVERITY: NONE\nIssues: 0 CRITICAL, 0 HIGH, 0 MEDIUM, 0 LOW').zeroIssues, true);
    });
    it('ZERO ISSUES contradicted by findings or counts is not zero', () => {
      assert.equal(parseCodeReview('ZERO ISSUES\n- [LOW] nit').zeroIssues, false);
      assert.equal(parseCodeReview('ZERO ISSUES\nIssues: 0 CRITICAL, 1 HIGH, 0 MEDIUM, 0 LOW').zeroIssues, false);
    });
    it('no marker at all → hasMarkers false (the engine counts it as an agent failure)', () => {
      const r = parseCodeReview('I looked at the code and it is fine.');
      assert.equal(r.hasMarkers, false);
    });
    it('no CRITICAL when only HIGH findings', () => {
      assert.equal(parseCodeReview('- [HIGH] a\nHIGHEST SEVERITY: HIGH\nIssues: 0 CRITICAL, 1 HIGH, 0 MEDIUM, 0 LOW').hasCritical, false);
    });
  });
});
