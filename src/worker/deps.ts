import path from 'node:path';
import type { ActivityDeps } from '../activities';
import { createAgntixClient } from '../activities/agntix/client';
import { createCallsClient } from '../activities/agntix/calls';
import { hubspotSinkFrom } from '../activities/sinks/hubspot/sink';
import { createOutcomeWebhookSink } from '../activities/sinks/outcomeWebhook';
import { createPostgresSink } from '../activities/sinks/postgresStore';
import { createSqliteSink } from '../activities/sinks/sqliteStore';
import type { OutcomeSink } from '../activities/sinks/types';
import { createLocalTranscriptStore } from '../activities/agntix/transcripts';
import type { Config } from '../config';
import type { Logger } from '../logging';
import { loadRuleSet } from '../automations/ruleSchema';
import * as automationWorkflows from '../automations/workflows';
import { createPostgresPool } from '../store/postgres';
import { createPostgresTranscriptStore } from '../store/postgresTranscripts';
import { transcriptLinkSettingsFrom } from '../store/transcriptLinks';
import type { FollowUpPolicy } from '../workflows/policy';
import { searchIndexFrom } from '../privacyConfig';
import { sharingPolicyFrom } from './sharingPolicy';

/** Builds the activities' clients and external systems from configuration. */
export function activityDepsFrom(config: Config, logger: Logger): ActivityDeps & { close(): Promise<void> } {
  const sinks: OutcomeSink[] = [];
  const closers: Array<() => unknown> = [];
  // With DATABASE_URL every replica shares PostgreSQL; the per-host SQLite file then runs only if asked for by path.
  const pool = config.DATABASE_URL ? createPostgresPool(config.DATABASE_URL, logger, 'agntix-worker') : undefined;
  if (pool) {
    sinks.push(createPostgresSink(pool));
    closers.push(() => pool.end());
  }
  const sqlitePath = pool
    ? config.OUTCOME_SQLITE_PATH
    : (config.OUTCOME_SQLITE_PATH ?? path.join(config.DATA_DIR, 'outcomes.sqlite'));
  if (sqlitePath && sqlitePath !== 'off') {
    const sqlite = createSqliteSink(sqlitePath);
    sinks.push(sqlite);
    closers.push(() => sqlite.db.close());
  }
  if (config.OUTCOME_WEBHOOK_URL && config.OUTCOME_WEBHOOK_SECRET) {
    sinks.push(
      createOutcomeWebhookSink(
        config.OUTCOME_WEBHOOK_URL,
        config.OUTCOME_WEBHOOK_SECRET,
        config.OUTCOME_WEBHOOK_TIMEOUT_MS,
      ),
    );
  }
  const hubspot = hubspotSinkFrom(config);
  if (hubspot) sinks.push(hubspot);
  if (pool && !config.TRANSCRIPT_LINK_SECRET) {
    logger.warn('TRANSCRIPT_LINK_SECRET is not set: transcript links are signed with a development key');
  }
  if (!config.PAYLOAD_ENCRYPTION_KEYS) {
    logger.warn('PAYLOAD_ENCRYPTION_KEYS is not set: workflow payloads and transcripts are kept in plain text');
  }
  if (!config.AGNTIX_API_KEY) {
    logger.warn('AGNTIX_API_KEY is not set: transcripts and reconciliation with the Agntix API will be skipped');
  }
  return {
    agntix: config.AGNTIX_API_KEY
      ? createAgntixClient({
          baseUrl: config.AGNTIX_API_URL,
          apiKey: config.AGNTIX_API_KEY,
          paths: {
            session: config.AGNTIX_SESSION_PATH,
            messages: config.AGNTIX_MESSAGES_PATH,
            sessions: config.AGNTIX_SESSIONS_PATH,
          },
          timeoutMs: config.AGNTIX_API_TIMEOUT_MS,
        })
      : undefined,
    calls: config.AGNTIX_API_KEY
      ? createCallsClient({
          baseUrl: config.AGNTIX_API_URL,
          apiKey: config.AGNTIX_API_KEY,
          path: config.AGNTIX_CALLS_START_PATH,
          timeoutMs: config.FOLLOWUP_CALL_TIMEOUT_MS,
        })
      : undefined,
    transcripts: pool
      ? createPostgresTranscriptStore(pool, transcriptLinkSettingsFrom(config), config.PAYLOAD_ENCRYPTION_KEYS)
      : createLocalTranscriptStore(
          config.TRANSCRIPT_DIR ?? path.join(config.DATA_DIR, 'transcripts'),
          config.PAYLOAD_ENCRYPTION_KEYS,
        ),
    sinks,
    // Rules may start the engineers' own workflows only, never the core's session or follow-up workflow.
    rules: loadRuleSet(config.AUTOMATION_RULES_FILE, Object.keys(automationWorkflows)),
    transcriptPageSize: config.TRANSCRIPT_PAGE_SIZE,
    maxTranscriptPages: config.TRANSCRIPT_MAX_PAGES,
    policy: {
      voiceTtlSeconds: config.SESSION_VOICE_TTL_SECONDS,
      maxTtlSeconds: config.SESSION_MAX_TTL_SECONDS,
      endGraceSeconds: config.SESSION_END_GRACE_SECONDS,
      chatTimeoutSeconds: config.SESSION_CHAT_TIMEOUT_SECONDS,
      reconcileAttempts: config.SESSION_RECONCILE_ATTEMPTS,
      reconcileIntervalSeconds: config.SESSION_RECONCILE_INTERVAL_SECONDS,
      sinks: sinks.map((s) => s.name),
      transcriptWaitSeconds: config.TRANSCRIPT_WAIT_SECONDS,
      callbackField: config.CALLBACK_FIELD,
      followUp: followUpPolicyFrom(config),
      sharing: sharingPolicyFrom(config),
      searchIndex: searchIndexFrom(config).policy,
    },
    async close() {
      for (const close of closers) await close();
    },
  };
}

