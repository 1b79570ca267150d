/*
 * The `sessions` table both stores write (SQLite and PostgreSQL alike), and its one upsert rule, so the two cannot
 * drift: an in-flight mark never overwrites a final outcome, whichever write lands last.
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

/** The upsert of one session row, with `placeholder(column, position)` giving each value's parameter. */
export function upsertSessionSql(placeholder: (column: string, position: number) => string): string {
  const updates = SESSION_COLUMNS.filter((c) => c !== 'session_id').map((c) => `${c} = excluded.${c}`);
  return `
    INSERT INTO sessions (${SESSION_COLUMNS.join(', ')})
    VALUES (${SESSION_COLUMNS.map((c, i) => placeholder(c, i + 1)).join(', ')})
    ON CONFLICT (session_id) DO UPDATE SET ${updates.join(', ')}
    WHERE sessions.kind = 'in-flight' OR excluded.kind <> 'in-flight'`;
}
