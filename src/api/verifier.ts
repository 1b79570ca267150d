import type { IncomingHttpHeaders } from 'node:http';
import { Webhook, WebhookVerificationError } from 'svix';
import { pickSignatureHeaders } from './earlyRejection';

export type Verification =
  { ok: true; payload: unknown; messageId: string } | { ok: false; status: 400 | 401; error: string };

/**
 * Verifies a delivery against every configured secret; it is genuine if any verifies, so a secret can be rotated
 * with both values set for a while. svix checks the HMAC on the raw bytes and the ±5 minute timestamp tolerance, and
 * accepts the `svix-*` and white-labelled `webhook-*` header names. Its `verify` returns the parsed JSON (the docs'
 * sample that parses it again is a bug, API.md section 3).
 */
export function createVerifier(
  secrets: readonly string[],
): (raw: Buffer, headers: IncomingHttpHeaders) => Verification {
  const webhooks = secrets.map((secret) => new Webhook(secret));
  return (raw, headers) => {
    const picked = pickSignatureHeaders(headers);
    if (!picked.ok) return { ok: false, status: 401, error: picked.problem };
    let lastError = 'invalid signature';
    for (const webhook of webhooks) {
      try {
        const payload: unknown = webhook.verify(raw, picked.headers);
        return { ok: true, payload, messageId: picked.headers['svix-id'] };
      } catch (err) {
        if (err instanceof WebhookVerificationError) {
          lastError = err.message;
          continue;
        }
        // The signature matched (svix parses only after verifying), so the bytes are genuine but do not parse: not
        // JSON, or (should a runtime's JSON.parse recurse) a RangeError on deep nesting, which the caller names.
        return { ok: false, status: 400, error: 'body is not valid JSON' };
      }
    }
    return { ok: false, status: 401, error: lastError };
  };
}
