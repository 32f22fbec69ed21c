// Not a benchmark (that is `npm run bench`): a quick look at ingest figures on this machine,
// printed for the benchmark engineer, with the events' arrival checked.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SqlJsRunStore } from '../../../../src/infra/store/SqlJsRunStore';
import { loadSqlJs } from '../../../../src/infra/store/sqlJsLoader';
import { RunDatabase } from '../../../../src/infra/store/RunDatabase';
import { aProgressEvent, removeDir, runOptions, tempStateDir } from '../../../unit/infra/store/storeBuilders';

describe('SqlJsRunStore ingest figures (printed)', function () {
  this.timeout(120_000);

  it('ingests 10k then 100k progress events off the event loop', async () => {
    const dir = tempStateDir('tp');
    const store = await SqlJsRunStore.open({ stateDir: dir });
    try {
      const batch = await store.createBatch({ runId: 'tp', startedAt: 1, options: runOptions() });
      let appended = 0;
      for (const n of [10_000, 100_000]) {
        const delay = monitorEventLoopDelay({ resolution: 5 });
        delay.enable();
        let mainMs = 0;
        const t0 = performance.now();
        await new Promise<void>((resolve) => {
          let i = 0;
          const burst = (): void => {
            const s = performance.now();
            for (let k = 0; k < 500 && i < n; k++, i++) store.appendEvent(aProgressEvent(appended + i, { batchId: batch.id, at: Date.now() }));
            mainMs += performance.now() - s;
            if (i < n) setImmediate(burst);
            else resolve();
          };
          burst();
        });
        const appendedMs = performance.now() - t0;
        appended += n;
        const stored = await store.listEvents({ batchId: batch.id, afterId: appended - 1 });
        const ingestMs = performance.now() - t0;
        const c0 = performance.now();
        await store.checkpoint();
        const checkpointMs = performance.now() - c0;
        delay.disable();
        assert.equal(stored.length, 1, `event ${appended} is stored`);
        const size = fs.statSync(path.join(dir, 'sprint-runner.db')).size;
        console.log(
          `      ${n} events: ${Math.round(n / (ingestMs / 1000))}/s stored (appends took ${appendedMs.toFixed(0)} ms), ` +
            `main thread ${((mainMs * 1000) / n).toFixed(1)} µs/event, max event-loop delay ${(delay.max / 1e6).toFixed(1)} ms, ` +
            `checkpoint (worker) ${checkpointMs.toFixed(0)} ms for ${(size / 1e6).toFixed(1)} MB`,
        );
      }
      // What a checkpoint would block if the database lived on the main thread.
      const SQL = await loadSqlJs();
      const db = RunDatabase.fromBytes(SQL, fs.readFileSync(path.join(dir, 'sprint-runner.db')));
      const e0 = performance.now();
      const bytes = db.export();
      console.log(`      db.export() of ${appended} events (${(bytes.length / 1e6).toFixed(1)} MB) on this thread: ${(performance.now() - e0).toFixed(0)} ms`);
      db.close();
      assert.equal((await store.costs({ batchId: batch.id })).commands, 0);
    } finally {
      await store.close();
      removeDir(dir);
    }
  });
});
