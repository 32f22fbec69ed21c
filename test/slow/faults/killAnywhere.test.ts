// kill -9 of a multi-cycle CLI run at 3 fixed moments (the 20 random ones are in test/chaos).

import { FaultRecorder } from './support/FaultRecorder';
import { describeDrill, killDrill, referenceRun, type Reference } from './support/KillDrill';

const rec = new FaultRecorder('Kill -9 anywhere');

describe('fault injection: kill -9 during a CLI run, then resume', function () {
  this.timeout(90_000);
  let ref: Reference;
  before(async function () {
    this.timeout(60_000);
    ref = await referenceRun();
  });

  for (const fraction of [0.15, 0.45, 0.8]) {
    rec.case({
      id: `kill-at-${Math.round(fraction * 100)}pct`,
      title: `kill -9 at ${Math.round(fraction * 100)}% of an uninterrupted run's duration (3 stories, 2 cycles)`,
      expected:
        'resume ends with the same ledger as an uninterrupted run; no finished step runs twice; the db opens; no event older than 1 s before the kill is missing; the ledger is never truncated; no process left',
      run: async () => describeDrill(await killDrill(ref, Math.round(ref.durationMs * fraction))),
    });
  }
});
