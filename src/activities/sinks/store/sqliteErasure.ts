import type Database from 'better-sqlite3';
import type { ErasureSubject, OutcomeErasure } from '../types';

/**
 * Erasure in the SQLite store (./sqliteStore.ts). The store's connections run with secure_delete, so removed rows
 * are overwritten in the file; the journal is checkpointed and truncated after, so no copy stays in the WAL either.
 */
export function sqliteErasure(db: Database.Database): OutcomeErasure {
  const ofContact = db.prepare(
    'SELECT session_id AS id FROM sessions WHERE json_extract(correlation_json, @path) = @id',
  );
  const callsOf = db.prepare(
    `SELECT session_id AS id FROM sessions WHERE json_extract(correlation_json, '$.followUpOf') = @id
     UNION SELECT call_session_id AS id FROM follow_ups WHERE original_session_id = @id AND call_session_id IS NOT NULL`,
  );
  const mentions = db.prepare(
    `SELECT 1 FROM sessions WHERE session_id = @id UNION ALL SELECT 1 FROM session_events WHERE session_id = @id
     UNION ALL SELECT 1 FROM follow_ups WHERE original_session_id = @id OR call_session_id = @id LIMIT 1`,
  );
  const deleteSession = db.prepare('DELETE FROM sessions WHERE session_id = @id');
  const deleteEvents = db.prepare('DELETE FROM session_events WHERE session_id = @id');
  const deleteFollowUps = db.prepare('DELETE FROM follow_ups WHERE original_session_id = @id OR call_session_id = @id');
  const ids = (rows: unknown[]) => (rows as Array<{ id: string }>).map((r) => r.id);

  const forget = db.transaction((sessionIds: string[]) =>
    sessionIds.reduce(
      (rows, id) =>
        rows +
        deleteSession.run({ id }).changes +
        deleteEvents.run({ id }).changes +
        deleteFollowUps.run({ id }).changes,
      0,
    ),
  );

  return {
    sessionsOf(subject: ErasureSubject) {
      const found = new Set(
        'crmContactId' in subject
          ? ids(ofContact.all({ path: `$."${subject.variable}"`, id: subject.crmContactId }))
          : [subject.sessionId],
      );
      // The follow-up calls of each chain: their rows carry the chain's ids, not always the contact's.
      for (const id of found) for (const call of ids(callsOf.all({ id }))) found.add(call);
      return Promise.resolve([...found].filter((id) => mentions.get({ id }) !== undefined));
    },
    forget(sessionIds) {
      const rows = forget(sessionIds);
      db.pragma('wal_checkpoint(TRUNCATE)');
      return Promise.resolve(rows);
    },
  };
}
