import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { TranscriptLinkKeys } from './transcriptLinks';

/** The sessions' link keys in PostgreSQL (transcript_link_keys), shared by every worker and API replica. */
export function createPostgresLinkKeys(pool: Pool): TranscriptLinkKeys {
  async function find(sessionId: string): Promise<string | undefined> {
    const { rows } = await pool.query<{ link_key: string }>(
      'SELECT link_key FROM transcript_link_keys WHERE session_id = $1',
      [sessionId],
    );
    return rows[0]?.link_key;
  }
  return {
    find,
    async keyOf(sessionId) {
      // Two workers issuing the first links at once agree on the key that was inserted first.
      await pool.query(
        'INSERT INTO transcript_link_keys (session_id, link_key) VALUES ($1, $2) ON CONFLICT (session_id) DO NOTHING',
        [sessionId, randomBytes(32).toString('base64url')],
      );
      const key = await find(sessionId);
      if (!key) throw new Error(`the link key of ${sessionId} was revoked while a link was issued`);
      return key;
    },
    async revoke(sessionId) {
      const { rowCount } = await pool.query('DELETE FROM transcript_link_keys WHERE session_id = $1', [sessionId]);
      return (rowCount ?? 0) > 0;
    },
  };
}
