import { loadConfig, requireFor } from '../config';
import { createLogger } from '../logging';
import { workerMetricsHost } from '../config/observability';
import { installConfiguredTracing } from '../observability/tracing';
import { runWorker } from '../worker/run';
import { installRuntime } from '../worker/runtime';
import { fatal } from './fatal';

/** A worker on its own (production, compose). SIGTERM stops polling and lets in-flight tasks finish. */
async function main() {
  const config = requireFor('worker', loadConfig());
  const logger = createLogger(config.LOG_LEVEL);
  installRuntime(config.LOG_LEVEL, config.WORKER_METRICS_PORT, workerMetricsHost(config));
  const tracing = installConfiguredTracing(config, 'agntix-worker');
  const worker = await runWorker(config, logger);
  logger.info(
    { metricsPort: config.WORKER_METRICS_PORT, tracing: tracing !== undefined },
    'worker metrics and tracing',
  );
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void worker.stop());
  await worker.done.finally(() => tracing?.shutdown());
}

main().catch(fatal);
