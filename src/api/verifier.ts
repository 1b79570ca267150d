import type { IncomingHttpHeaders } from 'node:http';
import { Webhook, WebhookVerificationError } from 'svix';
import { pickSignatureHeaders } from './earlyRejection';

export type Verification =
  { ok: true; payload: unknown; messageId: string } | { ok: false; status: 400 | 401; error: string };

/**
 * Verifies a delivery against every configured secret; it is genuine if any verifies, so a secret can be rotated
 * with both values set for a while. svix checks the HMAC on the raw bytes and the ±5 minute timestamp tolerance, and
 * accepts the `svix-*` and white-labelled `webhook-*` header names. Since svix 2, `verify` only checks the signature: the body
 * is parsed here, once, after the signature matched.
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
        webhook.verify(raw, picked.headers);
      } catch (err) {
        if (!(err instanceof WebhookVerificationError)) throw err;
        lastError = err.message;
        continue;
      }
      const payload = parseJson(raw);
      if (payload === invalid) return { ok: false, status: 400, error: 'body is not valid JSON' };
      return { ok: true, payload, messageId: picked.headers['svix-id'] };
    }
    return { ok: false, status: 401, error: lastError };
  };
}

const invalid = Symbol('invalid JSON');

/** The genuine body, parsed; a body that does not parse (or, should a runtime's JSON.parse recurse, a RangeError on
 * deep nesting) is `invalid`, which the caller answers 400. */
function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return invalid;
  }
}
