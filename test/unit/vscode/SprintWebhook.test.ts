// The webhook against a real local HTTP endpoint: Slack-compatible bodies, in order; failures logged
// without the URL (a Slack webhook URL is a credential) and never thrown.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { SprintEvent } from '../../../src/core/SprintEvents';
import { SprintWebhook } from '../../../src/vscode/webhook/SprintWebhook';
import { webhookPayloadFor } from '../../../src/vscode/webhook/webhookPayload';

const batchEnd: SprintEvent = { type: 'batch:end', at: 0, batchId: 7, status: 'completed', cyclesCompleted: 2, storiesDone: ['1-1-a'], storiesBlocked: ['1-2-b'], sprintComplete: false };

function listen(status: number): Promise<{ server: Server; url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      bodies.push({ contentType: req.headers['content-type'], body: JSON.parse(data) });
      res.writeHead(status).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/SECRET`, bodies })));
}

describe('SprintWebhook', () => {
  it('posts batch and story events as Slack-compatible JSON, in order, and skips the rest', async () => {
    const { server, url, bodies } = await listen(200);
    const warnings: string[] = [];
    const hook = new SprintWebhook(() => url, () => 'todo-cli', { warn: (m) => warnings.push(m) });
    hook.handle({ type: 'batch:start', at: 0, batchId: 7, runId: 'r', batchMode: 'fixed', maxCycles: 2, resumed: false });
    hook.handle({ type: 'command:output', at: 0, stepKey: 's', command: 'dev-story', attempt: 1, storyKeys: [], line: 'noise' });
    hook.handle({ type: 'story:status', at: 0, storyKey: '1-2-b', from: 'review', to: 'blocked', reason: 'code review found the same issues 3 times' });
    hook.handle(batchEnd);
    await hook.flush();
    server.close();
    assert.deepEqual(warnings, []);
    assert.equal(bodies.length, 3);
    const texts = bodies.map((b) => (b as { body: { text: string } }).body.text);
    assert.match(texts[0], /todo-cli\*: sprint batch 7 started \(2 cycle\(s\)\)/);
    assert.match(texts[1], /story 1-2-b is blocked \(code review found the same issues 3 times\)/);
    assert.match(texts[2], /Done: 1-1-a\. Blocked: 1-2-b\./);
    assert.equal((bodies[0] as { contentType: string }).contentType, 'application/json');
    assert.deepEqual((bodies[2] as { body: { blocks: unknown[] } }).body.blocks, webhookPayloadFor(batchEnd, 'todo-cli')!.blocks);
  });

  it('logs a failed delivery without the URL and without throwing', async () => {
    const { server, url } = await listen(500);
    const warnings: string[] = [];
    const hook = new SprintWebhook(() => url, () => 'w', { warn: (m) => warnings.push(m) });
    hook.handle(batchEnd);
    await hook.flush();
    server.close();
    const unreachable = new SprintWebhook(() => 'http://127.0.0.1:9/hooks/SECRET', () => 'w', { warn: (m) => warnings.push(m) });
    unreachable.handle(batchEnd);
    await unreachable.flush();
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /HTTP 500/);
    for (const w of warnings) assert.ok(!w.includes('SECRET') && !w.includes('127.0.0.1'), `URL leaked: ${w}`);
  });

  it('escapes story keys, reasons and messages for Slack mrkdwn: no mention, no link, no entity', () => {
    const story = webhookPayloadFor(
      { type: 'story:status', at: 0, storyKey: '1-1-<!channel>', from: 'review', to: 'blocked', reason: 'see <https://evil.example|here> & <@U123>' },
      'ws <b>',
    )!;
    assert.equal(story.text, '*ws &lt;b&gt;*: story 1-1-&lt;!channel&gt; is blocked (see &lt;https://evil.example|here&gt; &amp; &lt;@U123&gt;)');
    assert.equal(story.blocks[0].text.text, story.text);
    const end = webhookPayloadFor({ ...batchEnd, storiesDone: ['<!here>'], reason: 'a > b' } as SprintEvent, 'w')!;
    assert.ok(!/<!|<https?:|<@/.test(end.text), end.text);
    assert.match(end.text, /Done: &lt;!here&gt;\. .*Reason: a &gt; b/);
    const err = webhookPayloadFor({ type: 'error', at: 0, message: '<!everyone> down', permanent: true } as SprintEvent, 'w')!;
    assert.match(err.text, /&lt;!everyone&gt; down/);
  });

  it('never logs a malformed URL (fetch would quote it) and posts nothing for it', async () => {
    const warnings: string[] = [];
    let called = false;
    const post = (async () => {
      called = true;
      return new Response();
    }) as typeof fetch;
    for (const url of ['hooks.slack.com/services/T0/B0/SECRETPART', 'http://[bad host/SECRETPART', 'file:///etc/SECRETPART']) {
      const hook = new SprintWebhook(() => url, () => 'w', { warn: (m) => warnings.push(m) }, post);
      hook.handle(batchEnd);
      await hook.flush();
    }
    assert.equal(called, false);
    assert.equal(warnings.length, 3);
    for (const w of warnings) {
      assert.ok(!w.includes('SECRETPART') && !w.includes('slack.com'), `URL leaked: ${w}`);
      assert.match(w, /sprintRunner\.webhook\.url is not a valid http\(s\) URL/);
    }
  });

  it('cuts the URL out of a delivery error that quotes it', async () => {
    const warnings: string[] = [];
    const url = 'https://hooks.example.invalid/services/SECRETPART';
    const post = (async () => {
      throw new TypeError(`request to ${url} failed, reason: getaddrinfo ENOTFOUND hooks.example.invalid`);
    }) as typeof fetch;
    const hook = new SprintWebhook(() => url, () => 'w', { warn: (m) => warnings.push(m) }, post);
    hook.handle(batchEnd);
    await hook.flush();
    assert.equal(warnings.length, 1);
    assert.ok(!warnings[0].includes('SECRETPART') && !warnings[0].includes('hooks.example.invalid'), warnings[0]);
    assert.match(warnings[0], /ENOTFOUND/);
  });

  it('reads the URL from user settings only: a workspace cannot redirect notifications', () => {
    const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { scope?: string }> }[] };
    };
    const setting = manifest.contributes.configuration.find((g) => g.properties['sprintRunner.webhook.url'])?.properties['sprintRunner.webhook.url'];
    assert.equal(setting?.scope, 'application');
  });

  it('does nothing without a URL', async () => {
    let called = false;
    const hook = new SprintWebhook(() => undefined, () => 'w', { warn: () => undefined }, (async () => { called = true; return new Response(); }) as typeof fetch);
    hook.handle(batchEnd);
    await hook.flush();
    assert.equal(called, false);
  });
});
