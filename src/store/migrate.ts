import type { Pool } from 'pg';
import type { Logger } from '../logging';
import { migrations as allMigrations, type Migration } from './migrations';
import { createPostgresPool } from './postgres';

/** An arbitrary constant: the advisory lock every migrating process takes, so two workers starting at once queue. */
const MIGRATION_LOCK = 4_812_263_001;

/**
 * Applies the migrations this database has not seen, in order, each in its own transaction, and records them in
 * schema_migrations. Safe to run from every worker at start-up and from the setup command at the same time: the
 * session-level advisory lock serializes them, and the second finds nothing left to do. A database ahead of this
 * build (a newer version rolled out, this one rolled back) is left as it is: migrations only add, so older code
 * keeps working on a newer schema.
 */
export async function migrate(
  pool: Pool,
  migrations: readonly Migration[] = allMigrations,
): Promise<{ applied: number[]; current: number }> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )`);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const done = new Set(rows.map((r) => r.version));
      const applied: number[] = [];
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
            migration.version,
            migration.name,
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(
            `migration ${migration.version} (${migration.name}) failed: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
        applied.push(migration.version);
      }
      return { applied, current: Math.max(0, ...done, ...applied) };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** Brings the database at `url` to this build's schema with a short-lived pool (worker start-up, setup command). */
export async function migrateDatabase(url: string, logger: Pick<Logger, 'info' | 'warn'>): Promise<void> {
  const pool = createPostgresPool(url, logger, 'agntix-migrate');
  try {
    const { applied, current } = await migrate(pool);
    logger.info(
      { applied, schemaVersion: current },
      applied.length > 0 ? 'database migrated' : 'database schema up to date',
    );
  } finally {
    await pool.end();
  }
}
