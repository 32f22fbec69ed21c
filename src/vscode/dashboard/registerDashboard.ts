// The dashboard panel: one `WebviewPanel` at a time, restored across window reloads by a serializer.
// The `sprintRunner.dashboard.open` command is registered by the extension; it calls `show()`.

import * as vscode from 'vscode';
import type { Disposable as CoreDisposable } from '../../core/Emitter';
import { DASHBOARD_VIEW_TYPE, type HostMessage } from '../../shared/dashboardProtocol';
import type { DashboardHost } from './DashboardHost';
import { DashboardSession } from './DashboardSession';
import { createNonce, dashboardHtml } from './dashboardHtml';

export interface DashboardRegistration extends vscode.Disposable {
  /** Opens the dashboard (or reveals it). `focus.storyKey` opens that story's timeline. */
  show(focus?: { storyKey?: string }): void;
  /** Every message posted to the webview (integration tests assert the snapshot arrives). */
  readonly onDidPost: vscode.Event<HostMessage>;
  /** Feeds a message as if the webview had posted it (integration tests press "Start" this way). */
  receive(message: unknown): Promise<void>;
}

interface OpenPanel {
  panel: vscode.WebviewPanel;
  session: DashboardSession;
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableFindWidget: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function registerDashboard(context: vscode.ExtensionContext, host: DashboardHost): DashboardRegistration {
  const posted = new vscode.EventEmitter<HostMessage>();
  let open: OpenPanel | undefined;
  let pendingFocus: string | undefined;
  const output = vscode.window.createOutputChannel('Sprint Runner Dashboard', { log: true });

  const attach = (panel: vscode.WebviewPanel): OpenPanel => {
    const webview = panel.webview;
    webview.options = webviewOptions(context.extensionUri);
    const asUri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, ...p)).toString();
    webview.html = dashboardHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: asUri('dist', 'webview.js'),
      styleUri: asUri('media', 'dashboard.css'),
      codiconUri: asUri('media', 'codicons', 'codicon.css'),
    });
    const post = (m: HostMessage) => {
      posted.fire(m);
      void webview.postMessage(m);
    };
    const session = new DashboardSession({
      host,
      post: (m) => {
        post(m);
        if (m.type === 'snapshot' && pendingFocus) {
          void session.receive({ type: 'requestTimeline', storyKey: pendingFocus });
          pendingFocus = undefined;
        }
      },
      writeClipboard: async (text) => vscode.env.clipboard.writeText(text),
      report: (line) => output.warn(line),
    });
    const subs: CoreDisposable[] = [
      webview.onDidReceiveMessage((m: unknown) => void session.receive(m)),
      // Without retainContextWhenHidden a hidden webview's document is discarded; it posts `ready`
      // again when shown and gets a fresh snapshot then.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) session.webviewHidden();
      }),
    ];
    panel.onDidDispose(() => {
      for (const s of subs) s.dispose();
      session.dispose();
      if (open?.panel === panel) open = undefined;
    });
    return { panel, session };
  };

  const serializer = vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
      if (open) {
        panel.dispose();
        return;
      }
      open = attach(panel);
    },
  });

  return {
    show(focus) {
      pendingFocus = focus?.storyKey;
      if (open) {
        open.panel.reveal(undefined, false);
        if (pendingFocus) {
          void open.session.receive({ type: 'requestTimeline', storyKey: pendingFocus });
          pendingFocus = undefined;
        }
        return;
      }
      const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Sprint Runner', vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
      open = attach(panel);
    },
    onDidPost: posted.event,
    async receive(message) {
      if (!open) throw new Error('The Sprint Runner dashboard is not open: call show() first.');
      await open.session.receive(message);
    },
    dispose() {
      serializer.dispose();
      open?.panel.dispose();
      posted.dispose();
      output.dispose();
    },
  };
}
