import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { createPostgresSink } from '../../../../src/activities/sinks/store/postgresStore';
import { createSqliteSink } from '../../../../src/activities/sinks/store/sqliteStore';
import type { OutcomeSink } from '../../../../src/activities/sinks/types';
import type { FollowUpEvent, OutcomeEvent, OutcomeKind } from '../../../../src/contracts';
import { migrate } from '../../../../src/store/migrate';
import { migrations } from '../../../../src/store/migrations';
import { runDocumented } from '../../../helpers/documentedCommands';
import { postgresForTest } from '../../../helpers/postgres';

type Row = Record<string, unknown>;

/** One backend as the tests see it: two writers (two connections, like two workers) and a normalized reader. */
interface Backend {
  writers: [OutcomeSink, OutcomeSink];
  session(id: string): Promise<Row | undefined>;
  followUp(id: string): Promise<Row | undefined>;
  eventKeys(sessionId: string): Promise<string[]>;
  close(): Promise<void>;
}

/** PostgreSQL returns Date objects, SQLite the ISO text it was given. */
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : null);
const json = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);
const normalizeSession = (r: Row | undefined) =>
  r && {
    ...r,
    follow_up_due: Boolean(r.follow_up_due),
    correlation_json: json(r.correlation_json),
    event_json: json(r.event_json),
    updated_at: iso(r.updated_at),
  };
const normalizeFollowUp = (r: Row | undefined) =>
  r && { ...r, scheduled_at: iso(r.scheduled_at), updated_at: iso(r.updated_at) };

function sqliteBackend(): Promise<Backend> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'store-')), 'outcomes.sqlite');
  const a = createSqliteSink(file);
  const b = createSqliteSink(file);
  return Promise.resolve({
    writers: [a, b],
    session: (id) =>
      Promise.resolve(
        normalizeSession(a.db.prepare('SELECT * FROM sessions WHERE session_id = ?').get(id) as Row | undefined),
      ),
    followUp: (id) =>
      Promise.resolve(
        normalizeFollowUp(a.db.prepare('SELECT * FROM follow_ups WHERE follow_up_id = ?').get(id) as Row | undefined),
      ),
    eventKeys: (id) =>
      Promise.resolve(
        (
          a.db.prepare('SELECT idempotency_key FROM session_events WHERE session_id = ? ORDER BY 1').all(id) as Row[]
        ).map((r) => String(r.idempotency_key)),
      ),
    close: () => {
      a.db.close();
      b.db.close();
      return Promise.resolve();
    },
  });
}

async function postgresBackend(): Promise<Backend> {
  const database = await postgresForTest('outcomes');
  const pools = [new Pool({ connectionString: database.url }), new Pool({ connectionString: database.url })] as const;
  await migrate(pools[0]);
  const one = async (sql: string, id: string) => (await pools[0].query<Row>(sql, [id])).rows[0];
  return {
    writers: [createPostgresSink(pools[0]), createPostgresSink(pools[1])],
    session: async (id) => normalizeSession(await one('SELECT * FROM sessions WHERE session_id = $1', id)),
    followUp: async (id) => normalizeFollowUp(await one('SELECT * FROM follow_ups WHERE follow_up_id = $1', id)),
    eventKeys: async (id) =>
      (
        await pools[0].query<{ idempotency_key: string }>(
          'SELECT idempotency_key FROM session_events WHERE session_id = $1 ORDER BY 1',
          [id],
        )
      ).rows.map((r) => r.idempotency_key),
    async close() {
      await Promise.all(pools.map((p) => p.end()));
      await database.stop();
    },
  };
}

let counter = 0;
const newSessionId = () => `store-session-${process.pid}-${++counter}`;

function outcome(sessionId: string, kind: OutcomeKind, overrides: Partial<OutcomeEvent> = {}): OutcomeEvent {
  return {
    idempotencyKey: `${sessionId}:${kind}`,
    kind,
    sessionId,
    source: kind === 'in-flight' ? 'none' : 'webhook',
    agentId: 'agent_1',
    sessionType: 'VOICE',
    direction: 'OUTBOUND',
    outcome: kind === 'completed' ? 'Callback' : undefined,
    summary: kind === 'completed' ? 'The customer asked to be called back tomorrow.' : undefined,
    transcript:
      kind === 'completed'
        ? { ref: `https://example.test/transcripts/${sessionId}`, messages: 7, pages: 3 }
        : undefined,
    correlation: { crmContactId: 'CRM-1' },
    followUpDue: kind === 'completed',
    phase: kind === 'in-flight' ? 'awaiting-end' : 'done',
    recordedAt: new Date(Date.UTC(2026, 0, 1, 10, 0, kind === 'in-flight' ? 0 : 30)).toISOString(),
    ...overrides,
  };
}

function followUp(
  followUpId: string,
  kind: FollowUpEvent['kind'],
  overrides: Partial<FollowUpEvent> = {},
): FollowUpEvent {
  return {
    idempotencyKey: `${followUpId}:${kind}`,
    kind,
    followUpId,
    originalSessionId: followUpId.replace(/^followup-/, '').replace(/-\d+$/, ''),
    attempt: 1,
    correlation: {},
    recordedAt: new Date().toISOString(),
    ...overrides,
  };
}

