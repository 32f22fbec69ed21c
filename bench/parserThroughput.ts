// B1: stream-json parsing + event extraction throughput on a 50 MB transcript built from the real CLI
// fixture lines, against a bare `split('\n')` + `JSON.parse` loop over the same bytes.
// Our side gets the bytes the way a pipe delivers them (64 KiB chunks) and does what the Claude agent
// does per line: line reader → parser → run transcript → progress rows out of tool results.

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ClaudeRunTranscript } from '../src/core/claude/ClaudeRunTranscript';
import { ClaudeStreamParser } from '../src/core/claude/ClaudeStreamParser';
import { StreamLineReader } from '../src/core/claude/StreamLineReader';
import { extractProgressRows } from '../src/core/claude/progressCsv';
import { reportOf, type BenchmarkReport } from './BenchReport';
import { collectGarbage, distribution, timeMs } from './BenchStats';

export const FIXTURE_DIR = path.resolve(__dirname, '..', 'test', 'fixtures', 'claude-stream-json');
const TARGET_BYTES = 50 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** Every line of every real transcript, in file order. */
export function fixtureLines(dir = FIXTURE_DIR): string[] {
  const lines: string[] = [];
  for (const version of readdirSync(dir).filter((d) => d.startsWith('cli-')).sort()) {
    for (const f of readdirSync(path.join(dir, version)).filter((n) => n.endsWith('.ndjson')).sort()) {
      for (const l of readFileSync(path.join(dir, version, f), 'utf8').split('\n')) if (l.trim()) lines.push(l);
    }
  }
  return lines;
}

export function buildTranscript(bytes = TARGET_BYTES): Buffer {
  const block = `${fixtureLines().join('\n')}\n`;
  const copies = Math.ceil(bytes / Buffer.byteLength(block));
  return Buffer.from(block.repeat(copies));
}

interface PipelineCounts {
  lines: number;
  events: number;
  progressRows: number;
}

function runPipeline(buf: Buffer): PipelineCounts {
  const reader = new StreamLineReader();
  const parser = new ClaudeStreamParser();
  // A transcript per run would be reset per process; one per 50 MB keeps the accumulation honest.
  const transcript = new ClaudeRunTranscript();
  const counts: PipelineCounts = { lines: 0, events: 0, progressRows: 0 };
  const handle = (lines: string[]) => {
    for (const line of lines) {
      counts.lines++;
      for (const ev of parser.parseLine(line)) {
        counts.events++;
        transcript.add(ev);
        if (ev.kind === 'tool-result') counts.progressRows += extractProgressRows(ev.content).length;
      }
    }
  };
  for (let off = 0; off < buf.length; off += CHUNK) handle(reader.push(buf.subarray(off, Math.min(off + CHUNK, buf.length))));
  handle(reader.end());
  return counts;
}

function runBareLoop(buf: Buffer): number {
  let parsed = 0;
  for (const line of buf.toString('utf8').split('\n')) {
    if (line.length === 0) continue;
    JSON.parse(line);
    parsed++;
  }
  return parsed;
}

export async function benchParserThroughput(reps = 7): Promise<BenchmarkReport> {
  const buf = buildTranscript();
  const mb = buf.length / (1024 * 1024);
  // Warm both paths so the JIT has compiled them before anything is timed.
  const warm = buf.subarray(0, 4 * 1024 * 1024);
  runPipeline(warm.subarray(0, warm.lastIndexOf(10) + 1));
  runBareLoop(warm.subarray(0, warm.lastIndexOf(10) + 1));

  const ours: number[] = [];
  const bare: number[] = [];
  const paired: number[] = [];
  let counts: PipelineCounts | undefined;
  let bareLines = 0;
  for (let i = 0; i < reps; i++) {
    collectGarbage();
    const tb = await timeMs(() => {
      bareLines = runBareLoop(buf);
    });
    collectGarbage();
    const to = await timeMs(() => {
      counts = runPipeline(buf);
    });
    bare.push(mb / (tb / 1000));
    ours.push(mb / (to / 1000));
    paired.push(tb / to);
  }
  const ratio = distribution(paired).median;
  if (!counts || counts.lines !== bareLines) {
    throw new Error(`B1: the pipeline saw ${counts?.lines} lines, the bare loop ${bareLines}: not the same input`);
  }
  return reportOf(
    'B1',
    'stream-json parsing + event extraction throughput',
    [
      {
        name: 'parser throughput',
        unit: 'MB/s',
        value: distribution(ours),
        baseline: distribution(bare),
        baselineName: "split('\\n')+JSON.parse",
        ratio,
        ratioMeaning: 'our throughput / bare loop throughput (median of paired runs)',
        target: '≥ 0.8× bare',
        pass: ratio >= 0.8,
      },
    ],
    [
      `${mb.toFixed(1)} MB built from ${fixtureLines().length} real CLI lines (2.1.197 + 2.1.330), ${counts.lines} lines, ${counts.events} events, ${counts.progressRows} progress rows per pass.`,
      'Ours: 64 KiB chunks → StreamLineReader → ClaudeStreamParser → ClaudeRunTranscript, and extractProgressRows on every tool result. The bare loop decodes the whole buffer at once.',
    ],
  );
}
