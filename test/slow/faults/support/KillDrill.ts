// kill -9 of a CLI run at a chosen moment, then `resume`, checked against an uninterrupted reference run
// of the same sprint: same final ledger, no step that was finished (durable result) at the kill ran again,
// the database opens, no event printed more than 1 s before the kill is missing from it, the ledger was
// never truncated or half-written, and no process of either run is left.

import { strict as assert } from 'node:assert';
import { parseLedgerText } from '../../../../src/core/ledger/SprintLedger';
import type { SprintEvent } from '../../../../src/core/SprintEvents';
import { SqlJsRunStore } from '../../../../src/infra/store/SqlJsRunStore';
import { eventsOfType, FaultWorkspace, waitNoLeftovers, type Scenario } from './FaultWorkspace';

export const KILL_STORIES = { '1-1-first': 'backlog', '1-2-second': 'backlog', '2-1-third': 'backlog' };
export const KILL_SCENARIO: Scenario = { name: 'kill drill', delayMs: [10, 40], rules: [{ command: 'create-story', techSpec: 'SKIP' }] };

export interface Reference {
  ledger: string;
  durationMs: number;
  invocations: number;
}

export async function referenceRun(): Promise<Reference> {
  const ws = await FaultWorkspace.create({ stories: KILL_STORIES, scenario: KILL_SCENARIO });
  try {
    const r = await ws.run(['run', '--cycles', 'all']);
    assert.equal(r.code, 0, `reference run failed: exit ${r.code}\n${r.stderr}`);
    return { ledger: ws.ledgerText(), durationMs: r.durationMs, invocations: eventsOfType(r.events, 'command:start').length };
  } finally {
    await ws.dispose();
  }
}

const eventKey = (e: SprintEvent) =>
  `${e.type}|${e.at}|${'stepKey' in e ? (e.stepKey ?? '') : ''}|${'storyKey' in e ? e.storyKey : ''}|${'row' in e ? `${e.row.taskId}/${e.row.status}/${e.row.message}` : ''}`;

function checkLedgerWhole(text: string, file: string): void {
  const parsed = parseLedgerText(file, text); // throws on a truncated / half-written file
  const keys = parsed.snapshot.stories.map((s) => s.key).sort();
  assert.deepEqual(keys, Object.keys(KILL_STORIES).sort(), 'every story line is still there');
}

export interface DrillOutcome {
  killAtMs: number;
  moment: string;
  finishedAtKill: number;
  rerunSteps: string[];
  checkedEvents: number;
  resumedWith: string;
}

export async function killDrill(ref: Reference, killAtMs: number): Promise<DrillOutcome> {
  const ws = await FaultWorkspace.create({ stories: KILL_STORIES, scenario: KILL_SCENARIO });
  try {
    const first = ws.start(['run', '--cycles', 'all']);
    await new Promise((r) => setTimeout(r, killAtMs));
    const killTime = Date.now();
    first.child.kill('SIGKILL');
    const killed = await first.done;
    const printed = killed.events;

    // What was happening: an agent step without its end, or the engine between steps.
    const open = eventsOfType(printed, 'command:start').filter((s) => !eventsOfType(printed, 'command:end').some((e) => e.stepKey === s.stepKey));
    const moment =
      killed.code === 0
        ? 'after the run had finished'
        : open.length > 0
          ? `during agent step ${open.map((s) => s.stepKey).join(' ∥ ')}`
          : printed.length === 0
            ? 'during start-up (before the first event)'
            : `between steps, after "${printed[printed.length - 1].type}" (engine: ledger / database writes)`;

    checkLedgerWhole(ws.ledgerText(), ws.ledgerPath);

    // The state the kill left: the database must open; its finished steps must never run again.
    let finishedAtKill = new Set<string>();
    const snap = await SqlJsRunStore.open({ stateDir: ws.stateDir, readOnly: true, onWarning: () => undefined }).catch((err: Error) => {
      if (/ENOENT|no such file/i.test(err.message)) return undefined; // killed before the state folder existed
      throw new Error(`the database did not open after kill -9: ${err.message}`);
    });
    if (snap) {
      const batch = await snap.latestBatch();
      if (batch) finishedAtKill = new Set((await snap.listSteps(batch.id)).filter((s) => s.result !== undefined).map((s) => s.stepKey));
      await snap.close();
    }

    let second = await ws.run(['resume']);
    let resumedWith = 'resume';
    if (second.code !== 0 && /Nothing to resume/i.test(second.stderr + second.stdout)) {
      second = await ws.run(['run', '--cycles', 'all']);
      resumedWith = 'run (nothing to resume: killed before the batch was recorded)';
    }
    assert.equal(second.code, 0, `${resumedWith} failed: exit ${second.code}\n${second.stderr}`);

    const rerun = eventsOfType(second.events, 'command:start').filter((s) => finishedAtKill.has(s.stepKey)).map((s) => s.stepKey);
    assert.deepEqual(rerun, [], 'steps finished before the kill were executed again');

    assert.equal(ws.ledgerText(), ref.ledger, 'the final ledger equals the uninterrupted run');
    checkLedgerWhole(ws.ledgerText(), ws.ledgerPath);

    const store = await SqlJsRunStore.open({ stateDir: ws.stateDir, readOnly: true });
    let checkedEvents = 0;
    try {
      const stored = new Set((await store.listEvents({ limit: 1_000_000 })).map((e) => eventKey(e.payload)));
      const mustHave = printed.filter((e) => e.type !== 'command:output' && e.at < killTime - 1000);
      checkedEvents = mustHave.length;
      const missing = mustHave.filter((e) => !stored.has(eventKey(e)));
      assert.deepEqual(missing.map(eventKey), [], 'events printed more than 1 s before the kill are missing from the database');
    } finally {
      await store.close();
    }

    const left = await waitNoLeftovers(ws);
    assert.deepEqual(left, [], `processes left: ${left.map((p) => p.cmdline).join('; ')}`);
    return { killAtMs, moment, finishedAtKill: finishedAtKill.size, rerunSteps: rerun, checkedEvents, resumedWith };
  } finally {
    await ws.dispose();
  }
}

export function describeDrill(o: DrillOutcome): string {
  return `killed at ${o.killAtMs} ms ${o.moment}; ${o.finishedAtKill} steps durable at the kill, none re-run; ${o.resumedWith} → same ledger as the uninterrupted run; ${o.checkedEvents} events older than 1 s all in the db`;
}
