import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createOutcomeWebhookSink } from '../../src/activities/sinks/outcomeWebhook/sink';
import { createSqliteSink } from '../../src/activities/sinks/store/sqliteStore';
import { FOLLOW_UP_WORKFLOW_TYPE, followUpWorkflowId } from '../../src/contracts';
import { freshSession } from '../../src/dev/examples';
import { startFakeAgntix, type FakeAgntix } from '../../src/dev/sandbox/fakeAgntix';
import { newSecret, post, sign } from '../../src/dev/signing';
import type { FollowUpInput } from '../../src/workflows/followUp/workflow';
import type { FollowUpPolicy } from '../../src/workflows/policy';
import { agntixClientsFor } from './agntixClients';
import { startTestApi } from './api';
import { startOutcomeReceiver } from './outcomeReceiver';
import { anyHour, testFollowUpPolicy, testPolicy } from './policy';
import { actionsBetween, type ActionCounts, type CountingServer } from './serverActions';
import { uniqueTaskQueue } from './temporal';
import { waitFor } from './wait';
import { createTestWorker } from './worker';
import { transcriptTurns } from './events';

/*
 * The four kinds of session whose cost issue #26 sets targets for, each run alone on a counting server (see
 * ./serverActions.ts) with the real API, worker and activities, two external systems (the store and the outcome
 * webhook) and the Agntix sandbox. Shared by test/workflows/serverActions.test.ts and `npm run bench:session-cost`.
 */

export const CREATED = 'session-created.voice-outbound.json';
export const ENDED = 'session-ended.voice-callback-requested.json';
const API_KEY = 'pk_test_actions';

export type ScenarioName = 'standard' | 'expired' | 'schedulesFollowUp' | 'followUpPlaced';

export const SCENARIOS: Record<ScenarioName, string> = {
  standard: 'standard voice session: created + ended, a transcript of 3 pages, two external systems',
  expired: 'expired session: created, never ended, the API says open at each of its 3 checks (test policy)',
  schedulesFollowUp: 'session that schedules a follow-up: created + ended, up to the follow-up waiting for its slot',
  followUpPlaced:
    'follow-up that places its call: started (announced by its session), dials, tells every system, starts the call session',
};

/** Follow-ups that dial the sandbox at once, each step told to both systems. */
const followUpPolicy = (overrides: Partial<FollowUpPolicy>) =>
  testFollowUpPolicy({ phoneNumberId: 'pn-actions', ttlSeconds: 600, confirmGraceSeconds: 5, ...overrides });

/** What one scenario cost, by the server's counter, and anything not the scenario's own that was taken out. */
export interface Measured {
  counts: ActionCounts;
  note?: string;
}

