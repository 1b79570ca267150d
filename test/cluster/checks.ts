import type { Client } from '@temporalio/client';
import { Client as PgClient, type Pool } from 'pg';
import type { ThrowawayPostgres } from '../helpers/postgres';
import type { ComposeTopology } from './composeServices';
import { runFollowUpCommand } from '../../src/bin/followup';
import { SESSION_WORKFLOW_TYPE } from '../../src/contracts';
import { followUpWorkflowId } from '../../src/contracts';
import { inParallel, type PlannedSession } from './traffic';
import { readerCredential } from '../../src/store/transcriptLinks';

/** One assertion of the run: what a user would check, and what was found. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const check = (name: string, ok: boolean, detail: string): Check => ({ name, ok, detail });

/** One session workflow run per session id, every one completed (from SQL visibility). */
export async function oneRunPerSession(client: Client, sessions: PlannedSession[]): Promise<Check> {
  const ids = new Set(sessions.map((s) => s.id));
  const runs = new Map<string, string[]>();
  for await (const wf of client.workflow.list({ query: `WorkflowType = '${SESSION_WORKFLOW_TYPE}'` })) {
    if (!ids.has(wf.workflowId)) continue;
    runs.set(wf.workflowId, [...(runs.get(wf.workflowId) ?? []), wf.status.name]);
  }
  const wrong = sessions.filter((s) => runs.get(s.id)?.join() !== 'COMPLETED');
  return check(
    'one completed run per session',
    wrong.length === 0,
    `${runs.size} session ids with runs, ${[...runs.values()].reduce((n, r) => n + r.length, 0)} runs` +
      (wrong.length
        ? `; wrong: ${wrong
            .slice(0, 3)
            .map((s) => `${s.id}=${runs.get(s.id)?.join('+') ?? 'none'}`)
            .join(', ')}`
        : ''),
  );
}

/** One final outcome row and one `:completed` event per session in PostgreSQL, and no file:// reference. */
export async function oneOutcomePerSession(pool: Pool, sessions: PlannedSession[]): Promise<Check[]> {
  const ids = sessions.map((s) => s.id);
  const rows = await pool.query<{ kind: string; n: string }>(
    'SELECT kind, count(*) AS n FROM sessions WHERE session_id = ANY($1) GROUP BY kind',
    [ids],
  );
  const events = await pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM session_events WHERE session_id = ANY($1) AND kind = 'completed'",
    [ids],
  );
  const local = await pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM sessions WHERE transcript_ref NOT LIKE 'http%' OR event_json::text LIKE '%file://%'",
  );
  const kinds = Object.fromEntries(rows.rows.map((r) => [r.kind, Number(r.n)]));
  return [
    check(
      'one completed outcome row per session',
      kinds.completed === ids.length && rows.rows.length === 1,
      JSON.stringify(kinds),
    ),
    check('one completed event per session', Number(events.rows[0]?.n) === ids.length, `${events.rows[0]?.n} events`),
    check(
      'no file:// reference left a worker',
      Number(local.rows[0]?.n) === 0,
      `${local.rows[0]?.n} rows with a local reference`,
    ),
  ];
}

/**
 * Every transcript link the outcome webhook was sent, fetched from either API replica in turn with that system's
 * reader credential, returns the whole transcript; the store itself keeps the plain reference, no credential.
 */
export async function linksResolveOnOtherReplica(
  pool: Pool,
  sessions: PlannedSession[],
  replicas: string[],
  recorded: Map<string, { type: string; data: Record<string, unknown> }>,
  linkSecret: string,
): Promise<Check> {
  const { rows } = await pool.query<{ session_id: string; transcript_ref: string }>(
    'SELECT session_id, transcript_ref FROM sessions WHERE session_id = ANY($1)',
    [sessions.map((s) => s.id)],
  );
  const linkIn = (key: string) => (recorded.get(key)?.data.transcript as { ref?: string } | undefined)?.ref;
  const expected = new Map(sessions.map((s) => [s.id, s.messages]));
  const authorization = `Bearer ${readerCredential(linkSecret, 'outcome-webhook')}`;
  const failures: string[] = [];
  const crossed = [0, 0];
  await inParallel(rows, 16, async (row) => {
    if (new URL(row.transcript_ref).search) failures.push(`${row.session_id}: the store keeps a credential`);
    const sent = linkIn(`${row.session_id}:completed`) ?? linkIn(`${row.session_id}:transcript-archived`);
    if (!sent) return void failures.push(`${row.session_id}: no link sent`);
    const link = new URL(sent);
    // Every link names PUBLIC_BASE_URL (the TLS proxy); the replicas behind it take turns serving them.
    const other = crossed[0]! <= crossed[1]! ? 0 : 1;
    crossed[other]! += 1;
    const res = await fetch(`${replicas[other]}${link.pathname}${link.search}`, { headers: { authorization } });
    const body = (await res.json().catch(() => ({}))) as { messages?: unknown[] };
    if (res.status !== 200 || body.messages?.length !== expected.get(row.session_id)) {
      failures.push(`${row.session_id}: ${res.status}, ${body.messages?.length} messages`);
    }
  });
  return check(
    'every transcript link resolves on either replica',
    failures.length === 0 && rows.length === sessions.length,
    `${rows.length} links; served by replica 1: ${crossed[0]}, replica 2: ${crossed[1]}` +
      (failures.length ? `; failed: ${failures.slice(0, 3).join('; ')}` : ''),
  );
}

