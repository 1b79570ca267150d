import { z } from 'zod';
import { optionalText } from './fields';

const port = z.coerce.number().int().min(1).max(65535);

/**
 * The observability settings, validated with the rest of the configuration (src/config/). The OpenTelemetry
 * variables keep their standard names, so a collector's usual setup applies unchanged.
 */
export const ObservabilityConfig = z.object({
  /** The worker's Prometheus endpoint (SDK and service metrics): a port, or "off". */
  WORKER_METRICS_PORT: z
    .union([z.literal('off'), port])
    .default(9464)
    .transform((value) => (value === 'off' ? undefined : value)),
  /**
   * The interface the worker's metrics listen on. Unset: every interface with NODE_ENV=production (Prometheus
   * scrapes the container from outside), the loopback one otherwise (a developer's laptop on a shared network).
   */
  WORKER_METRICS_HOST: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
  /** OTLP/HTTP collector base URL (spans go to <url>/v1/traces); tracing is off when unset. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.pipe(z.url().optional()),
  /** The service name on every span; each entry point has its own default. */
  OTEL_SERVICE_NAME: optionalText,
});

export type ObservabilityConfig = z.infer<typeof ObservabilityConfig>;

/** Where the worker's metrics listen (see WORKER_METRICS_HOST). */
export const workerMetricsHost = (config: ObservabilityConfig & { NODE_ENV: string }): string =>
  config.WORKER_METRICS_HOST ?? (config.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1');
