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
  /** OTLP/HTTP collector base URL (spans go to <url>/v1/traces); tracing is off when unset. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.pipe(z.url().optional()),
  /** The service name on every span; each entry point has its own default. */
  OTEL_SERVICE_NAME: optionalText,
});

export type ObservabilityConfig = z.infer<typeof ObservabilityConfig>;
