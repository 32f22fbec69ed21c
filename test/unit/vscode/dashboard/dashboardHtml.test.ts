import { strict as assert } from 'node:assert';
import { contentSecurityPolicy, createNonce, dashboardHtml } from '../../../../src/vscode/dashboard/dashboardHtml';

describe('dashboardHtml', () => {
  const src = 'https://file+.vscode-resource.vscode-cdn.net';

  it('allows nothing by default, scripts only by nonce, styles and fonts only from the extension', () => {
    const csp = contentSecurityPolicy(src, 'abc123');
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /script-src 'nonce-abc123'(;|$)/);
    assert.match(csp, new RegExp(`style-src ${src.replace(/[.+]/g, '\\$&')}(;|$)`));
    assert.ok(!csp.includes('unsafe'), csp);
  });

  it('loads the bundle with the nonce and escapes attribute values', () => {
    const html = dashboardHtml({ cspSource: src, nonce: 'n0nce', scriptUri: `${src}/dist/webview.js?"x`, styleUri: `${src}/media/dashboard.css`, codiconUri: `${src}/media/codicons/codicon.css` });
    assert.match(html, /<script nonce="n0nce" src="[^"]*\/dist\/webview\.js\?&quot;x"><\/script>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'one script, no inline code');
    assert.ok(!/style=/.test(html), 'no inline styles');
  });

  it('makes a fresh 128-bit nonce each time', () => {
    const a = createNonce();
    assert.notEqual(a, createNonce());
    assert.equal(Buffer.from(a, 'base64').length, 16);
  });
});