/**
 * The outcome webhook receiver got each session's final outcome, and a link as its transcript reference: with the
 * outcome, or in the `transcript-archived` event that follows it when the transcript came later (its fetch was on a
 * killed worker, and the outcome does not wait past TRANSCRIPT_WAIT_SECONDS).
 */
export function receiverGotOutcomes(
  recorded: Map<string, { type: string; data: Record<string, unknown> }>,
  sessions: PlannedSession[],
): Check {
  const linkIn = (key: string) => (recorded.get(key)?.data.transcript as { ref?: string } | undefined)?.ref;
  const missing = sessions.filter((s) => {
    if (!recorded.has(`${s.id}:completed`)) return true;
    const ref = linkIn(`${s.id}:completed`) ?? linkIn(`${s.id}:transcript-archived`);
    return !ref?.startsWith('http');
  });
  return check('outcome webhook received every outcome with a link', missing.length === 0, `${missing.length} missing`);
}

/**
 * The follow-up CLI lists every follow-up the sessions asked for, and they were scheduled by both workers (the
 * identity on each follow-up's first workflow task names the process).
 */
export async function followUpsListed(
  client: Client,
  pool: Pool,
  sessions: PlannedSession[],
  workerOfPid: (pid: number) => string,
): Promise<{ checks: Check[]; byWorker: Record<string, number> }> {
  const expected = sessions.filter((s) => s.callback).map((s) => followUpWorkflowId(s.id, 1));
  const lines: string[] = [];
  const code = await runFollowUpCommand(['list'], client, (text) => lines.push(text));
  const listed = new Set(lines.map((line) => line.split(/\s+/)[0]));
  const notListed = expected.filter((id) => !listed.has(id));
  const stored = await pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM follow_ups WHERE follow_up_id = ANY($1) AND status = 'scheduled'",
    [expected],
  );

  const byWorker: Record<string, number> = {};
  await inParallel(expected, 8, async (id) => {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const identity = history.events?.find((e) => e.workflowTaskCompletedEventAttributes)
      ?.workflowTaskCompletedEventAttributes?.identity;
    const worker = workerOfPid(Number(identity?.split('@')[0]));
    byWorker[worker] = (byWorker[worker] ?? 0) + 1;
  });
  const workers = new Set(Object.keys(byWorker).map((w) => w.replace(/ \(restarted\)$/, '')));
  return {
    byWorker,
    checks: [
      check(
        'follow-up CLI lists every scheduled follow-up',
        code === 0 && notListed.length === 0,
        `${expected.length} expected, ${listed.size} listed, ${notListed.length} missing`,
      ),
      check(
        'follow-ups recorded as scheduled in PostgreSQL',
        Number(stored.rows[0]?.n) === expected.length,
        `${stored.rows[0]?.n} rows`,
      ),
      check(
        'both workers scheduled follow-ups',
        workers.has('worker-1') && workers.has('worker-2'),
        JSON.stringify(byWorker),
      ),
    ],
  };
}

/**
 * The roles compose creates (deploy/postgres/init-roles.sh): the service's role can open neither of Temporal's
 * databases, Temporal's cannot open the service's, and neither may create roles or databases.
 */
export async function rolesSeparated(postgres: ThrowawayPostgres, compose: ComposeTopology): Promise<Check[]> {
  const store = new URL(compose.environment('api').DATABASE_URL ?? '');
  const temporalRole = compose.environment('temporal').POSTGRES_USER ?? '';
  const opens = async (user: string, database: string) => {
    const client = new PgClient({ host: postgres.host, port: postgres.port, user, database });
    try {
      await client.connect();
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const admin = new PgClient({ connectionString: postgres.url() });
  await admin.connect();
  const { rows } = await admin
    .query<{ rolname: string; powers: boolean }>(
      'SELECT rolname, rolsuper OR rolcreatedb OR rolcreaterole AS powers FROM pg_roles WHERE rolname = ANY($1)',
      [[store.username, temporalRole]],
    )
    .finally(() => admin.end());
  const crossings = [
    await opens(store.username, 'temporal'),
    await opens(store.username, 'temporal_visibility'),
    await opens(temporalRole, store.pathname.slice(1)),
  ];
  return [
    check(
      "the service's role and Temporal's are separate and least-privileged",
      rows.length === 2 && rows.every((r) => !r.powers) && crossings.every((c) => !c),
      `roles ${JSON.stringify(rows)}; cross-database connections allowed: ${crossings.filter(Boolean).length}`,
    ),
  ];
}
