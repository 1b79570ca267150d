import type { SearchIndexPolicy } from './searchIndex';

/*
 * The settings every layer shares: the worker builds them from configuration (src/config/policies.ts), each session
 * captures them once when it starts (a local activity), and the workflows decide with them. Types and defaults only,
 * Node-free, so workflows, activities and the config all import them from here and never from each other.
 */

/** Minutes after local midnight, 0..1440. */
export type Minutes = number;

export interface CallingRules {
  /** IANA time zone the hours and days are read in, e.g. "Europe/London". */
  timeZone: string;
  hours: { start: Minutes; end: Minutes };
  /** Allowed weekdays, 0 = Sunday .. 6 = Saturday. */
  days: number[];
  /** Local dates (YYYY-MM-DD) when nobody is called. */
  holidays: string[];
  /** Never sooner than this after now. */
  minDelayMs: number;
  /** With no usable wish: the first allowed time after now + this. */
  defaultDelayMs: number;
  /** Named windows the agent may extract, lower-case keys: morning, afternoon, evening. */
  windows: Record<string, { start: Minutes; end: Minutes }>;
  /**
   * A wished day further ahead is read as this many days from today (the wish is the customer's, relayed by a
   * payload: "9999-12-31" must not set a timer for the year 9999). DEFAULT_MAX_DAYS_AHEAD when absent.
   */
  maxDaysAhead?: number;
}

export const DEFAULT_MAX_DAYS_AHEAD = 30;

/** The defaults of the optional settings below. */
export const DEFAULT_MAX_TTL_SECONDS = 2 * 60 * 60;
export const DEFAULT_TRANSCRIPT_WAIT_SECONDS = 120;
/** Longer than Svix's first three retries of the call's webhook (5 s, 5 min, 30 min after the first attempt). */
export const DEFAULT_OPERATOR_GRACE_SECONDS = 45 * 60;

/**
 * How long an expired session still takes a late session.ended: the platform's retry window (Agntix retries a
 * webhook for 24 hours, API.md), so an expiry is provisional until it is over.
 */
export const DEFAULT_LATE_END_WINDOW_SECONDS = 24 * 60 * 60;

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
  /** After an expiry, how long a late session.ended still replaces it; DEFAULT_LATE_END_WINDOW_SECONDS when unset. */
  lateEndWindowSeconds?: number;
  /** Names of the enabled external systems (activities/sinks). */
  sinks: string[];
  /**
   * How long the outcome waits for the transcript archive before it is recorded without it; the transcript then
   * follows as a `transcript-archived` event when the archive lands (it keeps trying for hours).
   */
  transcriptWaitSeconds?: number;
  /** The agent's extraction field that asks for a callback. */
  callbackField: string;
  /** Absent when follow-ups are not configured (tests): no chain is continued or ended. */
  followUp?: FollowUpPolicy;
  /** What each external system is sent; absent, every system is sent everything (tests). */
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
  /** Systems that receive the transcript's reference or link; every one when absent. */
  transcriptWith?: string[];
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
   * stops in `needs-operator`. DEFAULT_OPERATOR_GRACE_SECONDS when unset.
   */
  operatorGraceSeconds?: number;
  rules: CallingRules;
  /** The agent's extraction field names for the wished day and window. */
  fields: { day: string; window: string };
}
