import { ApplicationFailure } from '@temporalio/activity';
import { Webhook } from 'svix';
import { isFollowUpEvent } from '../../shared/outcome';
import type { OutcomeSink } from './types';

/**
 * POSTs each outcome as JSON signed in the Standard Webhooks format (svix's Webhook.sign), which is how Zapier,
 * n8n, Make or a CRM's middleware plug in. The message id is the idempotency key (session id + kind), so a
 * receiver that dedupes on `webhook-id` records each outcome once however often we retry.
 */
export function createOutcomeWebhookSink(url: string, secret: string, timeoutMs: number): OutcomeSink {
  const webhook = new Webhook(secret);
  return {
    name: 'outcome-webhook',
    async record(event) {
      const type = isFollowUpEvent(event) ? event.kind : `session.${event.kind}`;
      const body = JSON.stringify({ type, data: event });
      const now = new Date();
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': event.idempotencyKey,
          'webhook-id': event.idempotencyKey,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': webhook.sign(event.idempotencyKey, now, body),
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer();
      if (res.ok) return;
      const message = `outcome webhook answered ${res.status}`;
      // A receiver that refuses the request (4xx) will refuse it again; 408/429/5xx are worth retrying.
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        throw ApplicationFailure.nonRetryable(message, 'OutcomeWebhookRejected');
      }
      throw ApplicationFailure.retryable(message, 'OutcomeWebhookUnavailable');
    },
  };
}
