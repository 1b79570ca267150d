import { randomUUID } from 'node:crypto';
import { Webhook } from 'svix';

/** Signs a payload as Svix does (svix's own Webhook.sign) and POSTs it; the body is sent exactly as signed. */
export async function signedDelivery(
  url: string,
  secret: string,
  payload: unknown,
  msgId = `msg_${randomUUID().replace(/-/g, '')}`,
): Promise<{ status: number; body: unknown }> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const now = new Date();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'svix-id': msgId,
      'svix-timestamp': String(Math.floor(now.getTime() / 1000)),
      'svix-signature': new Webhook(secret).sign(msgId, now, body),
    },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: res.status, body: text };
  }
}
