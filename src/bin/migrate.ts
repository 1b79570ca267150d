import { loadConfig } from '../config';
import { createLogger } from '../logging';
import { migrateDatabase } from '../store/migrate';
import { fatal } from './fatal';

/** `npm run db:migrate`: brings DATABASE_URL to this build's schema (workers also do it at start-up). */
async function main() {
  const config = loadConfig();
  if (!config.DATABASE_URL)
    throw new Error('DATABASE_URL is not set: nothing to migrate (the SQLite store needs none)');
  await migrateDatabase(config.DATABASE_URL, createLogger(config.LOG_LEVEL));
}

main().catch(fatal);
