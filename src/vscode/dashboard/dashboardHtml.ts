// The dashboard's HTML shell. Pure (no vscode) so the CSP is unit-tested: nothing loads but the nonce'd
// bundle and the extension's own styles and fonts; every byte of data arrives later as messages.

import { randomBytes } from 'node:crypto';

export interface DashboardHtmlInput {
  /** `webview.cspSource`: the origin of the extension's local resources. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
}

/** 128 bits from the OS CSPRNG, base64: a fresh one for every HTML document. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function dashboardHtml(i: DashboardHtmlInput): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(i.cspSource, i.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(i.codiconUri)}">
<link rel="stylesheet" href="${attr(i.styleUri)}">
<title>Sprint Runner</title>
</head>
<body>
<div id="app" aria-busy="true"></div>
<script nonce="${attr(i.nonce)}" src="${attr(i.scriptUri)}"></script>
</body>
</html>`;
}
