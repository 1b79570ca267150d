import path from 'node:path';
import type { FollowUpPolicy, SessionPolicy, SharingPolicy } from '../contracts/policy';
import { DEFAULT_CORRELATION_KEYS, searchIndexFrom } from './privacy';
import { SYSTEMS, sinksReceiving } from '../activities/sinks/registry';
import type { ExternalSystem } from '../activities/sinks/system';
import type { Config } from './schema';

/*
 * What each part receives of the settings: the policy a session captures when it starts, and where the embedded
 * stores live. Each default is written here once.
 */

/** The timers, the external systems and what they are sent, captured by each session when it starts. */
export function sessionPolicyFrom(
  config: Config,
  sinks: string[],
  systems: readonly ExternalSystem[] = SYSTEMS,
): SessionPolicy {
  return {
    voiceTtlSeconds: config.SESSION_VOICE_TTL_SECONDS,
    maxTtlSeconds: config.SESSION_MAX_TTL_SECONDS,
    endGraceSeconds: config.SESSION_END_GRACE_SECONDS,
    chatTimeoutSeconds: config.SESSION_CHAT_TIMEOUT_SECONDS,
    reconcileAttempts: config.SESSION_RECONCILE_ATTEMPTS,
    reconcileIntervalSeconds: config.SESSION_RECONCILE_INTERVAL_SECONDS,
    lateEndWindowSeconds: config.SESSION_LATE_END_WINDOW_SECONDS,
    sinks,
    transcriptWaitSeconds: config.TRANSCRIPT_WAIT_SECONDS,
    callbackField: config.CALLBACK_FIELD,
    followUp: followUpPolicyFrom(config),
    sharing: sharingPolicyFrom(config, systems),
    searchIndex: searchIndexFrom(config).policy,
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

/** The local transcript archive (without PostgreSQL). */
export function transcriptDirFrom(config: Config): string {
  return config.TRANSCRIPT_DIR ?? path.join(config.DATA_DIR, 'transcripts');
}

/** What each external system is sent, from configuration; each session captures it when it starts. */
export function sharingPolicyFrom(config: Config, systems: readonly ExternalSystem[] = SYSTEMS): SharingPolicy {
  return {
    correlationKeys: config.SHARE_CORRELATION_KEYS ?? [config.CRM_CONTACT_VARIABLE, ...DEFAULT_CORRELATION_KEYS],
    // The fields this service itself acts on are labels the systems need to follow the outcome; others are opt-in.
    extractedFields: [
      ...new Set([
        'callOutcome',
        config.CALLBACK_FIELD,
        config.FOLLOWUP_DAY_FIELD,
        config.FOLLOWUP_WINDOW_FIELD,
        ...config.SHARE_EXTRACTED_FIELDS,
      ]),
    ],
    // Unset, each system gets what it declares (src/activities/sinks/registry.ts); a setting overrides the declarations.
    textWith: config.SHARE_TEXT_WITH ?? sinksReceiving('summary', systems),
    evidenceWith: config.SHARE_EVIDENCE_WITH,
    phoneWith: config.SHARE_PHONE_WITH ?? sinksReceiving('phone', systems),
    transcriptWith: sinksReceiving('transcript', systems),
  };
}
