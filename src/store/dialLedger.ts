import { createHmac } from 'node:crypto';

/*
 * The dial ledger: one row per dial a follow-up ever made, written before calls/start and never deleted. Workflow
 * histories do not outlive retention, `npm run forget`, a reset or a terminate-and-restart, and calls/start has no
 * idempotency key (API.md 7.1), so this row is what keeps a second run of the same follow-up from dialling the
 * customer again. It holds a keyed hash of the follow-up id and the dial's number and when it was claimed: nothing
 * that names a session or a customer, so erasure leaves it in place.
 */

/** Without DIAL_LEDGER_SECRET (development): the hashes still hold nothing personal, but anyone can recompute them. */
export const DEVELOPMENT_DIAL_LEDGER_SECRET = 'agntix-temporal development dial ledger key';

/** One dial of one follow-up: `followup-<root>-<attempt>` and the dial's number inside it (1, 2, ...). */
export interface DialKey {
  followUpId: string;
  dial: number;
}

export interface DialLedger {
  /** Records the dial once; false when a run of any workflow, on any deployment sharing the store, already did. */
  claim(key: DialKey): Promise<boolean>;
}

/** The keyed hash the ledger stores: without the secret, a row cannot be tied to a session id. */
export function dialKeyHash(secret: string, key: DialKey): string {
  return createHmac('sha256', secret).update(`${key.followUpId}#${key.dial}`).digest('hex');
}
