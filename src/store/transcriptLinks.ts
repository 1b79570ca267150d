import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** How the worker mints transcript links, and the API checks them. */
export interface TranscriptLinkSettings {
  /** Where the API is reached from outside, e.g. https://agntix.example.com (a path prefix is kept). */
  baseUrl: string;
  secret: string;
  ttlSeconds: number;
}

export type LinkCheck = 'valid' | 'expired' | 'invalid';

const signature = (secret: string, sessionId: string, expires: number) =>
  createHmac('sha256', secret).update(`transcript\n${sessionId}\n${expires}`).digest('base64url');

/** `<base>/transcripts/<session>?expires=<unix s>&sig=<HMAC>`: anyone holding it may read it until it expires. */
export function signTranscriptLink(settings: TranscriptLinkSettings, sessionId: string, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + settings.ttlSeconds;
  const base = settings.baseUrl.replace(/\/+$/, '');
  const sig = signature(settings.secret, sessionId, expires);
  return `${base}/transcripts/${encodeURIComponent(sessionId)}?expires=${expires}&sig=${sig}`;
}

/** Checks the signature first, so an expiry is only reported for a link this service really issued. */
export function checkTranscriptLink(
  secret: string,
  sessionId: string,
  expires: unknown,
  sig: unknown,
  now = Date.now(),
): LinkCheck {
  if (typeof expires !== 'string' || !/^\d{1,12}$/.test(expires) || typeof sig !== 'string' || sig.length > 64) {
    return 'invalid';
  }
  const expected = Buffer.from(signature(secret, sessionId, Number(expires)));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  return Number(expires) * 1000 > now ? 'valid' : 'expired';
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
