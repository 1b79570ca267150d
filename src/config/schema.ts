import { z } from 'zod';
import { AutomationConfig } from '../automations/activities';
import { DEFAULT_TASK_QUEUE } from '../contracts';
import {
  DEFAULT_MAX_DAYS_AHEAD,
  DEFAULT_MAX_TTL_SECONDS,
  DEFAULT_OPERATOR_GRACE_SECONDS,
  DEFAULT_TRANSCRIPT_WAIT_SECONDS,
} from '../contracts/policy';
import { DateList, NamedWindows, TimeRange, TimeZone, Weekdays } from './calling';
import { millis, optionalText, port, splitList } from './fields';
import { hubspotConfigFields } from './hubspot';
import { ObservabilityConfig } from './observability';
import { outcomeWebhookConfigFields } from './outcomeWebhook';
import { PrivacyConfig } from './privacy';
import { whsecProblem } from './secrets';

/** The sessions list (API.md 7.5); the one default the client and the settings share. */
export const DEFAULT_SESSIONS_PATH = '/v1/chat/chat/sessions';

/** Space- or comma-separated list, so a webhook secret can be rotated with two values set at once. */
const secretList = z
  .string()
  .transform(splitList)
  .refine((list) => list.length > 0, 'must hold at least one secret')
  .superRefine((list, ctx) => {
    list.forEach((secret, i) => {
      const problem = whsecProblem(secret);
      if (problem)
        ctx.addIssue({
          code: 'custom',
          message: list.length > 1 ? `secret ${i + 1} of ${list.length} ${problem}` : problem,
        });
    });
  });

/**
 * Every setting the service reads, in one schema. Temporal connection security (TLS, mTLS, API key) is not here:
 * it follows the Temporal SDK's own environment conventions (TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE),
 * read by `@temporalio/envconfig` in `src/temporal/connection.ts`.
 */
