import type { IncomingHttpHeaders } from 'node:http';

/** svix's own tolerance (standardwebhooks): a timestamp further than this from now never verifies. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

/** Svix message ids are `msg_` and 27 characters; the id is hashed into a request id and kept in the session's ledger. */
const MAX_MESSAGE_ID_CHARS = 256;

export type SignatureHeaders = Record<'svix-id' | 'svix-timestamp' | 'svix-signature', string>;

/** The three signature headers, under the `svix-*` or white-labelled `webhook-*` names, or which one is missing. */
export function pickSignatureHeaders(
  headers: IncomingHttpHeaders,
): { ok: true; headers: SignatureHeaders } | { ok: false; problem: string } {
  const picked: Partial<SignatureHeaders> = {};
  for (const name of ['id', 'timestamp', 'signature'] as const) {
    const value = headers[`svix-${name}`] ?? headers[`webhook-${name}`];
    if (typeof value !== 'string' || value === '') return { ok: false, problem: `missing svix-${name} header` };
    picked[`svix-${name}`] = value;
  }
  return { ok: true, headers: picked as SignatureHeaders };
}

/**
 * Why a delivery can never verify, whatever its body: a missing header, a message id too long to be Svix's, or a
 * timestamp that is not a number or more than 5 minutes from now. Decided on the headers alone, before the body is
 * read, so an unauthenticated client cannot make the API read (and wait for) a body it would reject anyway. The full
 * verification (svix, on the raw bytes) still follows for everything that passes.
 */
export function signatureHeadersProblem(headers: IncomingHttpHeaders, nowMs = Date.now()): string | undefined {
  const picked = pickSignatureHeaders(headers);
  if (!picked.ok) return picked.problem;
  if (picked.headers['svix-id'].length > MAX_MESSAGE_ID_CHARS) return 'svix-id header too long';
  const timestamp = Number(picked.headers['svix-timestamp']);
  if (!Number.isInteger(timestamp)) return 'invalid svix-timestamp header';
  const offSeconds = timestamp - Math.floor(nowMs / 1000);
  if (offSeconds < -SIGNATURE_TOLERANCE_SECONDS) return 'Message timestamp too old';
  if (offSeconds > SIGNATURE_TOLERANCE_SECONDS) return 'Message timestamp too new';
  return undefined;
}
