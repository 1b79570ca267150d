import { loadConfig } from '../config';
import { createLogger } from '../logging';
import { runWorker } from './run';
import { installRuntime } from './runtime';

/** Entry point of a worker on its own (production, compose). The SDK drains in-flight tasks on SIGTERM. */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  installRuntime(config.LOG_LEVEL);
  const worker = await runWorker(config, logger);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void worker.stop());
  await worker.done;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
