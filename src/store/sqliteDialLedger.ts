import type Database from 'better-sqlite3';
import { dialKeyHash, type DialLedger } from './dialLedger';

/** The dial ledger in the embedded SQLite store (the outcome store's file, so it shares its backups). */
export function createSqliteDialLedger(db: Database.Database, secret: string): DialLedger {
  db.exec('CREATE TABLE IF NOT EXISTS dial_ledger (key_hash TEXT PRIMARY KEY, claimed_at TEXT NOT NULL)');
  const insert = db.prepare('INSERT OR IGNORE INTO dial_ledger (key_hash, claimed_at) VALUES (?, ?)');
  return {
    claim: (key) => Promise.resolve(insert.run(dialKeyHash(secret, key), new Date().toISOString()).changes === 1),
  };
}
