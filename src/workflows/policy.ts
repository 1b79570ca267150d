import type { SearchIndexPolicy } from '../contracts';
import type { CallingRules } from './followUp/callingTime';

/*
 * The settings a session runs with, built by the worker from configuration and captured by each session once, when
 * it starts (a local activity), so a configuration change never alters a session already running.
 */

/** Bounds for settings added after sessions already captured their policy: such a session uses these defaults. */
export const DEFAULT_MAX_TTL_SECONDS = 2 * 60 * 60;
export const DEFAULT_TRANSCRIPT_WAIT_SECONDS = 120;
/** Longer than Svix's first three retries of the call's webhook (5 s, 5 min, 30 min after the first attempt). */
export const DEFAULT_OPERATOR_GRACE_SECONDS = 45 * 60;

/** The timers and external systems a session runs with. */
export interface SessionPolicy {
  /** Used when a voice session's variables carry no `ttl`. calls/start defaults to 100 s (docs) or 600 s (gateway). */
  voiceTtlSeconds: number;
  /** A `ttl` session variable above this is read as this: the variable comes from a payload. */
  maxTtlSeconds?: number;
  /** Added to a voice session's ttl before the end is considered overdue. */
  endGraceSeconds: number;
  /** How long a chat may stay open before it is reconciled. */
  chatTimeoutSeconds: number;
  /** How many times to ask the API again while it still says the session is open. */
  reconcileAttempts: number;
  reconcileIntervalSeconds: number;
  /** Names of the enabled external systems (activities/sinks). */
  sinks: string[];
  /**
   * How long the outcome waits for the transcript archive before it is recorded without it; the transcript then
   * follows as a `transcript-archived` event when the archive lands (it keeps trying for hours).
   */
  transcriptWaitSeconds?: number;
  /** The agent's extraction field that asks for a callback. */
  callbackField: string;
  /** Absent in sessions started before follow-ups existed: they replay without scheduling one. */
  followUp?: FollowUpPolicy;
  /** What each external system is sent. Absent in sessions started before it existed: they send as they began. */
  sharing?: SharingPolicy;
  /** What the visibility index may hold (contracts/searchIndex.ts); the built-in allow-lists when absent. */
  searchIndex?: SearchIndexPolicy;
}

/** What each external system receives of an outcome or follow-up event (docs/privacy.md); `*` names every one. */
export interface SharingPolicy {
  /** Session variables sent on as correlation ids. */
  correlationKeys: string[];
  /** extractedData fields sent on. */
  extractedFields: string[];
  /** Systems that receive free text: the summary and the analysis' explanations. */
  textWith: string[];
  /** Systems that also receive resolution.evidence, quoted turns of the call (only with free text). */
  evidenceWith: string[];
  /** Systems that receive the customer's full phone number; the others get it masked. */
  phoneWith: string[];
}

export interface FollowUpPolicy {
  /** Follow-ups are placed only with an API key and AGNTIX_PHONE_NUMBER_ID; otherwise the reason is here. */
  disabledBecause?: string;
  phoneNumberId?: string;
  /** The agent to call with; the original session's agent when unset. */
  agentId?: string;
  ttlSeconds: number;
  maxAttempts: number;
  /** Dial attempts per follow-up, after failures that prove no call started or an unconfirmed ambiguous one. */
  maxDials: number;
  /** How long to wait for the call's own webhook after an ambiguous calls/start failure before asking the API. */
  confirmGraceSeconds: number;
  /**
   * From the dial, how long the call's webhook may still confirm it while the API cannot say; then the follow-up
   * stops in `needs-operator`. DEFAULT_OPERATOR_GRACE_SECONDS when unset (policies captured before it existed).
   */
  operatorGraceSeconds?: number;
  rules: CallingRules;
  /** The agent's extraction field names for the wished day and window. */
  fields: { day: string; window: string };
}
