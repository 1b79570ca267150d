import type { Pool } from 'pg';
import type { ErasureSubject, OutcomeErasure } from '../types';

/**
 * Erasure in the PostgreSQL store (./postgresStore.ts), the same rules as SQLite's (./sqliteErasure.ts): a subject's
 * sessions and the follow-up calls of their chains, every row about them, in one transaction. Deleted rows are gone
 * for every reader at once; PostgreSQL reclaims their space at its next vacuum.
 */
export function postgresErasure(pool: Pool): OutcomeErasure {
  const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);
  return {
    async sessionsOf(subject: ErasureSubject) {
      const found = new Set(
        'crmContactId' in subject
          ? ids(
              (
                await pool.query<{ id: string }>(
                  'SELECT session_id AS id FROM sessions WHERE correlation_json->>$2 = $1',
                  [subject.crmContactId, subject.variable],
                )
              ).rows,
            )
          : [subject.sessionId],
      );
      // The follow-up calls of each chain: their rows carry the chain's ids, not always the contact's.
      for (const id of found) {
        const { rows } = await pool.query<{ id: string }>(
          `SELECT session_id AS id FROM sessions WHERE correlation_json->>'followUpOf' = $1
           UNION SELECT call_session_id AS id FROM follow_ups WHERE original_session_id = $1 AND call_session_id IS NOT NULL`,
          [id],
        );
        for (const call of ids(rows)) found.add(call);
      }
      const { rows } = await pool.query<{ id: string }>(
        `SELECT session_id AS id FROM sessions WHERE session_id = ANY($1)
         UNION SELECT session_id FROM session_events WHERE session_id = ANY($1)
         UNION SELECT original_session_id FROM follow_ups WHERE original_session_id = ANY($1)
         UNION SELECT call_session_id FROM follow_ups WHERE call_session_id = ANY($1)`,
        [[...found]],
      );
      return ids(rows);
    },

    async forget(sessionIds) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        let removed = 0;
        for (const sql of [
          'DELETE FROM sessions WHERE session_id = ANY($1)',
          'DELETE FROM session_events WHERE session_id = ANY($1)',
          'DELETE FROM follow_ups WHERE original_session_id = ANY($1) OR call_session_id = ANY($1)',
        ]) {
          removed += (await client.query(sql, [sessionIds])).rowCount ?? 0;
        }
        await client.query('COMMIT');
        return removed;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  };
}
