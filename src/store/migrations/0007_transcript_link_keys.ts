import type { Migration } from '.';

/** One random key per session that transcript links are signed with; erasure deletes it, revoking them all. */
export const transcriptLinkKeys: Migration = {
  version: 7,
  name: 'transcript_link_keys',
  sql: `
    CREATE TABLE transcript_link_keys (
      session_id TEXT PRIMARY KEY,
      link_key TEXT NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
  `,
};
