import type { Migration } from '.';

/** The first body digest of each Svix message the API took (src/api/deliveries): a second body is refused. */
export const deliveryDigests: Migration = {
  version: 5,
  name: 'delivery_digests',
  sql: `
    CREATE TABLE delivery_digests (
      message_key TEXT PRIMARY KEY, body_digest TEXT NOT NULL, first_seen TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX delivery_digests_first_seen ON delivery_digests (first_seen);
  `,
};
