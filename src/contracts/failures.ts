import { ApplicationFailure, ActivityFailure, msToNumber } from '@temporalio/common';

/*
 * Every failure type the activities throw and the workflows, metrics and tests read, in one place: the names, how
 * each is built, how it is read back. Node-free (workflows import it). Delays travel in the SDK's own
 * `nextRetryDelay`, never in untyped details; the messages must carry no customer data (they show in the Web UI).
 */

export const FAILURE = {
  /** calls/start: nothing can have been placed (refused before sending, 408, 429). Safe to redial. */
  callNotStarted: 'CallNotStarted',
  /** calls/start: a 4xx a repeat would get again (bad number, agent not voice-enabled, auth). Never redial. */
  callRejected: 'CallRejected',
  /** calls/start: no answer, or a 5xx: the call may be ringing. */
  callOutcomeUnknown: 'CallOutcomeUnknown',
  /** The dial ledger holds this dial already (a reset, a redelivery after erasure or retention): never redial. */
  dialAlreadyMade: 'DialAlreadyMade',
  /** The session API still says open: the end check's retry policy asks again. */
  sessionStillOpen: 'SessionStillOpen',
  agntixUnavailable: 'AgntixUnavailable',
  hubspotUnavailable: 'HubSpotUnavailable',
  hubspotRateLimited: 'HubSpotRateLimited',
  hubspotRejected: 'HubSpotRejected',
  hubspotUnauthorized: 'HubSpotUnauthorized',
  hubspotForbidden: 'HubSpotForbidden',
  agntixRetryable: 'AgntixRetryable',
  agntixNotFound: 'AgntixNotFound',
  agntixRejected: 'AgntixRejected',
  agntixUnexpectedResponse: 'AgntixUnexpectedResponse',
  outcomeWebhookUnavailable: 'OutcomeWebhookUnavailable',
  outcomeWebhookRejected: 'OutcomeWebhookRejected',
  escalationUnavailable: 'EscalationUnavailable',
  escalationRefused: 'EscalationRefused',
  escalationNotConfigured: 'EscalationNotConfigured',
  unknownSink: 'UnknownSink',
} as const;

export type FailureType = (typeof FAILURE)[keyof typeof FAILURE];

/**
 * The one Retry-After rule: seconds or an HTTP date, never negative, at most 10 minutes (the longest backoff any
 * activity here uses: a peer asking for longer is waited for that long, then asked again). Undefined when absent or
 * unreadable.
 */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

/** A failure Temporal retries; after `retryAfter` ms when the peer asked for a pause. */
export function retryableFailure(type: FailureType, message: string, retryAfter?: number): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nextRetryDelay: retryAfter });
}

/**
 * A failure Temporal must not retry. A `retryAfter` still travels with it for a workflow that decides itself when to
 * try again (the follow-up's redial): in its details, since the SDK drops nextRetryDelay when it decodes a failure
 * for the workflow (@temporalio/common 1.24's failure converter), so the workflow would never see the pause.
 */
export function finalFailure(type: FailureType, message: string, retryAfter?: number): ApplicationFailure {
  const details = retryAfter === undefined ? undefined : [{ retryAfterMs: retryAfter }];
  return ApplicationFailure.create({ type, message, nonRetryable: true, nextRetryDelay: retryAfter, details });
}

/** The ApplicationFailure behind an error, as thrown by an activity or as a workflow sees it (an ActivityFailure). */
export function applicationFailureOf(err: unknown): ApplicationFailure | undefined {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause;
  return undefined;
}

/** Whether the error is (or wraps) a failure of that type. */
export function isFailure(err: unknown, type: FailureType): boolean {
  return applicationFailureOf(err)?.type === type;
}

/** The pause the peer asked for, in ms, if the failure carries one (in its details, as finalFailure puts it). */
export function retryDelayOf(err: unknown): number | undefined {
  const failure = applicationFailureOf(err);
  const carried = (failure?.details?.[0] as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  const delay = typeof carried === 'number' ? carried : failure?.nextRetryDelay;
  if (delay === undefined || delay === null) return undefined;
  const ms = Math.min(msToNumber(delay), MAX_RETRY_AFTER_MS); // the details come back from history: bounded again
  return ms > 0 ? ms : undefined;
}
