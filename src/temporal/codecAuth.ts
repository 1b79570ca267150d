import { createHash, timingSafeEqual } from 'node:crypto';
import { decideUser, type AllowedUser } from './codecUsers';

/** Whether a request may decode, and why not: the reason and the subject go to the audit log, never the token. */
export type CodecDecision = { allowed: true } | { allowed: false; reason: string; subject?: string };

/** Decides on a request's Authorization header. */
export type CodecAuth = (authorization: string | undefined) => Promise<CodecDecision>;

export interface CodecAuthSettings {
  /** Bearer tokens accepted as they are (several at once during a rotation). */
  tokens?: string[];
  /**
   * An OIDC userinfo endpoint. The Web UI, with "pass the user access token" on, sends the signed-in user's token;
   * it is accepted when the identity provider answers 200 for it with claims `allowedUsers` admits, and remembered
   * for `cacheSeconds`.
   */
  userinfoUrl?: string;
  /** Who may decode through the userinfo endpoint; empty admits every account the provider knows (development). */
  allowedUsers?: AllowedUser[];
  cacheSeconds?: number;
  timeoutMs?: number;
}

const digest = (text: string) => createHash('sha256').update(text).digest();
const MAX_REMEMBERED = 1000;
// A userinfo answer is a handful of claims; a provider answering more is not read further.
const MAX_USERINFO_BYTES = 64 * 1024;

/** Bearer-token authentication for the codec server; undefined when nothing is configured (development only). */
export function codecAuth(settings: CodecAuthSettings): CodecAuth | undefined {
  const tokens = (settings.tokens ?? []).map(digest);
  const { userinfoUrl } = settings;
  const allowedUsers = settings.allowedUsers ?? [];
  if (tokens.length === 0 && !userinfoUrl) return undefined;
  const cacheMs = (settings.cacheSeconds ?? 60) * 1000;
  // Digests of tokens the identity provider accepted, and until when; bounded so a flood of tokens cannot grow it.
  const accepted = new Map<string, number>();

  async function userinfoDecides(url: string, token: string, key: string): Promise<CodecDecision> {
    if ((accepted.get(key) ?? 0) > Date.now()) return { allowed: true };
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(settings.timeoutMs ?? 5000),
    }).catch(() => undefined);
    const text = await res?.text().catch(() => undefined);
    if (!res?.ok || text === undefined) return { allowed: false, reason: 'identity provider refused the token' };
    if (allowedUsers.length > 0) {
      let claims: unknown;
      try {
        claims = text.length <= MAX_USERINFO_BYTES ? JSON.parse(text) : undefined;
      } catch {
        claims = undefined;
      }
      const user = decideUser(allowedUsers, claims);
      if (!user.allowed) return { allowed: false, reason: 'user not in CODEC_ALLOWED_USERS', subject: user.subject };
    }
    if (accepted.size >= MAX_REMEMBERED) accepted.clear();
    accepted.set(key, Date.now() + cacheMs);
    return { allowed: true };
  }

  return async (authorization) => {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    if (!match?.[1]) return { allowed: false, reason: 'no bearer token' };
    const presented = digest(match[1]);
    if (tokens.some((t) => timingSafeEqual(t, presented))) return { allowed: true };
    if (!userinfoUrl) return { allowed: false, reason: 'unknown token' };
    return userinfoDecides(userinfoUrl, match[1], presented.toString('hex'));
  };
}
