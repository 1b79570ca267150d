import type { ApplicationFailure } from '@temporalio/activity';
import { finalFailure, retryableFailure, retryAfterMs, type FailureType } from '../contracts/failures';

/*
 * The one rule for what an HTTP failure means to Temporal's retry policy, after API.md section 9: 408, 429 and
 * every 5xx may succeed later; any other 4xx will fail the same way on every retry.
 */

/** Whether a failed HTTP status is worth retrying. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * The failure to throw for an HTTP answer that was not ok: retryable (honouring Retry-After) under `types.retry`,
 * else non-retryable under `types.final`. The message must carry no payload data: it is shown in the Web UI.
 */
export function httpFailure(
  message: string,
  res: Pick<Response, 'status' | 'headers'>,
  types: { retry: FailureType; final: FailureType },
): ApplicationFailure {
  if (isRetryableStatus(res.status)) {
    return retryableFailure(types.retry, message, retryAfterMs(res.headers.get('retry-after')));
  }
  return finalFailure(types.final, message);
}
