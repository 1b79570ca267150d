import { loadConfig } from '../config';
import { createLogger } from '../logging';
import { startCodecServer } from '../temporal/codecServer';
import { fatal } from './fatal';

/**
 * `npm run start:codec-server`: the codec server operators' Web UI decodes payloads through, on its own. Runs only
 * where configured: it needs PAYLOAD_ENCRYPTION_KEYS, and in production CODEC_CORS_ORIGINS and a way to authenticate.
 */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const server = await startCodecServer(config, logger);
  logger.info({ url: server.url }, 'codec server listening');
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => void server.close().then(() => process.exit(0)));
}

main().catch(fatal);
