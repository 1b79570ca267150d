import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Webhook } from 'svix';

export const examplesDir = path.resolve(__dirname, '../../examples/agntix');

/** A copy of one of shared/agntix/examples, so a test can change it. */
export function example<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(path.join(examplesDir, name), 'utf8')) as T;
}

export const newSecret = () => `whsec_${Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64')}`;

export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

/** Signs like Svix does, with svix's own Webhook.sign. */
export function sign(
  secret: string,
  payload: unknown,
  opts: { msgId?: string; timestamp?: Date; body?: string } = {},
): SignedDelivery {
  const body = opts.body ?? JSON.stringify(payload);
  const msgId = opts.msgId ?? `msg_${randomUUID().replace(/-/g, '')}`;
  const timestamp = opts.timestamp ?? new Date();
  const signature = new Webhook(secret).sign(msgId, timestamp, body);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'svix-id': msgId,
      'svix-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'svix-signature': signature,
    },
  };
}

export async function post(
  url: string,
  delivery: SignedDelivery,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: res.status, body, headers: res.headers };
}

/** A session event with a fresh session id, from one of the examples. */
export function freshSession(name: string, sessionId: string = randomUUID()): Record<string, unknown> {
  return { ...example(name), id: sessionId };
}
