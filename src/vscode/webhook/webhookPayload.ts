// Slack-compatible webhook payloads for batch and story events (`{ text, blocks }` is what Slack,
// Mattermost, Discord's /slack endpoint and most chat bridges accept). No secrets: only story keys,
// statuses, counts, costs and the engine's own reason text, escaped for mrkdwn.

import type { SprintEvent } from '../../core/SprintEvents';

export interface WebhookPayload {
  text: string;
  blocks: { type: 'section'; text: { type: 'mrkdwn'; text: string } }[];
}

/**
 * Slack's mrkdwn treats `<…>` as a link or a mention (`<!channel>`, `<https://x|click>`) and `&` as the
 * start of an entity: text from files and agents (story keys, reasons, messages) is escaped as Slack
 * documents (`&amp;`, `&lt;`, `&gt;`), so it shows as written and never pings or links.
 */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function payload(text: string): WebhookPayload {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** The payload for an event the webhook reports, or undefined for the ones it does not. */
export function webhookPayloadFor(e: SprintEvent, workspaceName: string): WebhookPayload | undefined {
  const where = `*${escapeMrkdwn(workspaceName)}*`;
  const x = escapeMrkdwn;
  switch (e.type) {
    case 'batch:start':
      return payload(`${where}: sprint batch ${e.batchId} ${e.resumed ? 'resumed' : 'started'} (${e.maxCycles === null ? 'all cycles' : `${e.maxCycles} cycle(s)`})`);
    case 'batch:end':
      return payload(
        `${where}: sprint batch ${e.batchId} ${e.status} after ${e.cyclesCompleted} cycle(s). Done: ${x(e.storiesDone.join(', ')) || 'none'}. Blocked: ${x(e.storiesBlocked.join(', ')) || 'none'}.${e.reason ? ` Reason: ${x(e.reason)}` : ''}${e.sprintComplete ? ' The sprint is complete.' : ''}`,
      );
    case 'story:status':
      if (e.to !== 'done' && e.to !== 'blocked') return undefined;
      return payload(`${where}: story ${x(e.storyKey)} is ${e.to}${e.reason ? ` (${x(e.reason)})` : ''}`);
    case 'budget:reached':
      return payload(`${where}: ${e.scope} budget reached${e.storyKey ? ` for ${x(e.storyKey)}` : ''}: $${e.spentUsd.toFixed(2)} of $${e.limitUsd.toFixed(2)}; the batch is paused`);
    case 'error':
      return e.permanent ? payload(`${where}: sprint stopped by a permanent failure: ${x(e.message)}`) : undefined;
    default:
      return undefined;
  }
}
