import type { Pool } from 'pg';
import type { TranscriptMessage } from '../activities/agntix/client';
import type { TranscriptStore } from '../activities/agntix/transcripts';
import { jsonForPostgres } from './postgres';
import { signTranscriptLink, type TranscriptLinkSettings } from './transcriptLinks';

/**
 * Transcripts in PostgreSQL (DATABASE_URL): any worker archives, any API replica serves. The reference that leaves
 * the worker is a signed, expiring link to the API, never a path on one machine.
 */
export function createPostgresTranscriptStore(
  pool: Pool,
  links: TranscriptLinkSettings,
  now: () => number = Date.now,
): TranscriptStore {
  return {
    async put(sessionId, messages) {
      // A retried attempt replaces the whole transcript in one statement: never half-written, never duplicated.
      await pool.query(
        `INSERT INTO transcripts (session_id, messages, message_count, stored_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (session_id) DO UPDATE SET messages = excluded.messages,
           message_count = excluded.message_count, stored_at = excluded.stored_at`,
        [sessionId, jsonForPostgres(messages), messages.length],
      );
      return signTranscriptLink(links, sessionId, now());
    },
    async get(sessionId) {
      const { rows } = await pool.query<{ messages: TranscriptMessage[] }>(
        'SELECT messages FROM transcripts WHERE session_id = $1',
        [sessionId],
      );
      return rows[0]?.messages;
    },
  };
}
