import { Pool } from 'pg';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPostgresSink } from '../../../src/activities/sinks/store/postgresStore';
import { createSqliteSink } from '../../../src/activities/sinks/store/sqliteStore';
import type { OutcomeSink } from '../../../src/activities/sinks/types';
import { SessionEnded } from '../../../src/contracts/agntixEvents';
import { followUpWorkflowId, type OutcomeEvent } from '../../../src/contracts';
import { ALL_SCOPES, SANDBOX_HUBSPOT_TOKEN, startFakeHubSpot } from '../../../src/dev/sandbox/fakeHubspot';
import { migrate } from '../../../src/store/migrate';
import { buildOutcome } from '../../../src/workflows/session/outcome';
import type { sessionWorkflow } from '../../../src/workflows';
import { example, freshSession } from '../../../src/dev/examples';
import { crmView, hubspotSinkFor } from '../../helpers/hubspot';
import { postgresForTest } from '../../helpers/postgres';
import { anyHour, testFollowUpPolicy, testPolicy } from '../../helpers/policy';
import { waitFor } from '../../helpers/wait';
import { useWorkflowPeers } from '../../helpers/workflowPeers';
import { sessionEndedWith } from '../../helpers/events';

const CREATED = 'session-created.voice-outbound.json';
const ENDED = 'session-ended.voice-callback-requested.json';
const API_KEY = 'pk_test_late_end';

/** Follow-ups an hour away: the test sees one scheduled, and no call is placed while it runs. */
const followUp = testFollowUpPolicy({ rules: anyHour(3600_000) });

