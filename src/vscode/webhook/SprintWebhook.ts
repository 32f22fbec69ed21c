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
    try {
      const res = await this.post(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) this.log.warn(`Webhook delivery of ${what} failed: HTTP ${res.status} (setting sprintRunner.webhook.url)`);
    } catch (err) {
      this.log.warn(`Webhook delivery of ${what} failed: ${(err as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs / 1000} s` : (err as Error).message} (setting sprintRunner.webhook.url)`);
    }
  }
}
