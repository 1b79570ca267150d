import { z } from 'zod';
import { AutomationConfig } from './automations/activities';
import { DateList, NamedWindows, TimeRange, TimeZone, Weekdays } from './configParsers';
import { DEFAULT_TASK_QUEUE } from './contracts';
import { PrivacyConfig, privacyConfigProblem } from './privacyConfig';

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
export const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
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
    /** API paths: the docs use two families (API.md section 0); the documented outbound-calling one by default. */
    AGNTIX_SESSION_PATH: z.string().startsWith('/').default('/api/v1/chat/sessions/{id}'),
    AGNTIX_MESSAGES_PATH: z.string().startsWith('/').default('/api/v1/chat/sessions/{id}/messages'),
    AGNTIX_API_TIMEOUT_MS: millis(10_000),
    /** Asked for per transcript page; the API may clamp it (max 100), and the loop follows whatever it returns. */
    TRANSCRIPT_PAGE_SIZE: z.coerce.number().int().min(1).max(100).default(100),
    TRANSCRIPT_MAX_PAGES: z.coerce.number().int().positive().default(200),
    /** Transcript archive directory; defaults to DATA_DIR/transcripts. */
    TRANSCRIPT_DIR: optionalText,
    OUTCOME_WEBHOOK_URL: optionalText.pipe(z.url().optional()),
    OUTCOME_WEBHOOK_SECRET: optionalText.pipe(z.string().startsWith('whsec_').optional()),
    OUTCOME_WEBHOOK_TIMEOUT_MS: millis(10_000),
    /** The local SQLite outcome store: a file path, or "off". Defaults to DATA_DIR/outcomes.sqlite. */
    OUTCOME_SQLITE_PATH: optionalText,
    SESSION_VOICE_TTL_SECONDS: z.coerce.number().int().positive().default(600),
    SESSION_END_GRACE_SECONDS: z.coerce.number().int().nonnegative().default(300),
    SESSION_CHAT_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(3600),
    SESSION_RECONCILE_ATTEMPTS: z.coerce.number().int().nonnegative().max(20).default(3),
    SESSION_RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().positive().default(900),
    CALLBACK_FIELD: z.string().min(1).default('callbackRequested'),
    /** Follow-up calls: the agent's field names for the wished day and window (the API examples' by default). */
    FOLLOWUP_DAY_FIELD: z.string().min(1).default('preferredDay'),
    FOLLOWUP_WINDOW_FIELD: z.string().min(1).default('preferredTimeWindow'),
    AGNTIX_CALLS_START_PATH: z.string().startsWith('/').default('/api/v1/phone-numbers/{id}/calls/start'),
    /** The outbound number follow-ups are dialled from; without it no follow-up is placed (and the session says so). */
    AGNTIX_PHONE_NUMBER_ID: optionalText,
    /** The agent for follow-up calls; the original session's agent when unset. */
    FOLLOWUP_AGENT_ID: optionalText,
    FOLLOWUP_CALL_TTL_SECONDS: z.coerce.number().int().positive().default(300),
    FOLLOWUP_CALL_TIMEOUT_MS: millis(15_000),
    FOLLOWUP_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
    FOLLOWUP_MAX_DIALS: z.coerce.number().int().min(1).max(10).default(3),
    FOLLOWUP_CONFIRM_GRACE_SECONDS: z.coerce.number().int().positive().default(300),
    FOLLOWUP_TIME_ZONE: TimeZone.default('UTC'),
    FOLLOWUP_CALLING_HOURS: TimeRange.prefault('09:00-18:00'),
    FOLLOWUP_CALLING_DAYS: Weekdays.prefault('mon,tue,wed,thu,fri'),
    FOLLOWUP_HOLIDAYS: DateList.prefault(''),
    FOLLOWUP_WINDOWS: NamedWindows.prefault('morning=09:00-12:00,afternoon=12:00-17:00,evening=17:00-20:00'),
    FOLLOWUP_MIN_DELAY_MINUTES: z.coerce.number().nonnegative().default(30),
    FOLLOWUP_DEFAULT_DELAY_MINUTES: z.coerce.number().nonnegative().default(120),
    /** The post-call rules: JSON, or a module exporting `ruleSet` (docs/authoring.md). */
    AUTOMATION_RULES_FILE: z.string().min(1).default('src/automations/rules.json'),
    /** Where `npm start` keeps its dev-server database and generated secrets. */
    DATA_DIR: z.string().min(1).default('.data'),
  })
  .extend(AutomationConfig.shape)
  .extend(PrivacyConfig.shape);

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
  if (config.OUTCOME_WEBHOOK_URL && !config.OUTCOME_WEBHOOK_SECRET) {
    throw new ConfigError('Invalid configuration: OUTCOME_WEBHOOK_SECRET is required when OUTCOME_WEBHOOK_URL is set');
  }
  const privacy = privacyConfigProblem(config);
  if (privacy) throw new ConfigError(`Invalid configuration: ${privacy}`);
  return config;
}
