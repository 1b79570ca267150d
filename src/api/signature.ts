import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/*
 * The Svix (Standard Webhooks) signature of a delivery: which headers, how far the timestamp may be off, and the HMAC
 * over the body as sent. The svix library is not used to verify: its `verify` (standardwebhooks' `sign`) turns a
 * Buffer into a string with `toString()` before the HMAC, so bytes that are not UTF-8 become U+FFFD and two different
 * bodies verify under one signature. Here the HMAC-SHA256 runs on the raw bytes; for every UTF-8 body (all Svix sends)
 * the signature is the one svix computes, which the tests check against svix's own `Webhook.sign`.
 */

/** svix's own tolerance (standardwebhooks): a timestamp further than this from now never verifies. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

/** Svix message ids are `msg_` and 27 characters; the id is hashed into a request id and kept in the session's ledger. */
const MAX_MESSAGE_ID_CHARS = 256;

/** Unix seconds, as Svix writes them; a bound keeps `Number` exact and the signed content short. */
const TIMESTAMP = /^[0-9]{1,12}$/;

/** A delivery whose signature verified: its Svix message id, when it was signed, and its body parsed as JSON. */
export interface Delivery {
  id: string;
  timestamp: Date;
  payload: unknown;
}

export type Verification = { ok: true; delivery: Delivery } | { ok: false; status: 400 | 401; error: string };

interface SignatureHeaders {
  id: string;
  /** As sent: the signed content holds the header's text. */
  timestamp: string;
  signature: string;
}

type Checked = { ok: true; headers: SignatureHeaders } | { ok: false; problem: string };

/** A header under its `svix-*` name or the white-labelled `webhook-*` one, as svix's own `verify` picks it. */
function header(headers: IncomingHttpHeaders, name: 'id' | 'timestamp' | 'signature'): string | undefined {
  const value = headers[`svix-${name}`] ?? headers[`webhook-${name}`];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The three headers, or why they can never verify whatever the body: one missing, an id too long, a stale time. */
function checkHeaders(headers: IncomingHttpHeaders, nowMs: number): Checked {
  const id = header(headers, 'id');
  const timestamp = header(headers, 'timestamp');
  const signature = header(headers, 'signature');
  if (id === undefined) return { ok: false, problem: 'missing svix-id header' };
  if (timestamp === undefined) return { ok: false, problem: 'missing svix-timestamp header' };
  if (signature === undefined) return { ok: false, problem: 'missing svix-signature header' };
  if (id.length > MAX_MESSAGE_ID_CHARS) return { ok: false, problem: 'svix-id header too long' };
  if (!TIMESTAMP.test(timestamp)) return { ok: false, problem: 'invalid svix-timestamp header' };
  const offSeconds = Number(timestamp) - Math.floor(nowMs / 1000);
  if (offSeconds < -SIGNATURE_TOLERANCE_SECONDS) return { ok: false, problem: 'Message timestamp too old' };
  if (offSeconds > SIGNATURE_TOLERANCE_SECONDS) return { ok: false, problem: 'Message timestamp too new' };
  return { ok: true, headers: { id, timestamp, signature } };
}

/**
 * Why a delivery can never verify, decided on the headers alone, so the route can answer before reading a body an
 * unauthenticated client may never finish sending. The full verification still follows for everything that passes.
 */
export function signatureHeadersProblem(headers: IncomingHttpHeaders, nowMs = Date.now()): string | undefined {
  const checked = checkHeaders(headers, nowMs);
  return checked.ok ? undefined : checked.problem;
}

/** The message id a delivery claims, for its log line, before or without verification; undefined past the bound. */
export function claimedMessageId(headers: IncomingHttpHeaders): string | undefined {
  const id = header(headers, 'id');
  return id !== undefined && id.length <= MAX_MESSAGE_ID_CHARS ? id : undefined;
}

/** The HMAC key of a `whsec_<base64>` secret (src/config/secrets.ts has checked its form at start-up). */
function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** `v1,<base64>` of the HMAC over `${id}.${timestamp}.` followed by the body's bytes, untouched. */
function expectedSignature(key: Buffer, headers: SignatureHeaders, raw: Buffer): Buffer {
  const mac = createHmac('sha256', key).update(`${headers.id}.${headers.timestamp}.`).update(raw).digest('base64');
  return Buffer.from(mac);
}

/** Whether any `v1,` entry of the space-separated list matches, compared in constant time as svix does. */
function anyMatches(signatureHeader: string, expected: Buffer): boolean {
  return signatureHeader.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || signature === undefined) return false;
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** RFC 8259 JSON is UTF-8; a lenient decode would turn other bytes into U+FFFD and record what was never sent. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function parseBody(raw: Buffer): { ok: true; payload: unknown } | { ok: false; error: string } {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return { ok: false, error: 'body is not valid UTF-8' };
  }
  try {
    return { ok: true, payload: JSON.parse(text) as unknown };
  } catch {
    // Also a RangeError, should a runtime's JSON.parse recurse on deep nesting.
    return { ok: false, error: 'body is not valid JSON' };
  }
}

/**
 * Verifies a delivery against every configured secret (any one suffices, so a secret can be rotated with both set
 * for a while) and parses its body once the signature says the bytes are genuine.
 */
export function createVerifier(
  secrets: readonly string[],
  now: () => number = Date.now,
): (raw: Buffer, headers: IncomingHttpHeaders) => Verification {
  const keys = secrets.map(keyOf);
  return (raw, headers) => {
    const checked = checkHeaders(headers, now());
    if (!checked.ok) return { ok: false, status: 401, error: checked.problem };
    const genuine = keys.some((key) =>
      anyMatches(checked.headers.signature, expectedSignature(key, checked.headers, raw)),
    );
    if (!genuine) return { ok: false, status: 401, error: 'No matching signature found' };
    const body = parseBody(raw);
    if (!body.ok) return { ok: false, status: 400, error: body.error };
    const { id, timestamp } = checked.headers;
    return { ok: true, delivery: { id, timestamp: new Date(Number(timestamp) * 1000), payload: body.payload } };
  };
}
