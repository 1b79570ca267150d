import type { Migration } from '.';

/** The dial ledger (src/store/dialLedger.ts): erasure never deletes from it, it holds nothing personal. */
export const dialLedger: Migration = {
  version: 4,
  name: 'dial_ledger',
  sql: `
    CREATE TABLE dial_ledger (key_hash TEXT PRIMARY KEY, claimed_at TIMESTAMPTZ NOT NULL);
  `,
};
