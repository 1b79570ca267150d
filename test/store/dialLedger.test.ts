import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import Long from 'long';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { createSqliteSink } from '../../src/activities/sinks/store/sqliteStore';
import { followUpStatusQuery, followUpWorkflowId, cancelFollowUpUpdate } from '../../src/contracts';
import { startFakeAgntix, type FakeAgntix } from '../../src/dev/sandbox/fakeAgntix';
import { migrate } from '../../src/store/migrate';
import { createPostgresDialLedger } from '../../src/store/postgresDialLedger';
import { createSqliteDialLedger } from '../../src/store/sqliteDialLedger';
import type { DialLedger } from '../../src/store/dialLedger';
import type { followUpWorkflow } from '../../src/workflows';
import type { FollowUpInput } from '../../src/workflows/followUp/workflow';
import type { FollowUpPolicy } from '../../src/workflows/policy';
import { agntixClientsFor } from '../helpers/agntixClients';
import { postgresForTest } from '../helpers/postgres';
import { bundleWorkflows, connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { createTestWorker } from '../helpers/worker';
import { testFollowUpPolicy } from '../helpers/policy';

const API_KEY = 'pk_test_dial_ledger';
const SECRET = 'a dial ledger key for these tests, 32+';
const allDay = { start: 0, end: 24 * 60 };
const policy = (overrides: Partial<FollowUpPolicy> = {}) =>
  testFollowUpPolicy({
    maxDials: 3,
    operatorGraceSeconds: 30,
    rules: {
      timeZone: 'UTC',
      hours: allDay,
      days: [0, 1, 2, 3, 4, 5, 6],
      holidays: [],
      minDelayMs: 0,
      defaultDelayMs: 0,
      windows: { morning: allDay },
    },
    ...overrides,
  });

describe('the dial ledger in the store', () => {
  it('SQLite: a dial is claimed once, by any handle on the file, and erasure leaves the claim', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ledger-')), 'outcomes.sqlite');
    const first = createSqliteSink(file);
    const second = createSqliteSink(file); // another process on the same host
    const key = { followUpId: followUpWorkflowId(randomUUID(), 1), dial: 1 };
    expect(await createSqliteDialLedger(first.db, SECRET).claim(key)).toBe(true);
    expect(await createSqliteDialLedger(second.db, SECRET).claim(key)).toBe(false);
    expect(await createSqliteDialLedger(second.db, SECRET).claim({ ...key, dial: 2 })).toBe(true);
    const root = key.followUpId.replace(/^followup-|-1$/g, '');
    await first.erasure!.forget([root]);
    expect(await createSqliteDialLedger(first.db, SECRET).claim(key)).toBe(false);
    // Nothing in it names the session: only keyed hashes.
    const rows = first.db.prepare('SELECT * FROM dial_ledger').all();
    expect(JSON.stringify(rows)).not.toContain(root);
    first.db.close();
    second.db.close();
  });

  it('PostgreSQL: two deployments sharing the store claim a dial once between them', async () => {
    const database = await postgresForTest('dial_ledger');
    const pools = [new Pool({ connectionString: database.url }), new Pool({ connectionString: database.url })];
    try {
      await migrate(pools[0]!);
      const ledgers = pools.map((pool) => createPostgresDialLedger(pool, SECRET));
      const key = { followUpId: followUpWorkflowId(randomUUID(), 2), dial: 1 };
      const claims = await Promise.all([...ledgers, ...ledgers].map((ledger) => ledger.claim(key)));
      expect(claims.filter(Boolean)).toHaveLength(1);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await database.stop();
    }
  });
});

