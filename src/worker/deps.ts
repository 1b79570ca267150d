import path from 'node:path';
import type { ActivityDeps } from '../activities';
import { createAgntixClient } from '../activities/agntix/client';
import { createCallsClient } from '../activities/agntix/calls';
import { createOutcomeWebhookSink } from '../activities/sinks/outcomeWebhook';
import { createSqliteSink } from '../activities/sinks/sqliteStore';
import type { OutcomeSink } from '../activities/sinks/types';
import { createLocalTranscriptStore } from '../activities/agntix/transcripts';
import type { Config } from '../config';
import type { Logger } from '../logging';
import { loadRuleSet } from '../automations/ruleSchema';
import * as workflows from '../workflows';
import type { FollowUpPolicy } from '../workflows/policy';
import { sharingPolicyFrom } from './sharingPolicy';

/** Builds the activities' clients and external systems from configuration. */
export function activityDepsFrom(config: Config, logger: Logger): ActivityDeps & { close(): void } {
  const sinks: OutcomeSink[] = [];
  let closeDb = () => undefined as void;
  if (config.OUTCOME_SQLITE_PATH !== 'off') {
    const sqlite = createSqliteSink(config.OUTCOME_SQLITE_PATH ?? path.join(config.DATA_DIR, 'outcomes.sqlite'));
    sinks.push(sqlite);
    closeDb = () => sqlite.db.close();
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
          paths: { session: config.AGNTIX_SESSION_PATH, messages: config.AGNTIX_MESSAGES_PATH },
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
    transcripts: createLocalTranscriptStore(
      config.TRANSCRIPT_DIR ?? path.join(config.DATA_DIR, 'transcripts'),
      config.PAYLOAD_ENCRYPTION_KEYS,
    ),
    sinks,
    rules: loadRuleSet(config.AUTOMATION_RULES_FILE, Object.keys(workflows)),
    transcriptPageSize: config.TRANSCRIPT_PAGE_SIZE,
    maxTranscriptPages: config.TRANSCRIPT_MAX_PAGES,
    policy: {
      voiceTtlSeconds: config.SESSION_VOICE_TTL_SECONDS,
      endGraceSeconds: config.SESSION_END_GRACE_SECONDS,
      chatTimeoutSeconds: config.SESSION_CHAT_TIMEOUT_SECONDS,
      reconcileAttempts: config.SESSION_RECONCILE_ATTEMPTS,
      reconcileIntervalSeconds: config.SESSION_RECONCILE_INTERVAL_SECONDS,
      sinks: sinks.map((s) => s.name),
      callbackField: config.CALLBACK_FIELD,
      followUp: followUpPolicyFrom(config),
      sharing: sharingPolicyFrom(config),
    },
    close: closeDb,
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
    rules: {
      timeZone: config.FOLLOWUP_TIME_ZONE,
      hours: config.FOLLOWUP_CALLING_HOURS,
      days: config.FOLLOWUP_CALLING_DAYS,
      holidays: config.FOLLOWUP_HOLIDAYS,
      minDelayMs: config.FOLLOWUP_MIN_DELAY_MINUTES * 60_000,
      defaultDelayMs: config.FOLLOWUP_DEFAULT_DELAY_MINUTES * 60_000,
      windows: config.FOLLOWUP_WINDOWS,
    },
    fields: { day: config.FOLLOWUP_DAY_FIELD, window: config.FOLLOWUP_WINDOW_FIELD },
  };
}
