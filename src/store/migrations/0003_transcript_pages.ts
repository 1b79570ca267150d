import type { Migration } from '.';

/** The pages of a transcript being archived, so a retried archive on any worker resumes after them. */
export const transcriptPages: Migration = {
  version: 3,
  name: 'transcript_pages',
  sql: `
    CREATE TABLE transcript_pages (
      session_id TEXT NOT NULL, page INTEGER NOT NULL, messages JSONB NOT NULL, saved_at TIMESTAMPTZ NOT NULL,
      PRIMARY KEY (session_id, page)
    );
  `,
};
