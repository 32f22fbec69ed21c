// Composition root: builds the extension's parts around one SprintSessionHost and owns every
// disposable through context.subscriptions. Activation only wires objects: the ledger reader
// (dist/ledger.js, yaml) is required when the tree is first shown, and the engine (dist/session.js:
// sql.js, execa, workflow, Claude agent) on the first session the host opens, never here.

import * as vscode from 'vscode';
import { ConsentedDashboardHost } from './vscode/dashboard/ConsentedDashboardHost';
import { registerDashboard, type DashboardRegistration } from './vscode/dashboard/registerDashboard';
import { lazyLedger } from './vscode/lazyLedger';
import { LedgerDiagnostics } from './vscode/LedgerDiagnostics';
import { lazySessionOpener } from './vscode/lazySessionOpener';
import { PermissionConsent } from './vscode/PermissionConsent';
import { registerSprintCommands } from './vscode/registerSprintCommands';
import { SprintNotifications } from './vscode/SprintNotifications';
import { SprintOutput } from './vscode/SprintOutput';
import type { SprintRunnerApi, SprintRunnerStatus } from './vscode/SprintRunnerApi';
import { SprintRunnerSettings } from './vscode/SprintRunnerSettings';
import { SprintContextKeys, setSprintContext } from './vscode/SprintContextKeys';
import { SprintSessionHost } from './vscode/SprintSessionHost';
import { runningText } from './vscode/runningText';
import { SprintStatusBar } from './vscode/SprintStatusBar';
import { SprintTreeProvider } from './vscode/SprintTreeProvider';
import { VscodeCommitReview } from './vscode/VscodeCommitReview';
import { SPRINT_VIEW_ID, SprintViewActivity } from './vscode/SprintViewActivity';
import { watchLedgerPresence } from './vscode/watchLedgerPresence';
import { SprintWebhook } from './vscode/webhook/SprintWebhook';

/** Internals the integration tests observe (only present when SPRINT_RUNNER_TEST_HOOKS=1). */
export interface SprintRunnerTestHooks {
  activationMs: number;
  isSessionOpen(): boolean;
  dashboard(): DashboardRegistration;
  treeView: vscode.TreeView<unknown>;
  storageUri: vscode.Uri | undefined;
  logUri: vscode.Uri;
  /** Answers the permission prompt with "Run" (the test host refuses modal dialogs). */
  grantPermissionConsent(): Promise<void>;
  /** Forgets that answer: the next interactive run (palette, tree, dashboard) asks again. */
  revokePermissionConsent(): Promise<void>;
  /** The Sprint tree's items as the view gets them (epics, then each epic's children), freshly read. */
  treeItems(): Promise<vscode.TreeItem[]>;
}

// deactivate() is the only hook VS Code awaits at shutdown; it needs the host activate() built.
let host: SprintSessionHost | undefined;

