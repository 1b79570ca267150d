/*
 * What a session id may be: the shapes the platform documents (API.md section 0), nothing wider. The webhooks and
 * calls/start carry plain UUIDs; the conventions page and the planned events name prefixed ids (`ses_…`), whose tail
 * the docs do not describe, so it is bounded to letters, digits, `_` and `-` and 124 characters (128 in all). A
 * session id becomes a workflow id, so any other shape could take a workflow id the service gives something else:
 * `followup-<id>-<n>` (FOLLOW_UP_ID_PREFIX) is the follow-ups' and can never be a session's. Node-free and zod-free:
 * the workflows read it too.
 */
export const SESSION_ID_PATTERN =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|ses_[A-Za-z0-9_-]{1,124})$/i;

/** The workflow ids of follow-ups begin with it; reserved, so no delivery's session id may. */
export const FOLLOW_UP_ID_PREFIX = 'followup-';

/** True for a value that may be a session id (and so a workflow id). */
export const isSessionId = (value: unknown): value is string =>
  typeof value === 'string' && SESSION_ID_PATTERN.test(value);

/** Why a value is not a session id, for the 400 that names the field; undefined when it is one. */
export function sessionIdProblem(value: string): string | undefined {
  if (value.toLowerCase().startsWith(FOLLOW_UP_ID_PREFIX)) {
    return `takes a follow-up's workflow id (${FOLLOW_UP_ID_PREFIX}…), which is reserved`;
  }
  return isSessionId(value) ? undefined : 'must be a UUID or a ses_ id (ses_ and up to 124 of A-Z, a-z, 0-9, _ and -)';
}
