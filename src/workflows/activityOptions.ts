import type { ActivityOptions } from '@temporalio/workflow';

/** Calls to the Agntix API: 4xx other than 408/429 fail at once (the client marks them), the rest back off. */
export const API_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
};

/**
 * External systems get a longer, still bounded, retry budget (about an hour): an outcome must not be lost to a
 * receiver's short outage, and each system is its own activity so one failing never holds up the others.
 */
export const SINK_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 12 },
};

/** calls/start is not idempotent: Temporal never retries it; the follow-up workflow reads each failure's type. */
export const DIAL_OPTIONS: ActivityOptions = { startToCloseTimeout: '1 minute', retry: { maximumAttempts: 1 } };
