import { Webhook } from 'svix';
import { isFollowUpEvent } from '../../../contracts';
import { FAILURE } from '../../../contracts/failures';
import { httpFailure } from '../../httpStatus';
import { outboundFetch } from '../../outboundFetch';
import type { OutcomeSink } from '../types';

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
      // A redirect fails for good: following it would resend the signed outcome to another address.
      const res = await outboundFetch(url, {
        peer: 'outcome webhook',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': event.idempotencyKey,
          'webhook-id': event.idempotencyKey,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': webhook.sign(event.idempotencyKey, now, body),
        },
        body,
        timeoutMs,
        maxResponseBytes: 16 * 1024, // the answer is not read: its status is all that counts
      });
      if (res.ok) return;
      throw httpFailure(`outcome webhook answered ${res.status}`, res, {
        retry: FAILURE.outcomeWebhookUnavailable,
        final: FAILURE.outcomeWebhookRejected,
      });
    },
  };
}
