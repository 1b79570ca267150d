import Database from 'better-sqlite3';
import path from 'node:path';
import { isFollowUpEvent, type ExternalEvent, type FollowUpEvent, type OutcomeEvent } from '../../../contracts';
import { ensurePrivateDirSync, ensurePrivateFileSync } from '../../../store/privateFiles';
import { sqliteErasure } from './sqliteErasure';
import { RECORDED_KIND_SQL, backfillChainSql, setChainSql, upsertSessionSql } from './sessionRows';
import type { OutcomeSink } from '../types';

/**
 * The embedded default store: one row per session, upserted by session id, plus one row per recorded event kind.
 *   sessions(session_id PK, kind, phase, source, agent_id, session_type, direction, outcome, summary, intent,
 *            resolution, sentiment, follow_up_due, transcript_ref, transcript_messages, recording_url,
 *            correlation_json, event_json, updated_at, chain_state, chain_attempt, chain_reason, chain_updated_at)
 *   follow_ups(follow_up_id PK, original_session_id, attempt, status, scheduled_at, call_session_id, reason,
 *              updated_at)
 *   session_events(idempotency_key PK, session_id, kind, recorded_at)
 * A `transcript-archived` event (the transcript came after the outcome) only fills in the transcript columns.
 */
export function createSqliteSink(file: string): OutcomeSink & { db: Database.Database } {
  ensurePrivateDirSync(path.dirname(path.resolve(file)));
  // SQLite gives its -wal and -shm files the database file's mode: a private database keeps them private.
  ensurePrivateFileSync(file, [`${file}-wal`, `${file}-shm`]);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('secure_delete = ON'); // erased rows are overwritten, not left in free pages (npm run forget)
  db.exec(`
    CREATE TABLE IF NOT EXISTS sessions (
      session_id TEXT PRIMARY KEY, kind TEXT NOT NULL, phase TEXT NOT NULL, source TEXT NOT NULL,
      agent_id TEXT, session_type TEXT, direction TEXT, outcome TEXT, summary TEXT, intent TEXT, resolution TEXT,
      sentiment TEXT, follow_up_due INTEGER NOT NULL, transcript_ref TEXT, transcript_messages INTEGER,
      recording_url TEXT, correlation_json TEXT NOT NULL, event_json TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS follow_ups (
      follow_up_id TEXT PRIMARY KEY, original_session_id TEXT NOT NULL, attempt INTEGER NOT NULL, status TEXT NOT NULL,
      scheduled_at TEXT, call_session_id TEXT, reason TEXT, updated_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS session_events (
      idempotency_key TEXT PRIMARY KEY, session_id TEXT NOT NULL, kind TEXT NOT NULL, recorded_at TEXT NOT NULL
    );
  `);
  addChainColumns(db);
  const insertEvent = db.prepare(
    'INSERT OR IGNORE INTO session_events (idempotency_key, session_id, kind, recorded_at) VALUES (?, ?, ?, ?)',
  );
  const upsert = db.prepare(upsertSessionSql((column) => `@${column}`));
  // A transcript that came after the outcome fills in its columns and changes nothing else.
  const setTranscript = db.prepare(
    'UPDATE sessions SET transcript_ref = ?, transcript_messages = ?, updated_at = ? WHERE session_id = ?',
  );
  // Keeps what an earlier event said when a later one does not repeat it (a chain end names no schedule).
  const upsertFollowUp = db.prepare(`
    INSERT INTO follow_ups VALUES (@follow_up_id, @original_session_id, @attempt, @status, @scheduled_at,
      @call_session_id, @reason, @updated_at)
    ON CONFLICT(follow_up_id) DO UPDATE SET status = excluded.status,
      scheduled_at = COALESCE(excluded.scheduled_at, follow_ups.scheduled_at),
      call_session_id = COALESCE(excluded.call_session_id, follow_ups.call_session_id),
      reason = COALESCE(excluded.reason, follow_ups.reason), updated_at = excluded.updated_at
  `);
  const setChain = db.prepare(setChainSql((column) => `@${column}`));
  const backfillChain = db.prepare(backfillChainSql((column) => `@${column}`));
  const writeFollowUp = (event: FollowUpEvent) => {
    insertEvent.run(event.idempotencyKey, event.originalSessionId, event.kind, event.recordedAt);
    upsertFollowUp.run({
      follow_up_id: event.followUpId,
      original_session_id: event.originalSessionId,
      attempt: event.attempt,
      status: event.kind.replace('follow-up.', ''),
      scheduled_at: event.scheduledAt ?? null,
      call_session_id: event.callSessionId ?? null,
      reason: event.reason ?? null,
      updated_at: event.recordedAt,
    });
    setChain.run({
      chain_state: event.kind.replace('follow-up.', ''),
      chain_attempt: event.attempt,
      chain_reason: event.reason ?? null,
      chain_updated_at: event.recordedAt,
      session_id: event.originalSessionId,
    });
  };
  const writeOutcome = (event: OutcomeEvent) => {
    insertEvent.run(event.idempotencyKey, event.sessionId, event.kind, event.recordedAt);
    if (event.kind === 'transcript-archived') {
      setTranscript.run(
        event.transcript?.ref ?? null,
        event.transcript?.messages ?? null,
        event.recordedAt,
        event.sessionId,
      );
      return;
    }
    upsert.run({
      session_id: event.sessionId,
      kind: event.kind,
      phase: event.phase,
      source: event.source,
      agent_id: event.agentId ?? null,
      session_type: event.sessionType ?? null,
      direction: event.direction ?? null,
      outcome: event.outcome ?? null,
      summary: event.summary ?? null,
      intent: event.intent ?? null,
      resolution: event.resolution ?? null,
      sentiment: event.sentiment ?? null,
      follow_up_due: event.followUpDue ? 1 : 0,
      transcript_ref: event.transcript?.ref ?? null,
      transcript_messages: event.transcript?.messages ?? null,
      recording_url: event.recordingUrl ?? null,
      correlation_json: JSON.stringify(event.correlation),
      event_json: JSON.stringify(event),
      updated_at: event.recordedAt,
    });
    backfillChain.run({ session_id: event.sessionId });
  };
  const recordedKind = db.prepare(RECORDED_KIND_SQL('?'));
  const write = db.transaction((event: ExternalEvent) =>
    isFollowUpEvent(event) ? writeFollowUp(event) : writeOutcome(event),
  );
  return {
    name: 'sqlite',
    db,
    record: (event) => Promise.resolve(write(event)),
    erasure: sqliteErasure(db),
    recordedKind: (sessionId) =>
      Promise.resolve((recordedKind.get(sessionId) as { kind: string } | undefined)?.kind ?? undefined),
  };
}

/** The chain columns, added after the table's first shape (SQLite has no migrations here): old files get them too. */
function addChainColumns(db: Database.Database): void {
  const present = new Set((db.prepare('PRAGMA table_info(sessions)').all() as { name: string }[]).map((c) => c.name));
  const wanted = { chain_state: 'TEXT', chain_attempt: 'INTEGER', chain_reason: 'TEXT', chain_updated_at: 'TEXT' };
  for (const [column, type] of Object.entries(wanted)) {
    if (!present.has(column)) db.exec(`ALTER TABLE sessions ADD COLUMN ${column} ${type}`);
  }
}
