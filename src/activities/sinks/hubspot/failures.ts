import { ApplicationFailure } from '@temporalio/activity';
import { HubSpotTimeout } from './client';

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

/** Runs one HubSpot request; any failure becomes the ApplicationFailure that tells Temporal whether to retry. */
export async function hubspotRequest<T>(operation: HubSpotOperation, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (err) {
    throw failureOf(err, operation);
  }
}

/**
 * Which HubSpot failures a retry can fix: 429 (after the delay HubSpot asks for), 5xx, 408, 409 (a concurrent
 * write won: the next attempt finds its record), timeouts and network errors. 401, 403 and validation errors
 * cannot, and name the scope or property to fix. Messages never hold customer data.
 */
export function failureOf(err: unknown, operation: HubSpotOperation, now = Date.now()): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
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
    return ApplicationFailure.retryable(`HubSpot unreachable to ${operation.what}: ${why}`, 'HubSpotUnavailable');
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
    return ApplicationFailure.nonRetryable(message, err.code === 401 ? 'HubSpotUnauthorized' : 'HubSpotForbidden');
  }
  if (err.code === 429) {
    const delayMs = rateLimitDelayMs(err.headers, body, now);
    return ApplicationFailure.create({
      message: `HubSpot rate limit (${status}${text(body.policyName) ? ` ${text(body.policyName)}` : ''}) to ${operation.what}: retrying in ${Math.ceil(delayMs / 1000)} s`,
      type: 'HubSpotRateLimited',
      nextRetryDelay: delayMs,
    });
  }
  if (err.code >= 500 || err.code === 408 || err.code === 409 || err.code === 423) {
    return ApplicationFailure.retryable(`HubSpot failed to ${operation.what} (${status})`, 'HubSpotUnavailable');
  }
  const problems = propertyProblems(body);
  const hint = problems.some((p) => p.includes('PROPERTY_DOESNT_EXIST')) ? '; run npm run hubspot:setup' : '';
  return ApplicationFailure.nonRetryable(
    `HubSpot rejected ${operation.what} (${status})${problems.length > 0 ? `: ${problems.join(', ')}` : ''}${hint}`,
    'HubSpotRejected',
  );
}

/** The wait HubSpot asks for: Retry-After, else a day's limit is an hour away, else one rate-limit window. */
export function rateLimitDelayMs(headers: Record<string, string>, body: Record<string, unknown>, now: number): number {
  const header = (name: string) =>
    Object.entries(headers)
      .find(([key]) => key.toLowerCase() === name)?.[1]
      ?.trim() ?? undefined;
  const clamp = (ms: number) => Math.min(Math.max(ms, 1000), 60 * 60_000);
  const retryAfter = header('retry-after');
  if (retryAfter && /^\d+(\.\d+)?$/.test(retryAfter)) return clamp(Number(retryAfter) * 1000);
  const retryAt = retryAfter ? Date.parse(retryAfter) : NaN;
  if (Number.isFinite(retryAt)) return clamp(retryAt - now);
  if (text(body.policyName) === 'DAILY') return 60 * 60_000;
  const interval = Number(header('x-hubspot-ratelimit-interval-milliseconds'));
  return clamp(Number.isFinite(interval) && interval > 0 ? interval : 10_000);
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
