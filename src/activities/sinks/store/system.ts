import path from 'node:path';
import type { Config } from '../../../config';
import type { ExternalSystem } from '../system';
import { createPostgresSink } from './postgresStore';
import { createSqliteSink } from './sqliteStore';

/**
 * This service's own store: PostgreSQL shared by every replica with DATABASE_URL, else (or also, when asked for by
 * path) the SQLite file of one host. Labels and ids only by default: it is the place `npm run forget` erases.
 */
export const storeSystem: ExternalSystem = {
  name: 'store',
  sinkNames: ['postgres', 'sqlite'],
  settings: ['DATABASE_URL', 'OUTCOME_SQLITE_PATH', 'DATA_DIR'],
  receives: { phone: false, summary: false, transcript: true },
  configured: (config) => Boolean(config.DATABASE_URL) || sqlitePathFrom(config, false) !== undefined,
  build: ({ config, pool, onClose }) => {
    const sinks = pool ? [createPostgresSink(pool)] : [];
    const file = sqlitePathFrom(config, Boolean(pool));
    if (file) {
      const sqlite = createSqliteSink(file);
      onClose(() => sqlite.db.close());
      sinks.push(sqlite);
    }
    return sinks;
  },
};

/** The per-host SQLite outcome store: by default in DATA_DIR, unless PostgreSQL is the store; "off" for none. */
function sqlitePathFrom(config: Config, sharedStore: boolean): string | undefined {
  const file = sharedStore
    ? config.OUTCOME_SQLITE_PATH
    : (config.OUTCOME_SQLITE_PATH ?? path.join(config.DATA_DIR, 'outcomes.sqlite'));
  return file === 'off' ? undefined : file;
}
