import type { Pool } from 'pg';
import { dialKeyHash, type DialLedger } from './dialLedger';

/** The dial ledger in the shared PostgreSQL store: one INSERT, so two deployments racing on a dial get one row. */
export function createPostgresDialLedger(pool: Pool, secret: string): DialLedger {
  return {
    async claim(key) {
      const { rowCount } = await pool.query(
        'INSERT INTO dial_ledger (key_hash, claimed_at) VALUES ($1, now()) ON CONFLICT (key_hash) DO NOTHING',
        [dialKeyHash(secret, key)],
      );
      return rowCount === 1;
    },
  };
}
