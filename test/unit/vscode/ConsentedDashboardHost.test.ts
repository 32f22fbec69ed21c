// The dashboard's Start, Resume and Resume-story start agents only after the same permission consent the
// palette commands ask for; Pause, Stop, Unblock and opening files never ask.
import { strict as assert } from 'node:assert';
import { Emitter } from '../../../src/core/Emitter';
import type { SprintEvent } from '../../../src/core/SprintEvents';
import type { HostMessage } from '../../../src/shared/dashboardProtocol';
import { CONSENT_NOT_GIVEN, ConsentedDashboardHost } from '../../../src/vscode/dashboard/ConsentedDashboardHost';
import type { DashboardHost } from '../../../src/vscode/dashboard/DashboardHost';
import { DashboardSession } from '../../../src/vscode/dashboard/DashboardSession';
import { STORIES, aLedger } from '../../webview/dashboardScenario';

function recordingHost(calls: string[]): DashboardHost {
  return {
    onDidEmit: new Emitter<SprintEvent>().event,
    onDidChangeLedger: new Emitter<void>().event,
    getRunState: () => 'idle',
    readLedger: async () => aLedger(STORIES),
    getStore: async () => undefined,
    getBudgets: () => ({}),
    startRun: async (cycles) => void calls.push(`startRun ${cycles}`),
    pause: async () => void calls.push('pause'),
    startResume: async () => void calls.push('resume'),
    stop: async () => void calls.push('stop'),
    startStoryResume: async (k) => void calls.push(`resumeStory ${k}`),
    unblockStory: async (k) => void calls.push(`unblockStory ${k}`),
    openStory: async (k) => void calls.push(`openStory ${k}`),
    openLog: async (p) => void calls.push(`openLog ${p}`),
  };
}

function dashboard(answer: boolean) {
  const calls: string[] = [];
  const posted: HostMessage[] = [];
  let asked = 0;
  const host = new ConsentedDashboardHost(recordingHost(calls), async () => {
    asked++;
    return answer;
  });
  const session = new DashboardSession({ host, post: (m) => posted.push(m), writeClipboard: async () => undefined, report: () => undefined });
  return { calls, posted, session, asked: () => asked };
}

const blocked = STORIES[5].key;

describe('dashboard controls and the permission consent', () => {
  it('starts nothing from Start, Resume or Resume story when the consent is refused, and says why', async () => {
    const d = dashboard(false);
    await d.session.receive({ type: 'startRun', cycles: 2 });
    await d.session.receive({ type: 'resume' });
    await d.session.receive({ type: 'resumeStory', storyKey: blocked });
    assert.deepEqual(d.calls, [], 'no agent started');
    assert.equal(d.asked(), 3, 'each control asked');
    const failures = d.posted.filter((m) => m.type === 'actionFailed');
    assert.deepEqual(failures.map((m) => m.type === 'actionFailed' && m.action), ['startRun', 'resume', 'resumeStory']);
    for (const f of failures) assert.equal(f.type === 'actionFailed' && f.message, CONSENT_NOT_GIVEN);
  });

  it('runs them once the consent is given', async () => {
    const d = dashboard(true);
    await d.session.receive({ type: 'startRun', cycles: 'all' });
    await d.session.receive({ type: 'resume' });
    await d.session.receive({ type: 'resumeStory', storyKey: blocked });
    assert.deepEqual(d.calls, ['startRun all', 'resume', `resumeStory ${blocked}`]);
    assert.equal(d.posted.filter((m) => m.type === 'actionFailed').length, 0);
  });

  it('never asks for Pause, Stop, Unblock or opening a story', async () => {
    const d = dashboard(false);
    await d.session.receive({ type: 'pause' });
    await d.session.receive({ type: 'stop' });
    await d.session.receive({ type: 'unblockStory', storyKey: blocked });
    await d.session.receive({ type: 'openStory', storyKey: blocked });
    assert.deepEqual(d.calls, ['pause', 'stop', `unblockStory ${blocked}`, `openStory ${blocked}`]);
    assert.equal(d.asked(), 0);
  });
});
