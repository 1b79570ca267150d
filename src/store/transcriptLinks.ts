import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Transcript links: scoped to one system and revocable (docs/privacy.md, "Transcript links"). What a workflow history
 * and this service's own store keep is the plain reference `<base>/transcripts/<session>`, no credential. The worker
 * turns it into a link for the one system it writes to: signed over the session, that system's name, an expiry and
 * the session's link key (in PostgreSQL; erasure deletes it, so every link of the session dies with it). The API
 * serves a link only to a request presenting that system's reader credential.
 */

/** How the worker mints transcript links, and the API checks them. */
export interface TranscriptLinkSettings {
  /** Where the API is reached from outside, e.g. https://agntix.example.com (a path prefix is kept). */
  baseUrl: string;
  secret: string;
  ttlSeconds: number;
}

/** Keeps one random key per session; links are signed with it, and deleting it revokes them all. */
export interface TranscriptLinkKeys {
  /** The session's key, made on first use. */
  keyOf(sessionId: string): Promise<string>;
  /** The session's key, or undefined when none was made or it was revoked. */
  find(sessionId: string): Promise<string | undefined>;
  /** Deletes the session's key: every link issued for it is refused from then on. False when there was none. */
  revoke(sessionId: string): Promise<boolean>;
}

export type LinkCheck = 'valid' | 'expired' | 'invalid' | 'revoked';

/** System names as the registry spells them (`hubspot`, `outcome-webhook`). */
export const SYSTEM_NAME = /^[a-z][a-z0-9-]{0,62}$/;

const base = (settings: { baseUrl: string }) => settings.baseUrl.replace(/\/+$/, '');

const signature = (secret: string, sessionId: string, system: string, expires: number, linkKey: string) =>
  createHmac('sha256', secret)
    .update(`transcript\n${sessionId}\n${system}\n${expires}\n${linkKey}`)
    .digest('base64url');

/** The reference a store returns and a workflow carries: where the transcript is served, no credential. */
export const transcriptRefOf = (settings: { baseUrl: string }, sessionId: string) =>
  `${base(settings)}/transcripts/${encodeURIComponent(sessionId)}`;

/** The session a reference of this service names, or undefined for anything else (a file:// archive, a foreign URL). */
export function sessionOfRef(settings: { baseUrl: string }, ref: string): string | undefined {
  const prefix = `${base(settings)}/transcripts/`;
  if (!ref.startsWith(prefix)) return undefined;
  const rest = ref.slice(prefix.length).split('?')[0]!;
  return rest && !rest.includes('/') ? decodeURIComponent(rest) : undefined;
}

/** `<ref>?system=<name>&expires=<unix s>&sig=<HMAC>`: served only to `system`, until it expires or is revoked. */
export function signTranscriptLink(
  settings: TranscriptLinkSettings,
  sessionId: string,
  system: string,
  linkKey: string,
  now = Date.now(),
): string {
  const expires = Math.floor(now / 1000) + settings.ttlSeconds;
  const sig = signature(settings.secret, sessionId, system, expires, linkKey);
  return `${transcriptRefOf(settings, sessionId)}?system=${system}&expires=${expires}&sig=${sig}`;
}

/** Checks the signature first, so an expiry is only reported for a link this service really issued. */
export function checkTranscriptLink(
  secret: string,
  sessionId: string,
  linkKey: string | undefined,
  query: { system?: unknown; expires?: unknown; sig?: unknown },
  now = Date.now(),
): LinkCheck {
  const { system, expires, sig } = query;
  if (
    typeof system !== 'string' ||
    !SYSTEM_NAME.test(system) ||
    typeof expires !== 'string' ||
    !/^\d{1,12}$/.test(expires) ||
    typeof sig !== 'string' ||
    sig.length > 64
  ) {
    return 'invalid';
  }
  if (linkKey === undefined) return 'revoked';
  const expected = Buffer.from(signature(secret, sessionId, system, Number(expires), linkKey));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  return Number(expires) * 1000 > now ? 'valid' : 'expired';
}

/**
 * A system's reader credential: what its requests present to be served its links. Derived from the link secret, so
 * the API and the operator command agree with no list to share; rotating TRANSCRIPT_LINK_SECRET rotates them all.
 */
export const readerCredential = (secret: string, system: string) =>
  createHmac('sha256', secret).update(`transcript reader\n${system}`).digest('base64url');

/**
 * Whether the request's Authorization header carries `system`'s reader credential: `Bearer <credential>` from a
 * program, or HTTP Basic with the system's name as user and the credential as password, which a browser asks a
 * person for (a CRM user following the link).
 */
export function presentsCredentialOf(secret: string, system: string, authorization: string | undefined): boolean {
  if (!authorization || authorization.length > 512) return false;
  const [scheme, value = ''] = authorization.trim().split(/\s+/, 2);
  let given: string | undefined;
  if (scheme?.toLowerCase() === 'bearer') given = value;
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0 && decoded.slice(0, colon) === system) given = decoded.slice(colon + 1);
  }
  if (given === undefined) return false;
  const expected = Buffer.from(readerCredential(secret, system));
  const presented = Buffer.from(given);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/**
 * The link settings from configuration. Outside production a missing TRANSCRIPT_LINK_SECRET falls back to a key
 * derived from DATABASE_URL, which the API and the workers share anyway, so a development stack needs no extra
 * setting; loadConfig refuses that in production, and an http base URL too.
 */
export function transcriptLinkSettingsFrom(config: {
  TRANSCRIPT_LINK_SECRET?: string;
  TRANSCRIPT_LINK_TTL_SECONDS: number;
  PUBLIC_BASE_URL?: string;
  DATABASE_URL?: string;
  PORT: number;
}): TranscriptLinkSettings {
  const secret =
    config.TRANSCRIPT_LINK_SECRET ??
    createHash('sha256')
      .update(`agntix transcript links\n${config.DATABASE_URL ?? ''}`)
      .digest('base64url');
  return {
    baseUrl: config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`,
    secret,
    ttlSeconds: config.TRANSCRIPT_LINK_TTL_SECONDS,
  };
}
