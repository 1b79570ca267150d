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
      await pool.query('DELETE FROM transcript_pages WHERE session_id = $1', [sessionId]);
      return signTranscriptLink(links, sessionId, now());
    },
    async savePage(sessionId, page, messages) {
      await pool.query(
        `INSERT INTO transcript_pages (session_id, page, messages, saved_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (session_id, page) DO UPDATE SET messages = excluded.messages, saved_at = excluded.saved_at`,
        [sessionId, page, jsonForPostgres(messages)],
      );
    },
    async loadPages(sessionId, upTo) {
      const { rows } = await pool.query<{ page: number; messages: TranscriptMessage[] }>(
        'SELECT page, messages FROM transcript_pages WHERE session_id = $1 AND page <= $2 ORDER BY page',
        [sessionId, upTo],
      );
      // Pages 1..n without a gap: a resumed archive continues after the last of them.
      const pages: TranscriptMessage[][] = [];
      for (const row of rows) {
        if (row.page !== pages.length + 1) break;
        pages.push(row.messages);
      }
      return pages;
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