/** Runs one scenario on its own task queue and reads the server's counter before and after it. */
export async function measureScenario(
  temporal: CountingServer,
  bundle: WorkflowBundleWithSourceMap,
  name: ScenarioName,
): Promise<Measured> {
  const secret = newSecret();
  const outcomeSecret = newSecret();
  const taskQueue = uniqueTaskQueue(`actions-${name}`);
  const agntix: FakeAgntix = await startFakeAgntix({ apiKey: API_KEY, pageSize: 3 });
  const api = await startTestApi(temporal.client, taskQueue, [secret]);
  const receiver = await startOutcomeReceiver(outcomeSecret);
  const sqlite = createSqliteSink(path.join(mkdtempSync(path.join(tmpdir(), 'actions-')), 'outcomes.sqlite'));
  const deliver = (file: string, id: string) =>
    post(`${api.url}/webhooks/agntix`, sign(secret, freshSession(file, id)));
  const worker = (followUp?: FollowUpPolicy) =>
    createTestWorker(temporal, taskQueue, bundle, {
      ...agntixClientsFor(agntix.url, API_KEY),
      sinks: [sqlite, createOutcomeWebhookSink(receiver.url, outcomeSecret, 5000)],
      policy: { ...testPolicy, sinks: ['sqlite', 'outcome-webhook'], ...(followUp ? { followUp } : {}) },
    });
  const session = (id: string) => temporal.client.workflow.getHandle(id);
  const inFlight = (id: string) =>
    waitFor(() => receiver.forSession(id).some((r) => r.type === 'session.in-flight'), 'the in-flight mark');
  const sessionId = randomUUID();
  try {
    const before = await temporal.readActions();
    let note: string | undefined;
    switch (name) {
      case 'standard': {
        agntix.sessions.set(sessionId, { messages: transcriptTurns(8) });
        await (
          await worker()
        ).runUntil(async () => {
          await deliver(CREATED, sessionId);
          await inFlight(sessionId);
          await deliver(ENDED, sessionId);
          await session(sessionId).result();
        });
        break;
      }
      case 'expired': {
        agntix.sessions.set(sessionId, { detail: { id: sessionId, state: 'OPEN' }, messages: [] });
        await (
          await worker()
        ).runUntil(async () => {
          await deliver(CREATED, sessionId);
          await session(sessionId).result();
        });
        break;
      }
      case 'schedulesFollowUp': {
        agntix.sessions.set(sessionId, { messages: transcriptTurns(1) });
        const followUpId = followUpWorkflowId(sessionId, 1);
        await (
          await worker(followUpPolicy({ rules: anyHour(24 * 3600_000) }))
        ).runUntil(async () => {
          await deliver(CREATED, sessionId);
          await inFlight(sessionId);
          await deliver(ENDED, sessionId);
          await session(sessionId).result();
          await waitFor(
            () => [...receiver.recorded.values()].some((r) => r.type === 'follow-up.scheduled'),
            'the follow-up told every system it is scheduled',
          );
        });
        await session(followUpId).terminate('measured up to its wait for the slot');
        break;
      }
      case 'followUpPlaced': {
        // The call's own session workflow starts as the follow-up ends and waits for the call's webhooks (the
        // sandbox sends none here): what it does meanwhile is its cost, not the follow-up's, and is taken out below.
        const policy = followUpPolicy({});
        const input: FollowUpInput = {
          rootSessionId: sessionId,
          previousSessionId: sessionId,
          attempt: 1,
          scheduledAt: new Date().toISOString(),
          wish: {},
          customerPhoneNumber: '+447700900412',
          agentId: 'agent_outbound_01',
          sessionVariables: { crmContactId: 'CRM-40215' },
          policy,
          sinks: ['sqlite', 'outcome-webhook'],
          sharing: testPolicy.sharing,
          // As in production: the scheduling session told every system, in the write of its own outcome (its cost).
          announcedTo: ['sqlite', 'outcome-webhook'],
        };
        const handle = await temporal.client.workflow.start(FOLLOW_UP_WORKFLOW_TYPE, {
          workflowId: followUpWorkflowId(sessionId, 1),
          taskQueue,
          args: [input],
        });
        let callSessionId: string | undefined;
        await (
          await worker(policy)
        ).runUntil(async () => {
          callSessionId = ((await handle.result()) as { callSessionId?: string }).callSessionId;
          await waitFor(() => receiver.forSession(callSessionId!).some((r) => r.type === 'session.in-flight'), 'call');
        });
        const after = await temporal.readActions();
        const call = await callSessionActions(temporal, callSessionId!);
        await session(callSessionId!).terminate('measured');
        return {
          counts: subtract(actionsBetween(before, after), call),
          note: `the call session's own first actions (${JSON.stringify(call)}, from its history) taken out`,
        };
      }
    }
    return { counts: actionsBetween(before, await temporal.readActions()), note };
  } finally {
    sqlite.db.close();
    await receiver.close();
    await api.close();
    await agntix.close();
  }
}

/** A waiting session's actions so far, by the server's action types, read from its history. */
async function callSessionActions(temporal: CountingServer, sessionId: string): Promise<ActionCounts> {
  const events = (await temporal.client.workflow.getHandle(sessionId).fetchHistory()).events ?? [];
  const counts: ActionCounts = {};
  const add = (type: string, n = 1) => (counts[type] = (counts[type] ?? 0) + n);
  const markerTasks = new Set<string>();
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) add('command_ScheduleActivityTask');
    if (e.timerStartedEventAttributes) add('command_StartTimer');
    if (e.upsertWorkflowSearchAttributesEventAttributes) add('command_UpsertWorkflowSearchAttributes');
    const marker = e.markerRecordedEventAttributes;
    if (marker) markerTasks.add(String(marker.workflowTaskCompletedEventId));
    const attempt = e.activityTaskStartedEventAttributes?.attempt ?? 1;
    if (attempt > 1) add('activity_retry', attempt - 1);
  }
  if (markerTasks.size > 0) add('command_BatchMarkers', markerTasks.size);
  return counts;
}

function subtract(counts: ActionCounts, taken: ActionCounts): ActionCounts {
  const left = { ...counts };
  for (const [type, n] of Object.entries(taken)) {
    left[type] = (left[type] ?? 0) - n;
    if (left[type] === 0) delete left[type];
  }
  return left;
}
