import { ActivityFailure, ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { SessionActivities } from '../activities';
import type { ContactDetails, ExternalEvent, StepFailure } from '../contracts';
import type { SharingPolicy } from './policy';
import { shareContactWith, shareWith } from './sharing';

/*
 * The activities the core workflows call, proxied once, each group with the retry policy its peer deserves.
 */

/** Settings captured at a session's start: local, so they cost no extra round trip. */
export const settings = proxyLocalActivities<SessionActivities>({ startToCloseTimeout: '10 seconds' });

/** Calls to the Agntix API: 4xx other than 408/429 fail at once (the client marks them), the rest back off. */
export const agntixApi = proxyActivities<SessionActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
});

/**
 * The transcript archive resumes from the pages it already has (a heartbeat cursor and the pages it saved), so a
 * retry costs only what is left and it can keep trying for as long as an outage lasts: 24 hours, backing off from 2 s
 * to every 10 minutes. A page request has its own timeout (AGNTIX_API_TIMEOUT_MS), well inside the heartbeat timeout.
 */
export const ARCHIVE_OPTIONS = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
} as const;
export const archiver = proxyActivities<SessionActivities>(ARCHIVE_OPTIONS);

/**
 * External systems keep trying for 24 hours, backing off from 1 s to every 10 minutes (about 150 attempts): an outcome
 * must not be lost to a receiver's outage. Each system is its own activity, written in the background
 * (../externalWrites.ts), so one that is down delays only its own writes.
 */
const SINK_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
} as const;
const sinks = proxyActivities<SessionActivities>(SINK_OPTIONS);

/** calls/start is not idempotent: Temporal never retries it; the follow-up workflow reads each failure's type. */
export const DIAL_OPTIONS = { startToCloseTimeout: '1 minute', retry: { maximumAttempts: 1 } } as const;
export const dialler = proxyActivities<SessionActivities>(DIAL_OPTIONS);

/** The message of an activity's failure, for a session's status; anything else is a bug and fails the task. */
export function failureMessage(err: unknown): string {
  if (!(err instanceof ActivityFailure)) throw err;
  return err.cause instanceof ApplicationFailure ? err.cause.message : (err.cause?.message ?? err.message);
}

/**
 * Writes one event to one external system, retried within its budget, sent only its share under the sharing policy
 * (none: everything, as sessions begun before it). `contact` goes beside the event for the systems that must find the
 * customer (a CRM), and only to those the policy lets have the number.
 */
export function writeToSink(
  sink: string,
  event: ExternalEvent,
  contact: ContactDetails,
  sharing?: SharingPolicy,
): Promise<void> {
  return sinks.recordOutcome.executeWithOptions({ ...SINK_OPTIONS, summary: `${event.kind} → ${sink}` }, [
    sink,
    sharing ? shareWith(sink, event, sharing) : event,
    sharing ? shareContactWith(sink, contact, sharing) : contact,
  ]);
}

/** Where a workflow's events go: the external systems, and what each may see. */
export interface Recipients {
  sinks: string[];
  sharing?: SharingPolicy;
}

/**
 * Writes one event to every external system, each its own activity, concurrently, and waits for them all: how
 * sessions and follow-ups begun before ../externalWrites.ts wrote. Resolves with the failures of systems that stayed
 * down past their retry budget, so the caller notes them and goes on.
 */
export async function tellEverySink(
  to: Recipients,
  event: ExternalEvent,
  contact: ContactDetails,
): Promise<StepFailure[]> {
  const sinkNames = to.sinks;
  const results = await Promise.allSettled(sinkNames.map((sink) => writeToSink(sink, event, contact, to.sharing)));
  return results.flatMap((result, i) =>
    result.status === 'rejected'
      ? [{ step: `record ${event.kind} in ${sinkNames[i]}`, message: failureMessage(result.reason) }]
      : [],
  );
}
