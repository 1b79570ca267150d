import { createHash, timingSafeEqual } from 'node:crypto';

/** Whether a request's Authorization header lets it decode payloads. */
export type CodecAuth = (authorization: string | undefined) => Promise<boolean>;

export interface CodecAuthSettings {
  /** Bearer tokens accepted as they are (several at once during a rotation). */
  tokens?: string[];
  /**
   * An OIDC userinfo endpoint. The Web UI, with "pass the user access token" on, sends the signed-in user's token;
   * it is accepted when the identity provider answers 200 for it, and remembered for `cacheSeconds`.
   */
  userinfoUrl?: string;
  cacheSeconds?: number;
  timeoutMs?: number;
}

const digest = (text: string) => createHash('sha256').update(text).digest();
const MAX_REMEMBERED = 1000;

/** Bearer-token authentication for the codec server; undefined when nothing is configured (development only). */
export function codecAuth(settings: CodecAuthSettings): CodecAuth | undefined {
  const tokens = (settings.tokens ?? []).map(digest);
  const { userinfoUrl } = settings;
  if (tokens.length === 0 && !userinfoUrl) return undefined;
  const cacheMs = (settings.cacheSeconds ?? 60) * 1000;
  // Digests of tokens the identity provider accepted, and until when; bounded so a flood of tokens cannot grow it.
  const accepted = new Map<string, number>();

  async function userinfoAccepts(token: string, key: string): Promise<boolean> {
    if ((accepted.get(key) ?? 0) > Date.now()) return true;
    const res = await fetch(userinfoUrl!, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(settings.timeoutMs ?? 5000),
    }).catch(() => undefined);
    await res?.arrayBuffer().catch(() => undefined);
    if (!res?.ok) return false;
    if (accepted.size >= MAX_REMEMBERED) accepted.clear();
    accepted.set(key, Date.now() + cacheMs);
    return true;
  }

  return async (authorization) => {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    if (!match?.[1]) return false;
    const presented = digest(match[1]);
    if (tokens.some((t) => timingSafeEqual(t, presented))) return true;
    return userinfoUrl ? userinfoAccepts(match[1], presented.toString('hex')) : false;
  };
}
