import { ApplicationFailure, Context } from '@temporalio/activity';
import { FAILURE, finalFailure, retryableFailure, retryAfterMs } from '../../../contracts/failures';
import { HubSpotRedirect, HubSpotResponseTooLarge, HubSpotTimeout } from './bounds';

/** One kind of HubSpot request, named for operators, with the private app scopes it needs. */
export interface HubSpotOperation {
  what: string;
  scopes: string[];
}

/** The official client's ApiException, read structurally (each API module has its own class). */
interface ApiError {
  code: number;
  body: unknown;
  headers: Record<string, string>;
}

const isApiError = (err: unknown): err is ApiError =>
  err instanceof Error && typeof (err as Partial<ApiError>).code === 'number' && 'headers' in err;

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
/** Only names and codes ever reach a message: HubSpot's own messages may quote the values we sent. */
const NAME = /^[a-z][a-z0-9_]{0,99}$/;
const CODE = /^[A-Z][A-Z0-9_]{0,99}$/;
const SCOPE = /^[a-z][a-z0-9._-]{0,99}$/;
const unique = (items: string[]) => [...new Set(items)];

/** Room left in an attempt for the request after a rate-limit pause: HUBSPOT_TIMEOUT_MS's default. */
const REQUEST_ROOM_MS = 10_000;

/**
 * Runs one HubSpot request; any failure becomes the ApplicationFailure that tells Temporal whether to retry. A 429
 * is HubSpot pacing us, not a failed write: it is asked again inside the attempt after the pause HubSpot asks for,
 * while that pause and one more request fit in the attempt, so it does not use up a Temporal attempt and lengthen
 * the backoff of a later real failure. A pause that does not fit becomes the failure, with its delay.
 */
export async function hubspotRequest<T>(operation: HubSpotOperation, request: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await request();
    } catch (err) {
      const failure = failureOf(err, operation);
      const delay = failure.type === FAILURE.hubspotRateLimited ? failure.nextRetryDelay : undefined;
      if (typeof delay !== 'number' || !fitsInAttempt(delay)) throw failure;
      await Context.current().sleep(delay);
    }
  }
}

/** Whether a pause and one more request fit in the running activity attempt (never outside an activity). */
function fitsInAttempt(delayMs: number): boolean {
  let info: Context['info'];
  try {
    info = Context.current().info;
  } catch {
    return false;
  }
  const deadline = info.currentAttemptScheduledTimestampMs + info.startToCloseTimeoutMs;
  const heartbeatLimit = info.heartbeatTimeoutMs || Infinity;
  return delayMs < heartbeatLimit && Date.now() + delayMs + REQUEST_ROOM_MS <= deadline;
}

/**
 * Which HubSpot failures a retry can fix: 429 (after the delay HubSpot asks for), 5xx, 408, 409 (a concurrent
 * write won: the next attempt finds its record), timeouts and network errors. 401, 403 and validation errors
 * cannot, and name the scope or property to fix. Messages never hold customer data.
 */