describe('expiry is provisional: a late session.ended is never lost', () => {
  const peers = useWorkflowPeers({ name: 'late-end', apiKey: API_KEY });

  const worker = (lateEndWindowSeconds: number) =>
    peers.worker({ policy: { ...testPolicy, lateEndWindowSeconds, sinks: ['sqlite', 'outcome-webhook'], followUp } });
  const deliver = peers.deliver;
  /** A session the API keeps calling open: it expires after the bounded waits. */
  const openSession = async () => {
    const sessionId = randomUUID();
    peers.agntix.sessions.set(sessionId, {
      detail: { ...example('session-detail.json'), id: sessionId, state: 'OPEN', endedAt: null, analysis: null },
    });
    expect((await deliver(freshSession(CREATED, sessionId))).body.status).toBe('started');
    return sessionId;
  };
  const kindOf = (sessionId: string) =>
    (peers.sqlite.db.prepare('SELECT kind FROM sessions WHERE session_id = ?').get(sessionId) as { kind?: string })
      ?.kind;
  const handle = (sessionId: string) => peers.temporal.client.workflow.getHandle<typeof sessionWorkflow>(sessionId);
  const receivedKinds = (sessionId: string) => peers.receiver.forSession(sessionId).map((r) => r.type);
  const followUpRuns = async (sessionId: string) => {
    const query = `WorkflowType = 'followUpWorkflow' AND AgntixFollowUpOf = '${sessionId}'`;
    const ids: string[] = [];
    for await (const run of peers.temporal.client.workflow.list({ query })) ids.push(run.workflowId);
    return ids;
  };
  const cancelFollowUp = (sessionId: string) =>
    peers.temporal.client.workflow
      .getHandle(followUpWorkflowId(sessionId, 1))
      .terminate('test over')
      .catch(() => undefined);

  it('a session.ended within the window replaces the expiry everywhere and schedules exactly one follow-up', async () => {
    const w = await worker(60);
    await w.runUntil(async () => {
      const sessionId = await openSession();
      await waitFor(() => kindOf(sessionId) === 'expired', 'the expiry in the store', 20_000);
      await waitFor(() => receivedKinds(sessionId).includes('session.expired'), 'the expiry at the receiver');

      const started = Date.now();
      const late = await deliver(freshSession(ENDED, sessionId));
      expect(late.body.status).toBe('signaled'); // the expired run still listens
      const result = await handle(sessionId).result();
      const tookMs = Date.now() - started;

      expect(result).toMatchObject({
        phase: 'follow-up-scheduled',
        source: 'webhook',
        supersedes: `${sessionId}:expired`,
        followUp: { followUpId: followUpWorkflowId(sessionId, 1) },
      });
      expect(kindOf(sessionId)).toBe('completed');
      const completed = peers.receiver.forSession(sessionId).find((r) => r.type === 'session.completed');
      expect(completed?.data).toMatchObject({ supersedes: `${sessionId}:expired`, followUpDue: true });
      await waitFor(async () => (await followUpRuns(sessionId)).length > 0, 'the follow-up in the index');
      expect(await followUpRuns(sessionId)).toEqual([followUpWorkflowId(sessionId, 1)]);

      // A redelivery after the late end was taken is a repeat: nothing new.
      expect((await deliver(freshSession(ENDED, sessionId))).body.status).toBe('duplicate');
      console.log(`late end within the window: recorded and run closed ${tookMs} ms after its delivery`);
      await cancelFollowUp(sessionId);
    });
  });

  it('a late session.ended while the expiry is still being written (receiver down) is taken, not ignored', async () => {
    const w = await worker(60);
    await w.runUntil(async () => {
      peers.receiver.failFirst.set('session.expired', 3); // the receiver fails the expiry, which keeps being retried
      const sessionId = await openSession();
      await waitFor(() => kindOf(sessionId) === 'expired', 'the expiry in the store', 20_000);
      expect((await deliver(freshSession(ENDED, sessionId))).body.status).toBe('signaled');
      const result = await handle(sessionId).result();
      expect(result).toMatchObject({ phase: 'follow-up-scheduled', supersedes: `${sessionId}:expired` });
      expect(kindOf(sessionId)).toBe('completed');
      // Each system takes its events in order: the expiry first, then the outcome that replaces it.
      expect(receivedKinds(sessionId)).toEqual(['session.in-flight', 'session.expired', 'session.completed']);
      await cancelFollowUp(sessionId);
    });
  });

  it('after the window, a late session.ended starts a run that follows the expiry, and is recorded', async () => {
    const w = await worker(1);
    await w.runUntil(async () => {
      const sessionId = await openSession();
      const expired = await handle(sessionId).result();
      expect(expired).toMatchObject({ phase: 'expired', outcome: 'EXPIRED' });
      const firstRun = (await handle(sessionId).describe()).runId;

      const late = await deliver(freshSession(ENDED, sessionId));
      expect(late.body.status).toBe('started'); // never `duplicate` and dropped
      const result = await handle(sessionId).result();
      expect(result).toMatchObject({ phase: 'follow-up-scheduled', supersedes: `${sessionId}:expired` });
      expect((await handle(sessionId).describe()).runId).not.toBe(firstRun);
      expect(kindOf(sessionId)).toBe('completed');
      await waitFor(() => receivedKinds(sessionId).includes('session.completed'), 'the late outcome');
      expect(receivedKinds(sessionId)).toEqual(['session.in-flight', 'session.expired', 'session.completed']);

      // Once the late end is recorded, another delivery of it is a repeat.
      expect((await deliver(freshSession(ENDED, sessionId))).body.status).toBe('duplicate');
      expect(await followUpRuns(sessionId)).toEqual([followUpWorkflowId(sessionId, 1)]);
      await cancelFollowUp(sessionId);
    });
  });

  it('a session whose history is gone is not recorded again as new: the store knows its outcome', async () => {
    const w = await worker(1);
    await w.runUntil(async () => {
      const sessionId = randomUUID();
      const ended = sessionEndedWith(sessionId, { callbackRequested: false });
      expect((await deliver(ended)).body.status).toBe('started');
      expect(await handle(sessionId).result()).toMatchObject({ phase: 'done' });
      await waitFor(() => receivedKinds(sessionId).includes('session.completed'), 'the outcome');
      const { runId } = await handle(sessionId).describe();
      // As after retention or `npm run forget`'s workflow deletion: the history is gone.
      await peers.temporal.client.workflowService.deleteWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId: sessionId, runId },
      });
      await waitFor(
        () =>
          handle(sessionId)
            .describe()
            .then(
              () => false,
              () => true,
            ),
        'the history to be gone',
      );
      const attemptsBefore = peers.receiver.attempts.length;

      expect((await deliver(ended)).body.status).toBe('started'); // Temporal no longer knows the session
      expect(await handle(sessionId).result()).toMatchObject({ alreadyRecorded: true, phase: 'done' });
      expect(peers.receiver.attempts.length).toBe(attemptsBefore); // nothing sent again
      expect(kindOf(sessionId)).toBe('completed');
    });
  });

  it('a reset is not a run whose history is gone: an operator resetting a recorded session redoes its writes', async () => {
    const w = await worker(1);
    await w.runUntil(async () => {
      const sessionId = randomUUID();
      const ended = sessionEndedWith(sessionId, { callbackRequested: false });
      await deliver(ended);
      await handle(sessionId).result();
      await waitFor(() => receivedKinds(sessionId).includes('session.completed'), 'the outcome');
      const writes = () => peers.receiver.attempts.length;
      const before = writes();
      const { runId } = await handle(sessionId).describe();
      const { events } = await handle(sessionId).fetchHistory();
      const firstTask = events!.find((e) => e.workflowTaskCompletedEventAttributes)!.eventId!;
      // docs/operations.md: re-run a write by resetting the workflow to before it; here, to the very first task.
      await peers.temporal.client.workflowService.resetWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId: sessionId, runId },
        workflowTaskFinishEventId: firstTask,
        requestId: randomUUID(),
        reason: 'test: redo the writes',
      });
      const again = await handle(sessionId).result();
      expect(again.alreadyRecorded).toBeUndefined();
      expect(again).toMatchObject({ phase: 'done' });
      expect(writes()).toBeGreaterThan(before); // the outcome was written again (the receiver dedupes it)
    });
  });
});

