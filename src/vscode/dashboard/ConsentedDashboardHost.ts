// The dashboard's Start / Resume / Resume-story start agents just like the palette commands, so they go
// through the same one-time permission consent first (and, in a multi-root workspace, the folder
// choice). Everything else passes through unchanged. No `vscode` here: the gate is a function.

import type { DashboardHost } from './DashboardHost';

/** Refused consent: the webview shows this as the action's failure. */
export const CONSENT_NOT_GIVEN =
  'Not started: Sprint Runner asks once per workspace before agents run with your permission settings, and that was not answered with "Run".';

export class ConsentedDashboardHost implements DashboardHost {
  constructor(
    private readonly inner: DashboardHost,
    /** Asks when needed; true when agents may start (PermissionConsent.ensure after the folder choice). */
    private readonly ensureConsent: () => Promise<boolean>,
  ) {}

  get onDidEmit() {
    return this.inner.onDidEmit;
  }
  get onDidChangeLedger() {
    return this.inner.onDidChangeLedger;
  }
  get onDidChangeSettings() {
    return this.inner.onDidChangeSettings;
  }
  getRunState() {
    return this.inner.getRunState();
  }
  readLedger() {
    return this.inner.readLedger();
  }
  getStore() {
    return this.inner.getStore();
  }
  getBudgets() {
    return this.inner.getBudgets();
  }
  getMaxParallel() {
    return this.inner.getMaxParallel?.() ?? 1;
  }

  private async consented(): Promise<void> {
    if (!(await this.ensureConsent())) throw new Error(CONSENT_NOT_GIVEN);
  }

  async startRun(cycles: number | 'all'): Promise<void> {
    await this.consented();
    return this.inner.startRun(cycles);
  }
  async startResume(): Promise<void> {
    await this.consented();
    return this.inner.startResume();
  }
  async startStoryResume(storyKey: string): Promise<void> {
    await this.consented();
    return this.inner.startStoryResume(storyKey);
  }
  pause() {
    return this.inner.pause();
  }
  stop() {
    return this.inner.stop();
  }
  unblockStory(storyKey: string) {
    return this.inner.unblockStory(storyKey);
  }
  openStory(storyKey: string) {
    return this.inner.openStory(storyKey);
  }
  openLog(logPath: string) {
    return this.inner.openLog(logPath);
  }
}