describe.each([
  ['SQLite', sqliteBackend],
  ['PostgreSQL', postgresBackend],
])('outcome store on %s', (_name, open) => {
  let store: Backend;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(() => store?.close());

  it('records one row per session with the outcome, and one event row per idempotency key', async () => {
    const id = newSessionId();
    const [writer] = store.writers;
    await writer.record(outcome(id, 'in-flight'));
    await writer.record(outcome(id, 'completed'));
    await writer.record(outcome(id, 'completed')); // a retried activity

    expect(await store.session(id)).toMatchObject({
      session_id: id,
      kind: 'completed',
      phase: 'done',
      outcome: 'Callback',
      summary: 'The customer asked to be called back tomorrow.',
      follow_up_due: true,
      transcript_ref: `https://example.test/transcripts/${id}`,
      transcript_messages: 7,
      correlation_json: { crmContactId: 'CRM-1' },
      updated_at: '2026-01-01T10:00:30.000Z',
    });
    expect(await store.eventKeys(id)).toEqual([`${id}:completed`, `${id}:in-flight`]);
  });

  it('never lets a late in-flight mark overwrite the final outcome', async () => {
    const id = newSessionId();
    await store.writers[0].record(outcome(id, 'completed'));
    await store.writers[1].record(outcome(id, 'in-flight'));
    expect(await store.session(id)).toMatchObject({ kind: 'completed', outcome: 'Callback' });
  });

  it('keeps the final outcome when two workers race in-flight and final writes for the same sessions', async () => {
    const ids = Array.from({ length: 40 }, newSessionId);
    await Promise.all(
      ids.flatMap((id, i) => {
        const [a, b] = i % 2 === 0 ? store.writers : ([store.writers[1], store.writers[0]] as const);
        return [
          a.record(outcome(id, 'in-flight')),
          b.record(outcome(id, 'expired')),
          a.record(outcome(id, 'in-flight')),
        ];
      }),
    );
    for (const id of ids) {
      expect(await store.session(id)).toMatchObject({ kind: 'expired' });
      expect(await store.eventKeys(id)).toEqual([`${id}:expired`, `${id}:in-flight`]);
    }
  });

  it('keeps what an earlier follow-up event said when a later one does not repeat it', async () => {
    const root = newSessionId();
    const id = `followup-${root}-1`;
    await store.writers[0].record(followUp(id, 'follow-up.scheduled', { scheduledAt: '2026-01-02T09:30:00.000Z' }));
    await store.writers[1].record(followUp(id, 'follow-up.placed', { callSessionId: 'call-1' }));
    await store.writers[0].record(followUp(id, 'follow-up.chain-ended', { reason: 'satisfied' }));

    expect(await store.followUp(id)).toMatchObject({
      follow_up_id: id,
      original_session_id: root,
      attempt: 1,
      status: 'chain-ended',
      scheduled_at: '2026-01-02T09:30:00.000Z',
      call_session_id: 'call-1',
      reason: 'satisfied',
    });
    expect(await store.eventKeys(root)).toHaveLength(3);
  });

  it("tells on the original session's row where the customer stands, and a late write never takes it back", async () => {
    const root = newSessionId();
    const [first, second] = [`followup-${root}-1`, `followup-${root}-2`];
    const at = (second: number) => new Date(Date.UTC(2026, 0, 2, 9, 0, second)).toISOString();
    await store.writers[0].record(outcome(root, 'completed'));
    await store.writers[0].record(followUp(first, 'follow-up.scheduled', { recordedAt: at(1) }));
    expect(await store.session(root)).toMatchObject({ chain_state: 'scheduled', chain_attempt: 1 });

    await store.writers[1].record(followUp(first, 'follow-up.placed', { recordedAt: at(2) }));
    await store.writers[0].record(followUp(second, 'follow-up.scheduled', { attempt: 2, recordedAt: at(3) }));
    await store.writers[1].record(
      followUp(second, 'follow-up.cancelled', { attempt: 2, reason: 'cancelled: emailed', recordedAt: at(4) }),
    );
    // Attempt 1's placed mark, retried after attempt 2 was cancelled, and attempt 2's own earlier schedule.
    await store.writers[0].record({
      ...followUp(first, 'follow-up.placed', { recordedAt: at(2) }),
      idempotencyKey: 'x',
    });
    await store.writers[1].record(
      followUp(second, 'follow-up.scheduled', { attempt: 2, recordedAt: at(3), idempotencyKey: 'y' }),
    );

    expect(await store.session(root)).toMatchObject({
      kind: 'completed',
      chain_state: 'cancelled',
      chain_attempt: 2,
      chain_reason: 'cancelled: emailed',
    });
    // The session's own outcome, written again (a retry), leaves the chain as it stands.
    await store.writers[1].record(outcome(root, 'completed'));
    expect(await store.session(root)).toMatchObject({ chain_state: 'cancelled', chain_attempt: 2 });
  });

  it("takes up the chain's state when the session's own row lands after its first follow-up event", async () => {
    const root = newSessionId();
    const id = `followup-${root}-1`;
    await store.writers[0].record(followUp(id, 'follow-up.scheduled', { scheduledAt: '2026-01-02T09:30:00.000Z' }));
    await store.writers[1].record(outcome(root, 'completed'));
    expect(await store.session(root)).toMatchObject({ kind: 'completed', chain_state: 'scheduled', chain_attempt: 1 });

    await store.writers[0].record(followUp(id, 'follow-up.failed', { reason: 'no dial attempt left' }));
    await store.writers[1].record({ ...outcome(root, 'completed'), idempotencyKey: 'again' });
    expect(await store.session(root)).toMatchObject({ chain_state: 'failed', chain_reason: 'no dial attempt left' });
  });

  it('forgets a customer by the CRM_CONTACT_VARIABLE their rows hold: their session, its follow-up and the follow-up call, nobody else; then nothing more', async () => {
    const contact = `CRM-${newSessionId()}`;
    const [root, call, other] = [newSessionId(), newSessionId(), newSessionId()];
    const followUpId = `followup-${root}-1`;
    await store.writers[0].record(outcome(root, 'completed', { correlation: { customerRef: contact } }));
    await store.writers[0].record(followUp(followUpId, 'follow-up.placed', { callSessionId: call }));
    await store.writers[1].record(outcome(call, 'completed', { correlation: { followUpOf: root } }));
    // The same id under another variable is someone else's.
    await store.writers[1].record(outcome(other, 'completed', { correlation: { crmContactId: contact } }));
    const erasure = store.writers[0].erasure!;

    const subject = { crmContactId: contact, variable: 'customerRef' };
    const sessions = await erasure.sessionsOf(subject);
    expect(sessions.sort()).toEqual([root, call].sort());
    expect(await erasure.forget(sessions)).toBeGreaterThanOrEqual(5);
    expect(await store.session(root)).toBeUndefined();
    expect(await store.session(call)).toBeUndefined();
    expect(await store.followUp(followUpId)).toBeUndefined();
    expect(await store.eventKeys(root)).toEqual([]);
    expect(await store.session(other)).toBeDefined();
    expect(await erasure.sessionsOf(subject)).toEqual([]);
    expect(await erasure.forget([root, call])).toBe(0);
  });

  it('records text holding a NUL character (PostgreSQL text cannot store one)', async () => {
    const id = newSessionId();
    await store.writers[0].record(
      outcome(id, 'completed', { summary: 'before\0after', extractedData: { note: 'x\0y' } }),
    );
    const row = await store.session(id);
    expect(String(row?.summary).replace(/\0/g, '')).toBe('beforeafter');
  });
});

