import { ActivityFailure, ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { SessionActivities } from '../activities';
import type { ExternalEvent, StepFailure } from '../contracts';
import type { SharingPolicy } from './policy';
import { shareWith } from './sharing';

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
 * External systems get a longer, still bounded, retry budget (12 attempts, backing off to 10 minutes: about 27
 * minutes in all): an outcome must not be lost to a receiver's short outage, and each system is its own activity so
 * one failing never holds up the others.
 */
const SINK_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 12 },
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
 * Writes one event to every external system, each its own activity, concurrently, each sent only its share under
 * the sharing policy (none: everything, as sessions begun before it). Resolves with the failures of systems that
 * stayed down past their retry budget, so the caller notes them and goes on.
 */
export async function tellEverySink(
  to: { sinks: string[]; sharing?: SharingPolicy },
  event: ExternalEvent,
): Promise<StepFailure[]> {
  const { sinks: sinkNames, sharing } = to;
  const results = await Promise.allSettled(
    sinkNames.map((sink) =>
      sinks.recordOutcome.executeWithOptions({ ...SINK_OPTIONS, summary: `${event.kind} → ${sink}` }, [
        sink,
        sharing ? shareWith(sink, event, sharing) : event,
      ]),
    ),
  );
  return results.flatMap((result, i) =>
    result.status === 'rejected'
      ? [{ step: `record ${event.kind} in ${sinkNames[i]}`, message: failureMessage(result.reason) }]
      : [],
  );
}
