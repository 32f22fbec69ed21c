// Posts batch and story events to the `sprintRunner.webhook.url` setting. Delivery failures are logged
// and never fatal; the URL is never logged (Slack webhook URLs are credentials).

import type { SprintEvent } from '../../core/SprintEvents';
import { webhookPayloadFor } from './webhookPayload';

export interface WebhookLog {
  warn(message: string): void;
}

export class SprintWebhook {
  /** Deliveries in order, one at a time, so a slow endpoint never reorders "started" and "ended". */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: () => string | undefined,
    private readonly workspaceName: () => string,
    private readonly log: WebhookLog,
    private readonly post: typeof fetch = fetch,
    private readonly timeoutMs = 5_000,
  ) {}

  handle(e: SprintEvent): void {
    const url = this.url();
    if (!url) return;
    const body = webhookPayloadFor(e, this.workspaceName());
    if (!body) return;
    this.queue = this.queue.then(() => this.deliver(url, JSON.stringify(body), e.type));
  }

  /** Resolves when every queued delivery was attempted (tests, shutdown). */
  flush(): Promise<void> {
    return this.queue;
  }

  private async deliver(url: string, body: string, what: string): Promise<void> {
    // fetch's own error for a malformed URL quotes the URL: say what is wrong without it.
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      this.log.warn(`Webhook delivery of ${what} skipped: sprintRunner.webhook.url is not a valid http(s) URL. Fix: paste the whole incoming-webhook URL (https://…) into your user settings.`);
      return;
    }
    try {
      const res = await this.post(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) this.log.warn(`Webhook delivery of ${what} failed: HTTP ${res.status} (setting sprintRunner.webhook.url)`);
    } catch (err) {
      const cause = (err as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs / 1000} s` : withoutUrl((err as Error).message, url);
      this.log.warn(`Webhook delivery of ${what} failed: ${cause} (setting sprintRunner.webhook.url)`);
    }
  }
}

/** An error message with every form of the URL (as set, and as parsed) and its host cut out. */
function withoutUrl(message: string, url: string): string {
  let out = message;
  const forms = [url, url.trim()];
  try {
    const u = new URL(url);
    forms.push(u.href, u.host, u.hostname, u.pathname);
  } catch {
    // Not parseable: the forms as written are all there is.
  }
  for (const f of forms.filter((f) => f.length > 1).sort((a, b) => b.length - a.length)) out = out.split(f).join('<webhook URL>');
  return out;
}
