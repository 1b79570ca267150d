import { loadConfig } from '../config';
import { createLogger } from '../logging';
import { startApi } from '../api/server';
import { fatal } from './fatal';

/** The webhook API on its own (production, compose). SIGTERM stops accepting and drains in-flight deliveries. */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const api = await startApi(config, logger);
  logger.info({ port: api.port }, 'webhook API listening');
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => void api.close().then(() => process.exit(0)));
}

main().catch(fatal);
