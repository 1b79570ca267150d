import { Pool } from 'pg';
import type { Logger } from '../logging';

/**
 * One connection pool per process for the shared store. Bounded so several replicas fit in PostgreSQL's
 * max_connections; a statement that hangs fails within the activity's timeout instead of holding a connection.
 */
export function createPostgresPool(url: string, logger: Pick<Logger, 'warn'>, applicationName: string): Pool {
  const pool = new Pool({
    connectionString: url,
    max: 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    statement_timeout: 30_000,
    application_name: applicationName,
  });
  // An idle client losing its connection (a PostgreSQL restart) must not crash the process; the pool replaces it.
  pool.on('error', (err) => logger.warn({ err: err.message }, 'PostgreSQL connection lost; the pool reconnects'));
  return pool;
}

/** PostgreSQL text cannot hold a NUL character (SQLite can); drop it rather than fail the write on every retry. */
export function withoutNul(text: string): string;
export function withoutNul(text: string | undefined): string | undefined;
export function withoutNul(text: string | undefined): string | undefined {
  return text?.replace(/\0/g, '');
}

/** JSON for a jsonb column: NUL characters dropped from every string, for the same reason. */
export const jsonForPostgres = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? withoutNul(v) : v));
