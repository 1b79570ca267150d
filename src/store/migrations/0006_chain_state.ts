import type { Migration } from '.';

/** Where the customer stands once the session has closed: its follow-up chain's last state (sessionRows.ts). */
export const chainState: Migration = {
  version: 6,
  name: 'chain_state',
  sql: `
    ALTER TABLE sessions ADD COLUMN chain_state TEXT, ADD COLUMN chain_attempt INTEGER, ADD COLUMN chain_reason TEXT,
      ADD COLUMN chain_updated_at TIMESTAMPTZ;
  `,
};
