import { createHmac } from 'node:crypto';

/**
 * The Standard Webhooks signature over bytes exactly as sent, written apart from src/api/signature.ts: svix's own
 * `Webhook.sign` cannot sign bytes that are not UTF-8 (it decodes them first).
 */
export function signBytes(secret: string, id: string, at: Date, body: Buffer): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const seconds = Math.floor(at.getTime() / 1000);
  return `v1,${createHmac('sha256', key).update(`${id}.${seconds}.`).update(body).digest('base64')}`;
}
