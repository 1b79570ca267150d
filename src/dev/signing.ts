import { randomUUID } from 'node:crypto';
import { Webhook } from 'svix';

/*
 * Deliveries signed as Svix signs them (svix's own Webhook.sign), for the sandbox, the demo and the tests.
 */

/** A random development secret in the `whsec_<base64>` form. */
export const newSecret = () => `whsec_${Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64')}`;

export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

/** Signs a payload (or exact body bytes) like Svix does; the body must be sent exactly as signed. */
export function sign(
  secret: string,
  payload: unknown,
  opts: { msgId?: string; timestamp?: Date; body?: string } = {},
): SignedDelivery {
  const body = opts.body ?? (typeof payload === 'string' ? payload : JSON.stringify(payload));
  const msgId = opts.msgId ?? `msg_${randomUUID().replace(/-/g, '')}`;
  const timestamp = opts.timestamp ?? new Date();
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'svix-id': msgId,
      'svix-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'svix-signature': new Webhook(secret).sign(msgId, timestamp, body),
    },
  };
}

/** POSTs a delivery and reads the answer as JSON (or `{ raw }` when it is not JSON). */
export async function post(
  url: string,
  delivery: SignedDelivery,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: res.status, body, headers: res.headers };
}

/** Signs and POSTs one payload, as Svix delivers a message. */
export const deliverSigned = (url: string, secret: string, payload: unknown, msgId?: string) =>
  post(url, sign(secret, payload, { msgId }));