export const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    PORT: port.default(3000),
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
    /**
     * Larger deliveries get 413. A session.ended carries no transcript (it is fetched later): the examples are 0.6 to
     * 2.8 KB, and 64 KiB is over twenty times the largest. Each delivery is signalled whole into the session's
     * history, so this is also its history budget: a session records a handful of distinct Svix messages
     * (redeliveries of one message add nothing, see src/api/requestId.ts), each one signal event of at most this
     * size plus about three workflow-task events. Even 100 distinct messages come to 6.4 MB and some 400 events,
     * far from Temporal's limits of 50 MB and 51,200 events (and its 10 MB / 10,240 warnings).
     */
    WEBHOOK_MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(64 * 1024),
    /** Open HTTP connections the API accepts at once (src/api/httpServer.ts); past it new ones are dropped. */
    HTTP_MAX_CONNECTIONS: z.coerce.number().int().positive().default(1024),
    /**
     * Open connections of one client at once (src/api/connectionBudget.ts). Svix delivers from a few addresses with
     * bounded concurrency; behind a proxy set HTTP_CLIENT_ADDRESS_HEADER, or the proxy is the one client.
     */
    HTTP_MAX_CONNECTIONS_PER_CLIENT: z.coerce.number().int().positive().default(256),
    /** Idle time of a connection that has not sent a signed delivery (health checks, scanners). */
    HTTP_UNSIGNED_IDLE_TIMEOUT_MS: millis(5_000),
    /**
     * Off by default. Set only when a proxy in front sets this header (e.g. x-forwarded-for): the client address is
     * then its last entry. Reached directly, any client could write the header and pose as many.
     */
    HTTP_CLIENT_ADDRESS_HEADER: optionalText.pipe(
      z
        .string()
        .regex(/^[a-z0-9-]+$/i, 'must be a header name')
        .transform((h) => h.toLowerCase())
        .optional(),
    ),
    /**
     * The API's record of each Svix message's first body (src/api/deliveries), without DATABASE_URL: a file path.
     * Defaults to DATA_DIR/deliveries.sqlite. With DATABASE_URL the shared store holds it.
     */
    INGEST_DIGESTS_SQLITE_PATH: optionalText,
    /** Idle keep-alive; keep it above a load balancer's idle timeout (src/api/httpServer.ts). */
    HTTP_KEEP_ALIVE_TIMEOUT_MS: millis(65_000),
    /** API paths: the docs use two families (API.md section 0); the documented outbound-calling one by default. */
    AGNTIX_SESSION_PATH: z.string().startsWith('/').default('/api/v1/chat/sessions/{id}'),
    AGNTIX_MESSAGES_PATH: z.string().startsWith('/').default('/api/v1/chat/sessions/{id}/messages'),
    AGNTIX_API_TIMEOUT_MS: millis(10_000),
    /** Asked for per transcript page; the API may clamp it (max 100), and the loop follows whatever it returns. */
    TRANSCRIPT_PAGE_SIZE: z.coerce.number().int().min(1).max(100).default(100),
    TRANSCRIPT_MAX_PAGES: z.coerce.number().int().positive().default(200),
    /** Transcript archive directory; defaults to DATA_DIR/transcripts. */
    TRANSCRIPT_DIR: optionalText,
    ...outcomeWebhookConfigFields,
    /** The local SQLite outcome store: a file path, or "off". Defaults to DATA_DIR/outcomes.sqlite. */
    OUTCOME_SQLITE_PATH: optionalText,
    SESSION_VOICE_TTL_SECONDS: z.coerce.number().int().positive().default(600),
    SESSION_END_GRACE_SECONDS: z.coerce.number().int().nonnegative().default(300),
    SESSION_CHAT_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(3600),
    SESSION_RECONCILE_ATTEMPTS: z.coerce.number().int().nonnegative().max(20).default(3),
    SESSION_RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().positive().default(900),
    /**
     * After an expiry, how long a late session.ended still replaces it (the platform retries a webhook for 24 h):
     * one timer per expired session. 0 makes expiry final; at most 7 days, so an expired run never outlives retention.
     */
    SESSION_LATE_END_WINDOW_SECONDS: z.coerce
      .number()
      .int()
      .nonnegative()
      .max(7 * 86_400)
      .default(86_400),
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
    /**
     * The shared store of several replicas: outcomes, follow-ups and transcripts in PostgreSQL. Unset: the embedded
     * defaults (SQLite file, local transcript folder), fine on one machine.
     */
    DATABASE_URL: optionalText.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
        .optional(),
    ),
    /** Signs the transcript links the API serves (with DATABASE_URL); the same value on the API and the workers. */
    TRANSCRIPT_LINK_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    /**
     * Keys the hashes in the dial ledger (src/store/dialLedger.ts); the same value on every worker sharing the store,
     * and never changed: a new key forgets every dial made before it. Unset: a development key (with a warning).
     */
    DIAL_LEDGER_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    /**
     * How long a transcript link sent to an external system stays valid: short, since a link is customer data in
     * whoever's hands; `npm run transcript-link` issues a fresh one.
     */
    TRANSCRIPT_LINK_TTL_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .max(7 * 24 * 3600)
      .default(3600),
    /** Where the webhook API is reached from outside (load balancer), for transcript links; http://localhost:PORT by default. */
    PUBLIC_BASE_URL: optionalText.pipe(z.url().optional()),
    /** Worker Deployment versioning (both or neither): the deployment's name and this build's id, e.g. a git SHA. */
    WORKER_DEPLOYMENT_NAME: optionalText,
    WORKER_BUILD_ID: optionalText,
    /** A worker answers GET /healthz on this port (orchestrator health checks); none when unset. */
    WORKER_HEALTH_PORT: port.optional(),
    /** Where `npm start` keeps its dev-server database and generated secrets. */
    DATA_DIR: z.string().min(1).default('.data'),
    /** The HubSpot sink (docs/hubspot.md): on when HUBSPOT_ACCESS_TOKEN is set. */
    ...hubspotConfigFields,
    /** A session variable `ttl` above this many seconds is read as this: payloads must not set unbounded timers. */
    SESSION_MAX_TTL_SECONDS: z.coerce.number().int().positive().default(DEFAULT_MAX_TTL_SECONDS),
    /** A wished callback day further ahead than this is read as that many days from today. */
    FOLLOWUP_MAX_DAYS_AHEAD: z.coerce.number().int().min(1).max(365).default(DEFAULT_MAX_DAYS_AHEAD),
    /** How long the outcome waits for the transcript; past it, the outcome goes first and the transcript follows. */
    TRANSCRIPT_WAIT_SECONDS: z.coerce.number().int().nonnegative().max(3600).default(DEFAULT_TRANSCRIPT_WAIT_SECONDS),
    /** After an ambiguous dial, how long (from the dial) a late webhook may still confirm it before an operator decides. */
    /** After an empty sessions list, how long before it is read again: a dial is proven absent only by both reads.
     * At most 60: both reads sit in one activity of 2 minutes. */
    FOLLOWUP_ABSENCE_SETTLE_SECONDS: z.coerce.number().int().min(0).max(60).default(30),
    FOLLOWUP_OPERATOR_GRACE_SECONDS: z.coerce.number().int().positive().default(DEFAULT_OPERATOR_GRACE_SECONDS),
    /** The sessions list, read to settle an ambiguous dial (API.md 7.5). */
    AGNTIX_SESSIONS_PATH: z.string().startsWith('/').default(DEFAULT_SESSIONS_PATH),
    /**
     * The worker's sticky cache of workflows. The SDK's default, sized from the heap limit, keeps every open session
     * cached (about 2,300 on a 4 GB heap) at ~0.4 MB each; an evicted session replays its short history at its next
     * task, which cost no throughput at 150 sessions in flight (docs/benchmarks.md, issue #16).
     */
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(100),
  })
  .extend(AutomationConfig.shape)
  .extend(ObservabilityConfig.shape)
  .extend(PrivacyConfig.shape);

export type Config = z.infer<typeof ConfigSchema>;