/** The follow-up settings a session captures when it starts. */
export function followUpPolicyFrom(config: Config): FollowUpPolicy {
  const disabledBecause = !config.AGNTIX_API_KEY
    ? 'AGNTIX_API_KEY is not set'
    : !config.AGNTIX_PHONE_NUMBER_ID
      ? 'AGNTIX_PHONE_NUMBER_ID is not set'
      : undefined;
  return {
    disabledBecause,
    phoneNumberId: config.AGNTIX_PHONE_NUMBER_ID,
    agentId: config.FOLLOWUP_AGENT_ID,
    ttlSeconds: config.FOLLOWUP_CALL_TTL_SECONDS,
    maxAttempts: config.FOLLOWUP_MAX_ATTEMPTS,
    maxDials: config.FOLLOWUP_MAX_DIALS,
    confirmGraceSeconds: config.FOLLOWUP_CONFIRM_GRACE_SECONDS,
    operatorGraceSeconds: config.FOLLOWUP_OPERATOR_GRACE_SECONDS,
    rules: {
      timeZone: config.FOLLOWUP_TIME_ZONE,
      hours: config.FOLLOWUP_CALLING_HOURS,
      days: config.FOLLOWUP_CALLING_DAYS,
      holidays: config.FOLLOWUP_HOLIDAYS,
      minDelayMs: config.FOLLOWUP_MIN_DELAY_MINUTES * 60_000,
      defaultDelayMs: config.FOLLOWUP_DEFAULT_DELAY_MINUTES * 60_000,
      windows: config.FOLLOWUP_WINDOWS,
      maxDaysAhead: config.FOLLOWUP_MAX_DAYS_AHEAD,
    },
    fields: { day: config.FOLLOWUP_DAY_FIELD, window: config.FOLLOWUP_WINDOW_FIELD },
  };
}
