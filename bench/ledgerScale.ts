// B4: the ledger on a 5,000-story sprint-status.yaml with comments: read (parse) + step-1 selection, and
// one comment-preserving status write (re-read, splice, verify, atomic write). Baselines in the same run:
// a bare `yaml.parse` of the same text, and a bare atomic write of the same bytes.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { StoryStatus } from '../src/core/ledger/LedgerTypes';
import { SprintLedger, parseLedgerText } from '../src/core/ledger/SprintLedger';
import { selectNextStories } from '../src/core/ledger/selectNextStories';
import { NodeFileSystem, writeFileAtomic } from '../src/infra/NodeFileSystem';
import { reportOf, type BenchmarkReport } from './BenchReport';
import { distribution, timeMs } from './BenchStats';

const REAL_LEDGER = path.resolve(__dirname, '..', 'test', 'fixtures', 'bmad', 'sprint-status.real.yaml');

/**
 * A ledger shaped like the real one (its header comments, one comment per epic, long story keys) with
 * `stories` stories in epics of 10; the first `doneFraction` of them are done so selection has to scan.
 */
export function buildLargeLedger(stories: number, doneFraction = 0.9): string {
  const real = readFileSync(REAL_LEDGER, 'utf8');
  const header = real.slice(0, real.indexOf('development_status:'));
  const out: string[] = [header, 'development_status:\n'];
  const perEpic = 10;
  let n = 0;
  for (let e = 1; n < stories; e++) {
    out.push(`  # Epic ${e}: generated epic number ${e} with a descriptive comment\n`);
    out.push(`  epic-${e}: ${n + perEpic <= stories * doneFraction ? 'done' : 'in-progress'}\n`);
    for (let s = 1; s <= perEpic && n < stories; s++, n++) {
      const status = n < stories * doneFraction ? 'done' : 'backlog';
      out.push(`  ${e}-${s}-story-number-${s}-of-epic-${e}-with-a-long-key: ${status}  # note ${n}\n`);
    }
    out.push(`  epic-${e}-retrospective: optional\n\n`);
  }
  return out.join('');
}

export async function benchLedgerScale(reps = 15): Promise<BenchmarkReport> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-ledger-'));
  try {
    const file = path.join(dir, 'sprint-status.yaml');
    const text = buildLargeLedger(5000);
    writeFileSync(file, text);
    const ledger = new SprintLedger(file, new NodeFileSystem());

    // Warm-up (JIT, page cache).
    for (let i = 0; i < 3; i++) {
      selectNextStories(await ledger.read());
      parseYaml(text);
    }

    const readSelect: number[] = [];
    const bareParse: number[] = [];
    const write: number[] = [];
    const bareWrite: number[] = [];
    let storiesSeen = 0;
    const parser = parseLedgerText(file, text).parser;
    let selected: string[] = [];
    for (let i = 0; i < reps; i++) {
      bareParse.push(await timeMs(() => parseYaml(readFileSync(file, 'utf8'))));
      readSelect.push(
        await timeMs(async () => {
          const snap = await ledger.read();
          storiesSeen = snap.stories.length;
          selected = selectNextStories(snap)?.storyKeys ?? [];
        }),
      );
      const key = selected[0];
      const to: StoryStatus = i % 2 === 0 ? 'in-progress' : 'backlog';
      write.push(await timeMs(() => ledger.setStatus(key, to)));
      const current = readFileSync(file, 'utf8');
      bareWrite.push(await timeMs(() => writeFileAtomic(file, current)));
    }
    // The write must have changed exactly one value's bytes.
    const after = readFileSync(file, 'utf8');
    const expected = reps % 2 === 1 ? text.replace(`${selected[0]}: backlog`, `${selected[0]}: in-progress`) : text;
    if (after !== expected) throw new Error('B4: the status writes changed more than the one value');

    const rs = distribution(readSelect);
    const wr = distribution(write);
    return reportOf(
      'B4',
      'ledger with 5,000 stories: parse + select, one status write',
      [
        {
          name: 'parse + select',
          unit: 'ms',
          value: rs,
          baseline: distribution(bareParse),
          baselineName: 'bare yaml.parse',
          ratio: rs.median / distribution(bareParse).median,
          ratioMeaning: 'ours / bare parse (time; lower is better)',
          target: '< 50 ms',
          pass: rs.median < 50,
        },
        {
          name: 'status write',
          unit: 'ms',
          value: wr,
          baseline: distribution(bareWrite),
          baselineName: 'bare atomic write',
          ratio: wr.median / distribution(bareWrite).median,
          ratioMeaning: 'ours / bare atomic write of the same bytes (time; lower is better)',
          target: '< 50 ms',
          pass: wr.median < 50,
        },
      ],
      [
        `${storiesSeen} stories, ${(text.length / 1024).toFixed(0)} KiB, a comment on every story line and epic; 90% done so selection scans; selected ${selected.join(' + ')}.`,
        `Reader: ${parser === 'scan' ? 'the line scanner (fast path)' : "yaml's Document parse (fallback)"}; the baseline is a bare \`yaml.parse\` of the same text (it also checks duplicate keys, quadratically).`,
        'Status write = SprintLedger.setStatus: re-read + scan, splice the value bytes, re-scan the edited line to verify, temp file + fsync + rename. The file is checked byte-for-byte afterwards.',
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