describe('SQLite file made before the chain columns', () => {
  it('gets them when a worker opens it, and its rows stay', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'store-')), 'outcomes.sqlite');
    const before = createSqliteSink(file);
    const root = newSessionId();
    await before.record(outcome(root, 'completed'));
    for (const column of ['chain_state', 'chain_attempt', 'chain_reason', 'chain_updated_at'])
      before.db.exec(`ALTER TABLE sessions DROP COLUMN ${column}`);
    before.db.close();

    const after = createSqliteSink(file);
    await after.record(followUp(`followup-${root}-1`, 'follow-up.cancelled', { reason: 'cancelled: emailed' }));
    expect(after.db.prepare('SELECT kind, chain_state FROM sessions WHERE session_id = ?').get(root)).toEqual({
      kind: 'completed',
      chain_state: 'cancelled',
    });
    after.db.close();
  });
});

describe('PostgreSQL migrations', () => {
  it('apply once when several workers start at the same moment', async () => {
    const database = await postgresForTest('migrations');
    const pools = Array.from({ length: 3 }, () => new Pool({ connectionString: database.url }));
    try {
      const results = await Promise.all(pools.map((pool) => migrate(pool)));
      const latest = migrations.length;
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, latest]);
      expect(results.every((r) => r.current === latest)).toBe(true);
      const { rows } = await pools[0]!.query<{ version: number; name: string }>(
        'SELECT version, name FROM schema_migrations ORDER BY version',
      );
      expect(rows).toEqual(migrations.map(({ version, name }) => ({ version, name })));
    } finally {
      await Promise.all(pools.map((p) => p.end()));
      await database.stop();
    }
  });
});

describe('npm run db:migrate', () => {
  it("brings a database to this build's schema, as README and the runbook write it", async () => {
    const database = await postgresForTest('db_migrate');
    const pool = new Pool({ connectionString: database.url });
    try {
      const env = { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: database.url };
      const ran = await runDocumented('npm run db:migrate', {}, env);
      expect(ran).toMatchObject({ code: 0 });
      const { rows } = await pool.query<{ version: number }>('SELECT max(version) AS version FROM schema_migrations');
      expect(rows[0]?.version).toBe(migrations.length);
      await pool.query('SELECT chain_state, chain_attempt, chain_reason, chain_updated_at FROM sessions');
    } finally {
      await pool.end();
      await database.stop();
    }
  }, 60_000);
});
