import { loadConfig } from '../config';
import { createLogger } from '../logging';
import { startApi } from './server';

/** Entry point of the webhook API on its own (production, compose). */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const api = await startApi(config, logger);
  logger.info({ port: api.port }, 'webhook API listening');
  process.once('SIGTERM', () => void api.close().then(() => process.exit(0)));
  process.once('SIGINT', () => void api.close().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
