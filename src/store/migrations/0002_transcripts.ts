import type { Migration } from '.';

/** Transcripts, so any worker can archive one and any API replica can serve it. */
export const transcripts: Migration = {
  version: 2,
  name: 'transcripts',
  sql: `
    CREATE TABLE transcripts (
      session_id TEXT PRIMARY KEY, messages JSONB NOT NULL, message_count INTEGER NOT NULL,
      stored_at TIMESTAMPTZ NOT NULL
    );
  `,
};