describe('every system keeps the late end: an expiry landing after it never takes it back', () => {
  const PHONE = '+447700900412';
  /**
   * The expiry and the outcome that supersedes it, as the session workflow builds them for a follow-up's call whose
   * webhooks all came late: no created seen, so the expiry's time is when it expired, later than the call's end.
   */
  const pair = (sessionId: string): { expired: OutcomeEvent; completed: OutcomeEvent } => {
    const ended = SessionEnded.parse(freshSession(ENDED, sessionId));
    const placedCall = {
      agentId: ended.agentId ?? 'agent',
      sessionVariables: {},
      ttlSeconds: 60,
      customerPhoneNumber: PHONE,
    };
    const common = { sessionId, policy: testPolicy, placedCall, now: new Date() };
    const expired = buildOutcome({ ...common, kind: 'expired', source: 'none', phase: 'expired' });
    const completed = buildOutcome({
      ...common,
      kind: 'completed',
      source: 'webhook',
      ended,
      phase: 'post-call',
      supersedes: `${sessionId}:expired`,
    });
    return { expired, completed };
  };
  /** The expiry, the late end, then the expiry's retry landing late (it ran in its own queue). */
  const lateEndThenStaleExpiry = async (sink: OutcomeSink, sessionId: string) => {
    const { expired, completed } = pair(sessionId);
    await sink.record(expired, { phoneNumber: PHONE });
    await sink.record(completed, { phoneNumber: PHONE });
    await sink.record(expired, { phoneNumber: PHONE });
  };

  it('SQLite: the row moves from expired to completed and stays there', async () => {
    const sqlite = createSqliteSink(path.join(mkdtempSync(path.join(tmpdir(), 'late-end-rows-')), 'o.sqlite'));
    const sessionId = randomUUID();
    await lateEndThenStaleExpiry(sqlite, sessionId);
    const row = sqlite.db.prepare('SELECT kind, event_json FROM sessions WHERE session_id = ?').get(sessionId) as {
      kind: string;
      event_json: string;
    };
    expect(row.kind).toBe('completed');
    expect(JSON.parse(row.event_json)).toMatchObject({ supersedes: `${sessionId}:expired` });
    expect(await sqlite.recordedKind!(sessionId)).toBe('completed');
    sqlite.db.close();
  });

  it('PostgreSQL: the row moves from expired to completed and stays there', async () => {
    const database = await postgresForTest('late_end');
    const pool = new Pool({ connectionString: database.url });
    try {
      await migrate(pool);
      const sink = createPostgresSink(pool);
      const sessionId = randomUUID();
      await lateEndThenStaleExpiry(sink, sessionId);
      const { rows } = await pool.query('SELECT kind FROM sessions WHERE session_id = $1', [sessionId]);
      expect(rows).toEqual([{ kind: 'completed' }]);
      expect(await sink.recordedKind!(sessionId)).toBe('completed');
    } finally {
      await pool.end();
      await database.stop();
    }
  });

  it('HubSpot: the call moves from no answer to completed and stays there; the contact takes the late outcome', async () => {
    const hub = await startFakeHubSpot({ tokens: { [SANDBOX_HUBSPOT_TOKEN]: ALL_SCOPES } });
    try {
      const sink = await hubspotSinkFor(hub);
      const sessionId = randomUUID();
      await lateEndThenStaleExpiry(sink, sessionId);
      const calls = crmView(hub).callsOf(sessionId);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.properties.hs_call_status).toBe('COMPLETED');
      const [contact] = crmView(hub).contactsWithPhone(PHONE);
      expect(contact!.properties.agntix_last_call_outcome).toBe(pair(sessionId).completed.outcome);
    } finally {
      await hub.close();
    }
  });
});
