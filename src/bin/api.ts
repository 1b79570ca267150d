import { loadConfig, requireFor } from '../config';
import { createLogger } from '../logging';
import { startApi } from '../api/server';
import { installConfiguredTracing } from '../observability/tracing';
import { fatal } from './fatal';

/** The webhook API on its own (production, compose). SIGTERM stops accepting and drains in-flight deliveries. */
async function main() {
  const config = requireFor('api', loadConfig());
  const logger = createLogger(config.LOG_LEVEL);
  const tracing = installConfiguredTracing(config, 'agntix-api');
  const api = await startApi(config, logger);
  logger.info({ port: api.port, tracing: tracing !== undefined }, 'webhook API listening');
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(
      signal,
      () =>
        void api
          .close()
          .then(() => tracing?.shutdown())
          .then(() => process.exit(0)),
    );
}

main().catch(fatal);
