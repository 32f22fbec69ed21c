// The long variant of the kill -9 drill: 20 moments drawn from a seeded generator over the whole run
// (agent steps, ledger writes, database writes), each followed by `resume`. `npm run test:chaos`.
// CHAOS_SEED changes the draw; the moments and what was running at each are recorded in docs/reliability.md.

import { FaultRecorder } from '../slow/faults/support/FaultRecorder';
import { describeDrill, killDrill, referenceRun, type Reference } from '../slow/faults/support/KillDrill';

const rec = new FaultRecorder('Kill -9 anywhere (20 random moments)', 'chaos');
const SEED = Number(process.env.CHAOS_SEED ?? 20261122);

/** mulberry32: a small deterministic generator, so a failing moment can be replayed with its seed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe(`chaos: kill -9 at 20 random moments, then resume (seed ${SEED})`, function () {
  this.timeout(120_000);
  let ref: Reference;
  before(async function () {
    this.timeout(60_000);
    ref = await referenceRun();
  });
  const random = generator(SEED);
  const fractions = Array.from({ length: 20 }, () => 0.02 + random() * 0.96);
  fractions.forEach((fraction, i) => {
    rec.case({
      id: `chaos-kill-${String(i + 1).padStart(2, '0')}`,
      title: `kill -9 at ${(fraction * 100).toFixed(1)}% of the reference run (seed ${SEED}, draw ${i + 1})`,
      expected: 'same final ledger as the uninterrupted run; no finished step re-run; db opens; no event older than 1 s lost; ledger never half-written; no process left',
      run: async () => describeDrill(await killDrill(ref, Math.round(ref.durationMs * fraction))),
    });
  });
});