export function failureOf(err: unknown, operation: HubSpotOperation, now = Date.now()): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  // Neither is fixed by asking again: HUBSPOT_BASE_URL points somewhere that is not HubSpot's API as this service uses it.
  if (err instanceof HubSpotRedirect || err instanceof HubSpotResponseTooLarge) {
    return finalFailure(FAILURE.hubspotRejected, `${err.message} to ${operation.what}; check HUBSPOT_BASE_URL`);
  }
  if (!isApiError(err)) {
    const code = (err as { code?: unknown }).code;
    const why =
      err instanceof HubSpotTimeout
        ? err.message
        : typeof code === 'string' && /^E[A-Z_]+$/.test(code)
          ? code
          : err instanceof Error
            ? err.name
            : 'unknown error';
    return retryableFailure(FAILURE.hubspotUnavailable, `HubSpot unreachable to ${operation.what}: ${why}`);
  }
  const body = record(err.body);
  const category = text(body.category) ?? '';
  const status = `${err.code}${CODE.test(category) ? ` ${category}` : ''}`;
  const needs = (scopes: string[]) => `the private app needs scope ${scopes.join(' or ')}`;
  if (err.code === 401 || err.code === 403) {
    const asked = requiredScopes(body);
    const scopes = asked.length > 0 ? asked : operation.scopes;
    const message =
      err.code === 401 && asked.length === 0
        ? `HubSpot refused the access token (${status}) to ${operation.what}; check HUBSPOT_ACCESS_TOKEN: ${needs(scopes)}`
        : `HubSpot denied ${operation.what} (${status}): ${needs(scopes)}`;
    return finalFailure(err.code === 401 ? FAILURE.hubspotUnauthorized : FAILURE.hubspotForbidden, message);
  }
  if (err.code === 429) {
    const delayMs = rateLimitDelayMs(err.headers, body, now);
    const policy = text(body.policyName);
    return retryableFailure(
      FAILURE.hubspotRateLimited,
      `HubSpot rate limit (${status}${policy && CODE.test(policy) ? ` ${policy}` : ''}) to ${operation.what}: retrying in ${Math.ceil(delayMs / 1000)} s`,
      delayMs,
    );
  }
  if (err.code >= 500 || err.code === 408 || err.code === 409 || err.code === 423) {
    return retryableFailure(FAILURE.hubspotUnavailable, `HubSpot failed to ${operation.what} (${status})`);
  }
  const problems = propertyProblems(body);
  const hint = problems.some((p) => p.includes('PROPERTY_DOESNT_EXIST')) ? '; run npm run hubspot:setup' : '';
  return finalFailure(
    FAILURE.hubspotRejected,
    `HubSpot rejected ${operation.what} (${status})${problems.length > 0 ? `: ${problems.join(', ')}` : ''}${hint}`,
  );
}

/**
 * The wait HubSpot asks for: Retry-After (the one rule, ../../../contracts/failures.ts), else a day's limit is an hour
 * away, else one rate-limit window. Never under a second: HubSpot's windows are seconds long.
 */
export function rateLimitDelayMs(headers: Record<string, string>, body: Record<string, unknown>, now: number): number {
  const header = (name: string) =>
    Object.entries(headers)
      .find(([key]) => key.toLowerCase() === name)?.[1]
      ?.trim() ?? undefined;
  const atLeastASecond = (ms: number) => Math.max(ms, 1000);
  const asked = retryAfterMs(header('retry-after'), now);
  if (asked !== undefined) return atLeastASecond(asked);
  if (text(body.policyName) === 'DAILY') return 60 * 60_000;
  const interval = Number(header('x-hubspot-ratelimit-interval-milliseconds'));
  return atLeastASecond(Number.isFinite(interval) && interval > 0 ? Math.min(interval, 60_000) : 10_000);
}

/** Scopes HubSpot says are missing (errors[].context.requiredGranularScopes, or "requires any of [...]"). */
function requiredScopes(body: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (const item of Array.isArray(body.errors) ? body.errors : []) {
    const context = record(record(item).context);
    for (const key of ['requiredGranularScopes', 'requiredScopes', 'missingScopes']) {
      const list: unknown = context[key];
      if (Array.isArray(list)) found.push(...list.filter((s): s is string => typeof s === 'string'));
    }
  }
  const listed = /requires any of \[([^\]]{1,500})\]/.exec(text(body.message) ?? '');
  if (listed?.[1]) found.push(...listed[1].split(',').map((s) => s.trim()));
  return unique(found.filter((s) => SCOPE.test(s)));
}

/** "agntix_session_id PROPERTY_DOESNT_EXIST"-style items: property names and error codes, never values. */
function propertyProblems(body: Record<string, unknown>): string[] {
  const found: string[] = [];
  const message = text(body.message) ?? '';
  const list = message.indexOf('[');
  if (list >= 0) {
    try {
      const parsed: unknown = JSON.parse(message.slice(list));
      for (const item of Array.isArray(parsed) ? parsed : []) {
        const name = text(record(item).name);
        const code = text(record(item).error);
        if (name && NAME.test(name)) found.push(code && CODE.test(code) ? `${name} ${code}` : name);
      }
    } catch {
      // not the property-validation shape: fall back to the structured errors below
    }
  }
  for (const item of Array.isArray(body.errors) ? body.errors : []) {
    const names: unknown = record(record(item).context).propertyName;
    const code = text(record(item).code);
    for (const name of Array.isArray(names) ? names : []) {
      if (typeof name === 'string' && NAME.test(name)) found.push(code && CODE.test(code) ? `${name} ${code}` : name);
    }
  }
  return unique(found).slice(0, 10);
}
