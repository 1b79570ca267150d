import { ActivityFailure, ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { SessionActivities, SinkWriteFailure, Skipped } from '../activities';
import type { ContactDetails, ExternalEvent } from '../contracts';
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
 * must not be lost to a receiver's outage. A system that failed a shared write takes its events in its own activity
 * (../writes.ts), so one that is down delays only its own writes.
 */
export const SINK_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
} as const;
const sinks = proxyActivities<SessionActivities>(SINK_OPTIONS);

/**
 * The shared write of one event to several systems returns each system's failure instead of failing, so its own
 * retries are only for the worker dying mid-write: a few, quickly. A system that failed gets its own activity, with
 * the 24-hour budget above (../writes.ts).
 */
const SHARED_WRITE_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3 },
} as const;
const sharedSinks = proxyActivities<SessionActivities>(SHARED_WRITE_OPTIONS);

/**
 * The same shared write as a local activity, for a session's first news (in flight): it runs while the settings'
 * local activity still holds the first workflow task open, so both are recorded in one batch of markers, one billed
 * action, where a scheduled activity would be one more. A write that outlasts the task's timeout only costs the task
 * a heartbeat (another batch); a worker lost mid-write loses the task, and the next worker writes again (every
 * system is idempotent on the event's key).
 */
const localSharedSinks = proxyLocalActivities<SessionActivities>({
  ...SHARED_WRITE_OPTIONS,
  // No retry of its own: a lost worker loses the task, and the next one runs the write again anyway. One attempt
  // bounds how long the first task (and a query waiting on it) is held: a write that times out sends every system
  // to its own queue.
  retry: { maximumAttempts: 1 },
});

/**
 * Asks the session API whether an overdue session is over: the first check at once, then one every interval while
 * the API says it is open (the activity fails with SessionStillOpen), `attempts` checks in all. One activity whose
 * retries are the checks costs one action a check; a timer and an activity per check cost two. A failed request
 * (after its quick retries in the activity) waits for the next check, as an open session does. The retry policy is
 * merged over agntixApi's, whose 1-minute maximum would be below an interval of 900 s (the default): the SDK fails
 * the workflow task on a first backoff longer than the longest, so the interval is both.
 */
export function askUntilClosed(sessionId: string, attempts: number, intervalSeconds: number) {
  const interval = `${intervalSeconds} seconds` as const;
  return agntixApi.getClosedSession.executeWithOptions(
    {
      startToCloseTimeout: '2 minutes',
      retry: { initialInterval: interval, maximumInterval: interval, backoffCoefficient: 1, maximumAttempts: attempts },
      summary: 'reconcile with the session API',
    },
    [sessionId],
  );
}

/**
 * The transcript archive, bounded by how long the outcome waits for it: the first archive of a session. When it
 * times out the workflow records the outcome without the transcript and starts `archiver` (24 hours), which resumes
 * from the pages this one saved. No timer: in the usual case the transcript is in time and this is one activity.
 */
export function archiveWithin(sessionId: string, seconds: number) {
  return archiver.archiveTranscript.executeWithOptions(
    { ...ARCHIVE_OPTIONS, scheduleToCloseTimeout: `${seconds} seconds`, summary: 'archive transcript' },
    [sessionId],
  );
}

/** calls/start is not idempotent: Temporal never retries it; the follow-up workflow reads each failure's type. */
export const DIAL_OPTIONS = { startToCloseTimeout: '1 minute', retry: { maximumAttempts: 1 } } as const;
export const dialler = proxyActivities<SessionActivities>(DIAL_OPTIONS);

/** An Agntix activity's answer when it did not ask the API (no API key): the workflow notes why and goes on. */
export const isSkipped = (value: unknown): value is Skipped =>
  typeof value === 'object' && value !== null && 'skipped' in value;

/** The message of an activity's failure, for a session's status; anything else is a bug and fails the task. */
export function failureMessage(err: unknown): string {
  if (!(err instanceof ActivityFailure)) throw err;
  return err.cause instanceof ApplicationFailure ? err.cause.message : (err.cause?.message ?? err.message);
}

/**
 * Writes one event to one external system, retried within its budget, sent only its share under the sharing policy
 * (everything, when no policy is given). `contact` goes beside the event for the systems that must find the
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

/**
 * Writes events to several external systems in one activity, each system its events in order, each sent its share
 * under the sharing policy; resolves with the writes not taken (final, or worth asking again in their own activity).
 */
export function writeEverywhere(
  sinkNames: string[],
  events: ExternalEvent[],
  contact: ContactDetails,
  sharing?: SharingPolicy,
  local = false,
): Promise<SinkWriteFailure[]> {
  const writes = sinkNames.flatMap((sink) =>
    events.map((event) => ({
      sink,
      event: sharing ? shareWith(sink, event, sharing) : event,
      contact: sharing ? shareContactWith(sink, contact, sharing) : contact,
    })),
  );
  const kinds = events.map((e) => e.kind).join(' + ');
  const options = { summary: `${kinds} → ${sinkNames.join(', ')}` }; // merged over each proxy's own options
  return local
    ? localSharedSinks.recordOutcomeEverywhere.executeWithOptions(options, [writes])
    : sharedSinks.recordOutcomeEverywhere.executeWithOptions(options, [writes]);
}

/** Where a workflow's events go: the external systems, and what each may see. */
export interface Recipients {
  sinks: string[];
  sharing?: SharingPolicy;
}