export function activate(context: vscode.ExtensionContext): SprintRunnerApi & { testing?: SprintRunnerTestHooks } {
  const started = performance.now();
  const own = <T extends vscode.Disposable>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  const settings = own(new SprintRunnerSettings());
  const output = own(new SprintOutput());
  const sessionHost = own(new SprintSessionHost(
      context,
      settings,
      lazySessionOpener(context.extensionUri.fsPath, __dirname),
      output.log,
      lazyLedger(__dirname),
      own(new VscodeCommitReview(output.log)),
    ),);
  host = sessionHost;

  const diagnostics = own(new LedgerDiagnostics());
  const tree = own(new SprintTreeProvider(sessionHost, settings, output.log, (read) => diagnostics.update(read)));
  const treeView = own(vscode.window.createTreeView(SPRINT_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true }));
  own(new SprintViewActivity(sessionHost, treeView));
  // The ledger appearing or moving (created from the template, written by BMAD's sprint-planning).
  own(watchLedgerPresence(() => sessionHost.rediscover(), (m) => output.log.warn(m)));
  // A hidden tree does not re-read: the Problems panel still follows the file on disk.
  own(
    sessionHost.onDidChangeLedger(() => {
      if (treeView.visible) return;
      sessionHost.readLedger().then(
        (snapshot) => (snapshot ? diagnostics.update({ snapshot }) : diagnostics.clear()),
        (error: unknown) => diagnostics.update({ error }),
      );
    }),
  );
  const syncTreeMessage = () => {
    treeView.message = vscode.workspace.isTrusted ? undefined : 'Restricted Mode: read-only. Trust the workspace to run the sprint.';
  };
  syncTreeMessage();
  own(vscode.workspace.onDidGrantWorkspaceTrust(syncTreeMessage));
  own(new SprintStatusBar(sessionHost, settings));

  const notifications = new SprintNotifications(settings);
  const webhook = new SprintWebhook(
    () => settings.current.webhookUrl,
    () => vscode.workspace.name ?? 'Sprint Runner',
    output.log,
  );
  own(
    sessionHost.onDidEmit((e) => {
      output.handle(e);
      notifications.handle(e);
      webhook.handle(e);
    }),
  );

  const consent = new PermissionConsent(context.workspaceState);
  // The dashboard's Start / Resume / Resume story ask the same consent as the palette's run commands.
  const dashboardHost = new ConsentedDashboardHost(sessionHost, async () => {
    await sessionHost.chooseFolder();
    return consent.ensure(settings.current);
  });
  let dashboard: DashboardRegistration | undefined;
  const getDashboard = () => (dashboard ??= own(registerDashboard(context, dashboardHost)));
  // The serializer must exist at activation so a panel open before a reload comes back.
  getDashboard();

  for (const d of registerSprintCommands({ context, host: sessionHost, settings, tree, output, consent, dashboard: getDashboard })) own(d);
  void setSprintContext(SprintContextKeys.activated, true);

  const status = async (): Promise<SprintRunnerStatus> => {
    const p = sessionHost.getProgress();
    const state = sessionHost.getRunState();
    const layout = await sessionHost.layout();
    return {
      state,
      ...(p.batchId !== undefined ? { batchId: p.batchId } : {}),
      ...(p.cycle !== undefined ? { cycle: p.cycle, maxCycles: p.maxCycles } : {}),
      storyKeys: p.storyKeys,
      ...(p.command ? { command: p.command, attempt: p.attempt } : {}),
      costUsd: p.costUsd,
      text: state === 'idle' ? 'Sprint: idle' : runningText(p),
      ...(layout ? { ledgerPath: layout.ledgerPath } : {}),
      stateDir: sessionHost.stateDir(),
    };
  };

  const activationMs = performance.now() - started;
  output.log.info(`Activated in ${activationMs.toFixed(1)} ms`);
  const api: SprintRunnerApi & { testing?: SprintRunnerTestHooks } = {
    apiVersion: 1,
    run: (cycles) => sessionHost.runUntilEnd(cycles),
    pause: () => sessionHost.pause(),
    resume: () => sessionHost.resumeUntilEnd(),
    stop: (reason) => sessionHost.stop(reason),
    status,
    onDidEmit: sessionHost.onDidEmit,
  };
  if (process.env.SPRINT_RUNNER_TEST_HOOKS === '1') {
    api.testing = {
      activationMs,
      isSessionOpen: () => sessionHost.isSessionOpen,
      dashboard: getDashboard,
      treeView: treeView as vscode.TreeView<unknown>,
      storageUri: context.storageUri,
      logUri: context.logUri,
      grantPermissionConsent: () => consent.record(settings.current),
      revokePermissionConsent: () => consent.revoke(),
      treeItems: async () => {
        tree.refresh();
        const items: vscode.TreeItem[] = [];
        for (const epic of await tree.getChildren()) {
          items.push(tree.getTreeItem(epic));
          for (const child of await tree.getChildren(epic)) items.push(tree.getTreeItem(child));
        }
        return items;
      },
    };
  }
  return api;
}

/** Window closing or reloading: cancel the children, keep the journal so Resume continues. */
export async function deactivate(): Promise<void> {
  await host?.shutdown();
  host = undefined;
}
