/*
 * What a session id may be. The webhooks and calls/start carry plain UUIDs, but the docs' conventions page says ids
 * may carry prefixes (`ses_…`, API.md section 0), so the rule is a bounded `[A-Za-z0-9_-]{1,128}` rather than a
 * UUID: every UUID passes, a prefixed id passes, and no id can grow a workflow id past Temporal's limit (1,000
 * bytes), a follow-up's id (`followup-<id>-<n>`) included. Node-free and zod-free: the workflows read it too.
 */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** True for a value that may be a session id (and so a workflow id). */
export const isSessionId = (value: unknown): value is string =>
  typeof value === 'string' && SESSION_ID_PATTERN.test(value);
