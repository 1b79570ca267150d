import { ApplicationFailure } from '@temporalio/activity';

/*
 * The one rule for what an HTTP failure means to Temporal's retry policy, after API.md section 9: 408, 429 and
 * every 5xx may succeed later; any other 4xx will fail the same way on every retry.
 */

/** Whether a failed HTTP status is worth retrying. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Milliseconds from a Retry-After header (seconds or an HTTP date), capped at 60 s as the Agntix docs advise. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 60_000) : undefined;
}

/**
 * The failure to throw for an HTTP answer that was not ok: retryable (honouring Retry-After) under `types.retry`,
 * else non-retryable under `types.final`. The message must carry no payload data: it is shown in the Web UI.
 */
export function httpFailure(
  message: string,
  res: Pick<Response, 'status' | 'headers'>,
  types: { retry: string; final: string },
): ApplicationFailure {
  if (isRetryableStatus(res.status)) {
    return ApplicationFailure.create({
      message,
      type: types.retry,
      nextRetryDelay: retryAfterMs(res.headers.get('retry-after')),
    });
  }
  return ApplicationFailure.nonRetryable(message, types.final);
}
