import type { Pool, PoolClient } from 'pg';
import { isFollowUpEvent, type ExternalEvent, type FollowUpEvent, type OutcomeEvent } from '../../../contracts';
import { jsonForPostgres, withoutNul } from '../../../store/postgres';
import { postgresErasure } from './postgresErasure';
import { RECORDED_KIND_SQL, backfillChainSql, setChainSql, upsertSessionSql } from './sessionRows';
import type { OutcomeSink } from '../types';

/*
 * The shared store for several workers: the SQLite store's tables and rules on PostgreSQL (src/store/migrations).
 * Each upsert is one statement, which PostgreSQL makes atomic against a concurrent one on the same key, so two
 * workers (or a retry racing its own timed-out attempt) cannot interleave a read and a write.
 */

const insertEvent = `
  INSERT INTO session_events (idempotency_key, session_id, kind, recorded_at) VALUES ($1, $2, $3, $4)
  ON CONFLICT (idempotency_key) DO NOTHING`;

const upsertSession = upsertSessionSql((_, position) => `$${position}`);

// Keeps what an earlier event said when a later one does not repeat it (a chain end names no schedule).
const upsertFollowUp = `
  INSERT INTO follow_ups (follow_up_id, original_session_id, attempt, status, scheduled_at, call_session_id, reason,
    updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (follow_up_id) DO UPDATE SET status = excluded.status,
    scheduled_at = COALESCE(excluded.scheduled_at, follow_ups.scheduled_at),
    call_session_id = COALESCE(excluded.call_session_id, follow_ups.call_session_id),
    reason = COALESCE(excluded.reason, follow_ups.reason), updated_at = excluded.updated_at`;

const setChain = setChainSql((_, position) => `$${position}`);
const backfillChain = backfillChainSql((_, position) => `$${position}`);

const text = (value: string | undefined) => withoutNul(value) ?? null;

// A transcript that came after the outcome (an Agntix outage) only fills in the transcript columns, as in SQLite.
const setTranscript = `
  UPDATE sessions SET transcript_ref = $1, transcript_messages = $2, updated_at = $3 WHERE session_id = $4`;

async function writeOutcome(client: PoolClient, event: OutcomeEvent) {
  if (event.kind === 'transcript-archived') {
    await client.query(setTranscript, [
      text(event.transcript?.ref),
      event.transcript?.messages ?? null,
      event.recordedAt,
      event.sessionId,
    ]);
    return;
  }
  await client.query(upsertSession, [
    event.sessionId,
    event.kind,
    event.phase,
    event.source,
    text(event.agentId),
    text(event.sessionType),
    text(event.direction),
    text(event.outcome),
    text(event.summary),
    text(event.intent),
    text(event.resolution),
    text(event.sentiment),
    event.followUpDue,
    text(event.transcript?.ref),
    event.transcript?.messages ?? null,
    text(event.recordingUrl),
    jsonForPostgres(event.correlation),
    jsonForPostgres(event),
    event.recordedAt,
  ]);
  await client.query(backfillChain, [event.sessionId]);
}

async function writeFollowUp(client: PoolClient, event: FollowUpEvent) {
  await client.query(upsertFollowUp, [
    event.followUpId,
    event.originalSessionId,
    event.attempt,
    event.kind.replace('follow-up.', ''),
    event.scheduledAt ?? null,
    text(event.callSessionId),
    text(event.reason),
    event.recordedAt,
  ]);
  const state = event.kind.replace('follow-up.', '');
  await client.query(setChain, [state, event.attempt, text(event.reason), event.recordedAt, event.originalSessionId]);
}

/** The outcome store on PostgreSQL (DATABASE_URL). The pool belongs to the caller, who ends it. */
export function createPostgresSink(pool: Pool): OutcomeSink {
  return {
    name: 'postgres',
    erasure: postgresErasure(pool),
    async recordedKind(sessionId: string) {
      const { rows } = await pool.query<{ kind: string }>(RECORDED_KIND_SQL('$1'), [sessionId]);
      return rows[0]?.kind;
    },
    async record(event: ExternalEvent) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const sessionId = isFollowUpEvent(event) ? event.originalSessionId : event.sessionId;
        await client.query(insertEvent, [event.idempotencyKey, sessionId, event.kind, event.recordedAt]);
        await (isFollowUpEvent(event) ? writeFollowUp(client, event) : writeOutcome(client, event));
        await client.query('COMMIT');
      } catch (err) {
        // A connection that cannot even roll back is dropped from the pool rather than reused.
        await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
        throw err;
      } finally {
        client.release(broken);
      }
    },
  };
}
