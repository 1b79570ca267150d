import { ApplicationFailure, Context } from '@temporalio/activity';

/** Tries of one request before its activity attempt gives up: a request that fails now and then costs a second. */
export const QUICK_TRIES = 3;

/**
 * Runs one Agntix API request, asking again twice, quickly, when it fails retryably. A Retry-After or a
 * non-retryable answer goes straight to Temporal's retry policy, which honours both. `beforeTry` runs before each
 * try (the archive heartbeats its cursor there).
 */
export async function withQuickRetries<T>(request: () => Promise<T>, beforeTry?: () => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    beforeTry?.();
    try {
      return await request();
    } catch (err) {
      const quick =
        attempt < QUICK_TRIES &&
        err instanceof ApplicationFailure &&
        !err.nonRetryable &&
        err.nextRetryDelay === undefined;
      if (!quick) throw err;
      await Context.current().sleep(250 * 2 ** attempt);
    }
  }
}
