import type { Pool } from 'pg';
import type { TranscriptMessage } from '../contracts/transcripts';
import { openTranscript, sealTranscript } from '../activities/agntix/transcriptSealing';
import type { TranscriptStore } from '../activities/agntix/transcripts';
import type { KeyRing } from '../temporal/keyRing';
import { jsonForPostgres } from './postgres';
import { transcriptRefOf } from './transcriptLinks';

/**
 * Transcripts in PostgreSQL (DATABASE_URL): any worker archives, any API replica serves. The reference it returns is
 * where the API serves the transcript (`<PUBLIC_BASE_URL>/transcripts/<session>`), no credential: each external system
 * is sent its own signed link to it (./transcriptLinks.ts). With keys (PAYLOAD_ENCRYPTION_KEYS) the messages columns
 * hold the sealed transcript, as the local files do.
 */
export function createPostgresTranscriptStore(pool: Pool, links: { baseUrl: string }, keys?: KeyRing): TranscriptStore {
  const seal = (sessionId: string, messages: TranscriptMessage[]) =>
    jsonForPostgres(keys ? sealTranscript({ sessionId, messages }, keys) : messages);
  // Rows written without keys hold the plain array.
  const open = (stored: unknown) =>
    Array.isArray(stored) ? (stored as TranscriptMessage[]) : openTranscript(stored, keys).messages;

  async function get(sessionId: string): Promise<TranscriptMessage[] | undefined> {
    const { rows } = await pool.query<{ messages: unknown }>('SELECT messages FROM transcripts WHERE session_id = $1', [
      sessionId,
    ]);
    return rows[0] ? open(rows[0].messages) : undefined;
  }

  return {
    async put(sessionId, messages) {
      // A retried attempt replaces the whole transcript in one statement: never half-written, never duplicated.
      await pool.query(
        `INSERT INTO transcripts (session_id, messages, message_count, stored_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (session_id) DO UPDATE SET messages = excluded.messages,
           message_count = excluded.message_count, stored_at = excluded.stored_at`,
        [sessionId, seal(sessionId, messages), messages.length],
      );
      await pool.query('DELETE FROM transcript_pages WHERE session_id = $1', [sessionId]);
      return transcriptRefOf(links, sessionId);
    },

    get,

    async read(ref) {
      // A reference of this store (or a link made from it): the session id is the last segment of its path.
      const sessionId = decodeURIComponent(new URL(ref).pathname.split('/').pop() ?? '');
      const messages = await get(sessionId);
      if (!messages) throw new Error(`no transcript is stored for ${sessionId}`);
      return messages;
    },

    async remove(sessionId) {
      await pool.query('DELETE FROM transcript_pages WHERE session_id = $1', [sessionId]);
      // Erasure revokes every link issued for the session too: without its key none of them verifies.
      const revoked = await pool.query('DELETE FROM transcript_link_keys WHERE session_id = $1', [sessionId]);
      const { rowCount } = await pool.query('DELETE FROM transcripts WHERE session_id = $1', [sessionId]);
      return (rowCount ?? 0) + (revoked.rowCount ?? 0) > 0;
    },

    async savePage(sessionId, page, messages) {
      await pool.query(
        `INSERT INTO transcript_pages (session_id, page, messages, saved_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (session_id, page) DO UPDATE SET messages = excluded.messages, saved_at = excluded.saved_at`,
        [sessionId, page, seal(sessionId, messages)],
      );
    },

    async loadPages(sessionId, upTo) {
      const { rows } = await pool.query<{ page: number; messages: unknown }>(
        'SELECT page, messages FROM transcript_pages WHERE session_id = $1 AND page <= $2 ORDER BY page',
        [sessionId, upTo],
      );
      // Pages 1..n without a gap: a resumed archive continues after the last of them.
      const pages: TranscriptMessage[][] = [];
      for (const row of rows) {
        if (row.page !== pages.length + 1) break;
        pages.push(open(row.messages));
      }
      return pages;
    },
  };
}
