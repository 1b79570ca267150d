import { z } from 'zod';

/** A duration in milliseconds, written as a plain integer. */
const millis = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Space- or comma-separated list, so a webhook secret can be rotated with two values set at once. */
const secretList = z
  .string()
  .transform((raw) => raw.split(/[\s,]+/).filter((s) => s.length > 0))
  .refine((list) => list.length > 0, 'must hold at least one secret')
  .refine((list) => list.every((s) => s.startsWith('whsec_')), 'each secret must start with whsec_');

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/**
 * Every setting the service reads, in one schema. Temporal connection security (TLS, mTLS, API key) is not here:
 * it follows the Temporal SDK's own environment conventions (TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE),
 * read by `@temporalio/envconfig` in `src/temporal/connection.ts`.
 */
export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('agntix-sessions'),
  AGNTIX_API_URL: z.url().default('https://api.agntix.ai'),
  AGNTIX_API_KEY: optionalText,
  AGNTIX_WEBHOOK_SECRET: secretList.optional(),
  /** Answer 503 before this, well inside Svix's 15 s delivery timeout. */
  INGEST_DEADLINE_MS: millis(10_000),
  /** Seconds Svix is told to wait before retrying a delivery we could not record. */
  INGEST_RETRY_AFTER_SECONDS: z.coerce.number().int().positive().default(5),
  WEBHOOK_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Where `npm start` keeps its dev-server database and generated secrets. */
  DATA_DIR: z.string().min(1).default('.data'),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Thrown for a bad or missing setting; its message is one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once at an entry point. Pass `env` explicitly in tests. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = issue?.path.join('.') ?? 'configuration';
    throw new ConfigError(`Invalid configuration: ${variable} ${issue?.message ?? 'is invalid'}`);
  }
  const config = result.data;
  if (config.NODE_ENV === 'production' && config.AGNTIX_WEBHOOK_SECRET === undefined) {
    throw new ConfigError('Invalid configuration: AGNTIX_WEBHOOK_SECRET is required when NODE_ENV=production');
  }
  return config;
}
