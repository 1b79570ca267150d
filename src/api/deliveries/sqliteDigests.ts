import Database from 'better-sqlite3';
import path from 'node:path';
import { ensurePrivateDirSync, ensurePrivateFileSync } from '../../store/privateFiles';
import { DIGEST_RETENTION_MS, PRUNE_INTERVAL_MS, type DeliveryDigests } from './digests';

/**
 * The digests in a SQLite file of the API's own, for the one-host deployment without DATABASE_URL. A file of its own
 * (not the worker's outcome store) because the API may run in another container than the worker.
 */
export function createSqliteDigests(file: string, now: () => number = Date.now): DeliveryDigests {
  ensurePrivateDirSync(path.dirname(path.resolve(file)));
  ensurePrivateFileSync(file, [`${file}-wal`, `${file}-shm`]);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS delivery_digests (
      message_key TEXT PRIMARY KEY, body_digest TEXT NOT NULL, first_seen INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS delivery_digests_first_seen ON delivery_digests (first_seen);
  `);
  const insert = db.prepare(
    'INSERT INTO delivery_digests (message_key, body_digest, first_seen) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const read = db.prepare<[string], { body_digest: string }>(
    'SELECT body_digest FROM delivery_digests WHERE message_key = ?',
  );
  const prune = db.prepare('DELETE FROM delivery_digests WHERE first_seen < ?');
  let prunedAt = 0;

  return {
    claim(key, digest) {
      const at = now();
      if (at - prunedAt > PRUNE_INTERVAL_MS) {
        prunedAt = at;
        prune.run(at - DIGEST_RETENTION_MS);
      }
      if (insert.run(key, digest, at).changes === 1) return Promise.resolve('first');
      return Promise.resolve(read.get(key)?.body_digest === digest ? 'same' : 'conflict');
    },
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}
