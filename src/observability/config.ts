import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);

/** The observability settings, validated with the rest of the configuration (src/config.ts). */
export const ObservabilityConfig = z.object({
  /** The worker's Prometheus endpoint (SDK and service metrics): a port, or "off". */
  WORKER_METRICS_PORT: z
    .union([z.literal('off'), port])
    .default(9464)
    .transform((value) => (value === 'off' ? undefined : value)),
});

export type ObservabilityConfig = z.infer<typeof ObservabilityConfig>;
