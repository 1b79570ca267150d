/*
 * The `sessions` table both stores write (SQLite and PostgreSQL alike), and its one upsert rule, so the two cannot
 * drift: a row only moves forward, in-flight → expired → completed, whichever write lands last. An expiry is
 * provisional (a late session.ended replaces it); a completed outcome is final, and an expiry's write landing late
 * (its own retry queue) never takes it back.
 */

/** The columns of `sessions`, in table order. */
export const SESSION_COLUMNS = [
  'session_id',
  'kind',
  'phase',
  'source',
  'agent_id',
  'session_type',
  'direction',
  'outcome',
  'summary',
  'intent',
  'resolution',
  'sentiment',
  'follow_up_due',
  'transcript_ref',
  'transcript_messages',
  'recording_url',
  'correlation_json',
  'event_json',
  'updated_at',
] as const;

/** How far a row has come: a write never moves it back. */
const rank = (kind: string) => `CASE ${kind} WHEN 'completed' THEN 2 WHEN 'expired' THEN 1 ELSE 0 END`;

/** The upsert of one session row, with `placeholder(column, position)` giving each value's parameter. */
export function upsertSessionSql(placeholder: (column: string, position: number) => string): string {
  const updates = SESSION_COLUMNS.filter((c) => c !== 'session_id').map((c) => `${c} = excluded.${c}`);
  return `
    INSERT INTO sessions (${SESSION_COLUMNS.join(', ')})
    VALUES (${SESSION_COLUMNS.map((c, i) => placeholder(c, i + 1)).join(', ')})
    ON CONFLICT (session_id) DO UPDATE SET ${updates.join(', ')}
    WHERE ${rank('excluded.kind')} >= ${rank('sessions.kind')}`;
}

/** The kind of a session's row: what a run whose history is gone learns of its outcome. */
export const RECORDED_KIND_SQL = (placeholder: string) => `SELECT kind FROM sessions WHERE session_id = ${placeholder}`;

/**
 * Where the customer stands, on the chain's original session row: each follow-up event of the chain sets it, so the
 * row still tells once the session workflow has closed (a closed workflow's own record cannot change, and keeping it
 * open to be told would cost billed actions). A write that lands late (another queue, a retry) never takes the row
 * back: a later attempt wins, or the same attempt recorded no earlier. A follow-up event that lands before the
 * session's own row exists is picked up when the row is written (backfillChainSql).
 */
export function setChainSql(placeholder: (column: string, position: number) => string): string {
  const [state, attempt, reason, at, root] = CHAIN_PARAMETERS.map((column, i) => placeholder(column, i + 1));
  return `
    UPDATE sessions SET chain_state = ${state}, chain_attempt = ${attempt}, chain_reason = ${reason},
      chain_updated_at = ${at}
    WHERE session_id = ${root}
      AND (chain_attempt IS NULL OR chain_attempt < ${attempt} OR (chain_attempt = ${attempt} AND chain_updated_at <= ${at}))`;
}

/** setChainSql's parameters, in position order. */
export const CHAIN_PARAMETERS = [
  'chain_state',
  'chain_attempt',
  'chain_reason',
  'chain_updated_at',
  'session_id',
] as const;

/**
 * A session row written after its chain's first follow-up event (their writes run in separate queues) takes the
 * chain's latest state from `follow_ups`; a row whose chain is already set keeps it.
 */
export function backfillChainSql(placeholder: (column: string, position: number) => string): string {
  const root = placeholder('session_id', 1);
  return `
    UPDATE sessions SET (chain_state, chain_attempt, chain_reason, chain_updated_at) = (
      SELECT status, attempt, reason, updated_at FROM follow_ups WHERE original_session_id = ${root}
      ORDER BY attempt DESC, updated_at DESC LIMIT 1)
    WHERE session_id = ${root} AND chain_state IS NULL
      AND EXISTS (SELECT 1 FROM follow_ups WHERE original_session_id = ${root})`;
}
