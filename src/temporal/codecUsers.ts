import { z } from 'zod';

/*
 * Who may decode, from the identity provider's userinfo answer. A userinfo endpoint answers 200 for every account it
 * knows; with a public provider that is anyone, so an answer only counts when its claims match the allow-list.
 */

/** One entry of CODEC_ALLOWED_USERS: `sub:<id>`, `email:<address>`, `domain:<example.com>` or `group:<name>`. */
export type AllowedUser = { kind: 'sub' | 'email' | 'domain' | 'group'; value: string };

const KINDS = new Set(['sub', 'email', 'domain', 'group']);

/** Parses "email:ana@example.com,domain:example.org,group:ops"; throws naming the entry that is not one. */
export function parseAllowedUsers(entries: string[]): AllowedUser[] {
  return entries.map((entry) => {
    const at = entry.indexOf(':');
    const kind = entry.slice(0, at);
    const value = entry.slice(at + 1).trim();
    if (at < 1 || !KINDS.has(kind) || value === '') {
      throw new Error(`"${entry}" is not sub:<id>, email:<address>, domain:<name> or group:<name>`);
    }
    const folded = kind === 'sub' || kind === 'group' ? value : value.toLowerCase();
    return { kind: kind as AllowedUser['kind'], value: folded };
  });
}

// Only the claims the decision reads; anything else the provider says is ignored.
const Claims = z.object({
  sub: z.string().max(256).optional(),
  email: z.string().max(320).optional(),
  email_verified: z.boolean().optional(),
  groups: z.array(z.string().max(256)).max(1000).optional(),
});

/** The subject the decision was about (for the audit line), and whether the allow-list admits it. */
export interface UserDecision {
  allowed: boolean;
  subject?: string;
}

/**
 * Whether the userinfo claims name an allowed person. An e-mail (and so its domain) counts only when the provider
 * does not say it is unverified: an unverified address is whatever the account holder typed.
 */
export function decideUser(allowed: AllowedUser[], body: unknown): UserDecision {
  const parsed = Claims.safeParse(body);
  if (!parsed.success) return { allowed: false };
  const { sub, email, email_verified: verified, groups = [] } = parsed.data;
  const address = email && verified !== false ? email.toLowerCase() : undefined;
  const domain = address?.slice(address.lastIndexOf('@') + 1);
  const ok = allowed.some(
    ({ kind, value }) =>
      (kind === 'sub' && sub === value) ||
      (kind === 'email' && address === value) ||
      (kind === 'domain' && domain === value) ||
      (kind === 'group' && groups.includes(value)),
  );
  return { allowed: ok, subject: sub };
}
