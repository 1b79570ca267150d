import type { Pool } from 'pg';
import { DIGEST_RETENTION_MS, PRUNE_INTERVAL_MS, type DeliveryDigests } from './digests';

/**
 * The digests in the shared store (DATABASE_URL), so every API replica behind the balancer sees the first body
 * whichever replica took it. The table comes from migration 5 (src/store/migrations).
 */
export function createPostgresDigests(pool: Pool, now: () => number = Date.now): DeliveryDigests {
  let prunedAt = 0;
  return {
    async claim(key, digest) {
      const at = now();
      if (at - prunedAt > PRUNE_INTERVAL_MS) {
        prunedAt = at;
        await pool.query('DELETE FROM delivery_digests WHERE first_seen < $1', [new Date(at - DIGEST_RETENTION_MS)]);
      }
      // One statement: the insert wins or the existing row is read, with no window between them for a racing replica.
      const { rows } = await pool.query<{ body_digest: string; inserted: boolean }>(
        `WITH ins AS (
           INSERT INTO delivery_digests (message_key, body_digest, first_seen) VALUES ($1, $2, $3)
           ON CONFLICT (message_key) DO NOTHING RETURNING body_digest
         )
         SELECT body_digest, true AS inserted FROM ins
         UNION ALL
         SELECT body_digest, false AS inserted FROM delivery_digests WHERE message_key = $1 AND NOT EXISTS (SELECT 1 FROM ins)`,
        [key, digest, new Date(at)],
      );
      const row = rows[0];
      if (!row || row.inserted) return 'first';
      return row.body_digest === digest ? 'same' : 'conflict';
    },
    async close() {
      // The pool is the API's, closed by whoever opened it.
    },
  };
}