describe('a follow-up never dials a dial an earlier run made', () => {
  let temporal: TestTemporal;
  let bundle: WorkflowBundleWithSourceMap;
  let agntix: FakeAgntix;
  let ledger: DialLedger;
  let taskQueue: string;

  beforeAll(async () => {
    temporal = await connectTestTemporal();
    bundle = await bundleWorkflows();
  });
  afterAll(() => temporal.close());
  beforeEach(async () => {
    taskQueue = uniqueTaskQueue('dial-ledger');
    agntix = await startFakeAgntix({ apiKey: API_KEY });
    const { db } = createSqliteSink(path.join(mkdtempSync(path.join(tmpdir(), 'ledger-')), 'outcomes.sqlite'));
    ledger = createSqliteDialLedger(db, SECRET);
  });
  afterEach(() => agntix.close());

  const worker = (dialAbsenceSettleMs = 0) =>
    createTestWorker(temporal, taskQueue, bundle, {
      ...agntixClientsFor(agntix.url, API_KEY, 500),
      dialLedger: ledger,
      dialAbsenceSettleMs,
    });
  const input = (followUp: Partial<FollowUpPolicy> = {}): FollowUpInput => {
    const root = randomUUID();
    return {
      rootSessionId: root,
      previousSessionId: root,
      attempt: 1,
      scheduledAt: new Date().toISOString(),
      wish: {},
      customerPhoneNumber: '+447700900412',
      agentId: 'c5ca6f81-0271-4156-976f-9eb8923caad2',
      sessionVariables: { crmContactId: 'CRM-1' },
      policy: policy(followUp),
      sinks: [],
    };
  };
  const start = (args: FollowUpInput) =>
    temporal.client.workflow.start<typeof followUpWorkflow>('followUpWorkflow', {
      workflowId: followUpWorkflowId(args.rootSessionId, args.attempt),
      taskQueue,
      args: [args],
    });
  const stopCallSessions = () =>
    Promise.all(
      agntix.placed().map((c) =>
        temporal.client.workflow
          .getHandle(c.sessionId!)
          .terminate('test over')
          .catch(() => undefined),
      ),
    );
  const needsOperator = async (workflowId: string) => {
    const handle = temporal.client.workflow.getHandle<typeof followUpWorkflow>(workflowId);
    await waitFor(
      async () => (await handle.query(followUpStatusQuery)).state === 'needs-operator',
      'the follow-up to ask an operator',
    );
    return handle.query(followUpStatusQuery);
  };

  it('a second run of the follow-up (a redelivery after erasure or retention, a restart) makes no call', async () => {
    const w = await worker();
    await w.runUntil(async () => {
      const args = input();
      expect(await (await start(args)).result()).toMatchObject({ state: 'placed' });
      expect(agntix.calls).toHaveLength(1);

      const again = await start(args); // the same follow-up id, a new run: its history knows nothing of the dial
      const status = await needsOperator(again.workflowId);
      expect(status.reason).toMatch(/dial 1 of this follow-up was already made.*dial ledger/);
      expect(agntix.calls).toHaveLength(1);
      await again.executeUpdate(cancelFollowUpUpdate, { args: [{ reason: 'test over' }] });
      expect(await again.result()).toMatchObject({ state: 'cancelled' });
      expect(agntix.calls).toHaveLength(1);
      await stopCallSessions();
    });
  });

  it('a placed follow-up reset to each workflow task before its dial makes no second call', async () => {
    const w = await worker();
    await w.runUntil(async () => {
      const handle = await start(input());
      await handle.result();
      const { events } = await handle.fetchHistory();
      const dialAt = events!.findIndex(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'startFollowUpCall',
      );
      const resetPoints = events!
        .slice(0, dialAt)
        .filter((e) => e.workflowTaskCompletedEventAttributes)
        .map((e) => Number(e.eventId));
      expect(resetPoints.length).toBeGreaterThan(0);
      let runId = handle.firstExecutionRunId;
      for (const eventId of resetPoints) {
        const reset: Promise<{ runId?: string | null }> = temporal.client.workflowService.resetWorkflowExecution({
          namespace: 'default',
          workflowExecution: { workflowId: handle.workflowId, runId },
          workflowTaskFinishEventId: Long.fromNumber(eventId),
          requestId: randomUUID(),
          reason: 'runbook: reset to before the dial',
        });
        runId = (await reset).runId!;
        await needsOperator(handle.workflowId);
        await temporal.client.workflow
          .getHandle(handle.workflowId, runId)
          .executeUpdate(cancelFollowUpUpdate, { args: [{ reason: 'test over' }] });
        await temporal.client.workflow.getHandle(handle.workflowId, runId).result();
      }
      expect(agntix.calls).toHaveLength(1);
      await stopCallSessions();
    });
  });

  it('an ambiguous dial whose call the sessions list shows only after a delay is not dialled again', async () => {
    // The first read of the list comes about 1.5 s after the dial (its 0.5 s timeout, the 1 s confirmation grace);
    // the call is listed 4 s after it, and the second read comes 4 s after the first.
    agntix.callScript.push({ hang: true, placed: true, listedAfterMs: 4000 });
    const w = await worker(4000);
    await w.runUntil(async () => {
      const done = await (await start(input())).result();
      expect(done).toMatchObject({ state: 'placed', placedBy: 'api', callSessionId: agntix.calls[0]!.sessionId });
      expect(agntix.calls).toHaveLength(1);
      await stopCallSessions();
    });
  });
});
