// Webview entry: the bundle built to dist/webview.js (IIFE), loaded by the panel's HTML with a nonce.

import { DashboardApp, type VsCodeApi } from './DashboardApp';

declare function acquireVsCodeApi(): VsCodeApi;

const root = document.getElementById('app');
if (root) new DashboardApp(root, acquireVsCodeApi()).start();
