import { createHash } from 'node:crypto';

/** What the store already knew of a Svix message's body when a delivery of it came in. */
export type DigestClaim = 'first' | 'same' | 'conflict';

/**
 * The first body seen under each Svix message id, as a digest. The platform never changes a message's body across
 * its retries and resends, so a second body under one id is an attack with a leaked secret or a bug, never news.
 */
export interface DeliveryDigests {
  /** Records `digest` under a message's key (`messageKey`) unless one is there, and says how the two compare. */
  claim(key: string, digest: string): Promise<DigestClaim>;
  close(): Promise<void>;
}

/** The digest of a delivery's exact signed bytes: a retry or a resend sends the same bytes, so nothing is normalised. */
export const bodyDigest = (raw: Buffer): string => createHash('sha256').update(raw).digest('base64url');

/**
 * The stored key of a Svix message id: fixed-length whatever the header holds (the id is bounded only by the header
 * limit), so a row costs the same for every sender.
 */
export const messageKey = (svixId: string): string => createHash('sha256').update(svixId).digest('base64url');

/**
 * How long a digest is kept. Svix retries for about 27.5 hours by default (Agntix says 24 h) and a dead-lettered
 * message can be resent from the dashboard after that; three days covers both with room. A body that conflicts with
 * a digest already pruned is taken as a first body: it is still signed, so only a holder of the secret gets there.
 */
export const DIGEST_RETENTION_MS = 72 * 3600_000;

/** Pruning runs at most this often, on a claim, so an idle API does no work and a busy one one DELETE a minute. */
export const PRUNE_INTERVAL_MS = 60_000;
