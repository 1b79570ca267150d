import type { Migration } from '.';

/** The outcome store: the same tables, columns and idempotency keys as the embedded SQLite store. */
export const outcomes: Migration = {
  version: 1,
  name: 'outcomes',
  sql: `
    CREATE TABLE sessions (
      session_id TEXT PRIMARY KEY, kind TEXT NOT NULL, phase TEXT NOT NULL, source TEXT NOT NULL,
      agent_id TEXT, session_type TEXT, direction TEXT, outcome TEXT, summary TEXT, intent TEXT, resolution TEXT,
      sentiment TEXT, follow_up_due BOOLEAN NOT NULL, transcript_ref TEXT, transcript_messages INTEGER,
      recording_url TEXT, correlation_json JSONB NOT NULL, event_json JSONB NOT NULL, updated_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE follow_ups (
      follow_up_id TEXT PRIMARY KEY, original_session_id TEXT NOT NULL, attempt INTEGER NOT NULL,
      status TEXT NOT NULL, scheduled_at TIMESTAMPTZ, call_session_id TEXT, reason TEXT, updated_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX follow_ups_by_original_session ON follow_ups (original_session_id);
    CREATE TABLE session_events (
      idempotency_key TEXT PRIMARY KEY, session_id TEXT NOT NULL, kind TEXT NOT NULL, recorded_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX session_events_by_session ON session_events (session_id);
  `,
};
