import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { runFollowUpCommand } from '../../../src/bin/followup';
import { resolveCallbackTime, type CallingRules } from '../../../src/workflows/followUp/callingTime';
import {
  cancelFollowUpUpdate,
  followUpStatusQuery,
  followUpWorkflowId,
  rescheduleFollowUpUpdate,
} from '../../../src/contracts';
import type { RuleSet } from '../../../src/automations/ruleSchema';
import type { FollowUpPolicy } from '../../../src/workflows/policy';
import type { followUpWorkflow, sessionWorkflow } from '../../../src/workflows';
import { countActions } from '../../helpers/historyActions';
import { saveHistory } from '../../helpers/histories';
import { testFollowUpPolicy, testPolicy } from '../../helpers/policy';
import { waitFor } from '../../helpers/wait';
import { freshSession } from '../../../src/dev/examples';
import { useWorkflowPeers } from '../../helpers/workflowPeers';
import { sessionEndedWith } from '../../helpers/events';

const ENDED = 'session-ended.voice-callback-requested.json';
const CREATED = 'session-created.voice-outbound.json';
const API_KEY = 'pk_test_followups';
const hm = (h: number) => h * 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Asked for a callback without naming a time: with always-open hours and no delays, that is now. */
const NOW = { callbackRequested: true, callOutcome: 'Unavailable' };

/** Calls may be placed at any moment: the behaviour under test, not the calendar. */
const alwaysOpen: CallingRules = {
  timeZone: 'UTC',
  hours: { start: 0, end: hm(24) },
  days: [0, 1, 2, 3, 4, 5, 6],
  holidays: [],
  minDelayMs: 0,
  defaultDelayMs: 0,
  windows: { morning: { start: 0, end: hm(24) } },
};
const officeHours: CallingRules = {
  timeZone: 'Europe/London',
  hours: { start: hm(9), end: hm(18) },
  days: [1, 2, 3, 4, 5],
  holidays: [],
  minDelayMs: 30 * 60_000,
  defaultDelayMs: 2 * 60 * 60_000,
  windows: { morning: { start: hm(9), end: hm(12) }, afternoon: { start: hm(12), end: hm(17) } },
};
const followUpPolicy = (overrides: Partial<FollowUpPolicy> = {}) =>
  testFollowUpPolicy({ maxDials: 3, confirmGraceSeconds: 3, rules: alwaysOpen, ...overrides });

describe('follow-up calls for callbackRequested outcomes', () => {
  const peers = useWorkflowPeers({ name: 'followups', apiKey: API_KEY, pageSize: 3 });

  function worker(followUp: FollowUpPolicy, callTimeoutMs = 5000, rules?: RuleSet): Promise<Worker> {
    return peers.worker(
      { policy: { ...testPolicy, sinks: ['sqlite', 'outcome-webhook'], followUp }, ...(rules ? { rules } : {}) },
      callTimeoutMs,
    );
  }

  const deliver = peers.deliver;
  const endWithCallback = async (extractedData?: Record<string, unknown>) => {
    const sessionId = randomUUID();
    const event = sessionEndedWith(sessionId, extractedData);
    await deliver(event);
    await peers.temporal.client.workflow.getHandle(sessionId).result(); // the follow-up has started by then
    return sessionId;
  };
  const sessionHistory = (sessionId: string) => peers.temporal.client.workflow.getHandle(sessionId).fetchHistory();
  const sessionResult = (sessionId: string) =>
    peers.temporal.client.workflow.getHandle<typeof sessionWorkflow>(sessionId).result();
  const followUp = (sessionId: string, attempt = 1) =>
    peers.temporal.client.workflow.getHandle<typeof followUpWorkflow>(followUpWorkflowId(sessionId, attempt));
  /** What Agntix would send when the follow-up call starts: its session.created, echoing our variables. */
  const callStarted = (callSessionId: string, variables: Record<string, string>) => {
    const event = freshSession(CREATED, callSessionId) as { metadata: { sessionVariables: Record<string, string> } };
    event.metadata.sessionVariables = variables;
    return deliver(event);
  };
  const followUpEvents = (rootSessionId: string) =>
    [...peers.receiver.recorded.values()].filter((r) => r.data.originalSessionId === rootSessionId).map((r) => r.type);

  it('costs a session that schedules a follow-up at most 10 billable actions, the follow-up start included', async () => {
    const w = await worker(followUpPolicy());
    await w.runUntil(async () => {
      const sessionId = randomUUID();
      const turn = { id: 'msg_0', role: 'USER', content: 'call me back', createdAt: new Date().toISOString() };
      peers.agntix.sessions.set(sessionId, { messages: [turn] });
      await deliver(freshSession(CREATED, sessionId));
      await waitFor(
        () => peers.receiver.forSession(sessionId).some((r) => r.type === 'session.in-flight'),
        'the in-flight mark',
      );
      await deliver(freshSession(ENDED, sessionId));
      expect(await sessionResult(sessionId)).toMatchObject({ phase: 'follow-up-scheduled', failures: [] });
      expect((await followUp(sessionId).query(followUpStatusQuery)).state).toBe('scheduled');
      const history = await sessionHistory(sessionId);
      // The archive and one write of the outcome with the follow-up's scheduling; the in-flight write is a local activity.
      expect(countActions(history)).toMatchObject({ childStarts: 1, activityAttempts: 2, upserts: 1, billable: 9 });
      if (process.env.RECORD_HISTORIES) await saveHistory('session-scheduling-follow-up', history);
      await followUp(sessionId).terminate('test over');
    });
  });

  it('schedules the wished slot, with the search attribute and the query agreeing; cancel places no call', async () => {
    const w = await worker(followUpPolicy({ rules: officeHours }));
    await w.runUntil(async () => {
      const requestedAt = new Date();
      const sessionId = await endWithCallback();
      const result = await sessionResult(sessionId);
      const expected = resolveCallbackTime({ day: 'Thursday', window: 'Morning' }, requestedAt, officeHours).at;
      expect(result.phase).toBe('follow-up-scheduled');
      expect(result.followUp?.scheduledAt).toBe(expected.toISOString());

      const handle = followUp(sessionId);
      const status = await handle.query(followUpStatusQuery);
      const attributes = (await handle.describe()).searchAttributes;
      expect(status).toMatchObject({ state: 'scheduled', attempt: 1, scheduledAt: expected.toISOString() });
      expect((attributes.AgntixFollowUpAt as Date[])[0]!.toISOString()).toBe(expected.toISOString());
      expect(attributes).toMatchObject({ AgntixFollowUpOf: [sessionId], AgntixFollowUpAttempt: [1] });
      expect(attributes.AgntixCrmContactId).toEqual(['CRM-40215']);

      await expect(
        handle.executeUpdate(rescheduleFollowUpUpdate, { args: [{ at: '2020-01-01T10:00:00Z' }] }),
      ).rejects.toThrow(WorkflowUpdateFailedError);
      const cancelled = await handle.executeUpdate(cancelFollowUpUpdate, { args: [{ reason: 'customer emailed' }] });
      expect(cancelled.state).toBe('cancelled');
      expect((await handle.result()).state).toBe('cancelled');
      expect(peers.agntix.calls).toHaveLength(0);
      await waitFor(() => followUpEvents(sessionId).includes('follow-up.cancelled'), 'the cancellation to be told');
      expect(followUpEvents(sessionId)).toEqual(expect.arrayContaining(['follow-up.scheduled', 'follow-up.cancelled']));
    });
  });

  it('treats a cancellation in the Web UI or `temporal workflow cancel` as an operator cancel: every system is told', async () => {
    const w = await worker(followUpPolicy({ rules: officeHours }));
    await w.runUntil(async () => {
      const sessionId = await endWithCallback();
      const handle = followUp(sessionId);
      await waitFor(() => followUpEvents(sessionId).includes('follow-up.scheduled'), 'the schedule to be told');
      await handle.cancel(); // the request both send: RequestCancelWorkflowExecution
      const ended = await handle.result().catch((err: unknown) => err);
      expect(ended).toBeInstanceOf(WorkflowFailedError);
      expect((ended as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      expect(peers.agntix.calls).toHaveLength(0);
      await waitFor(() => followUpEvents(sessionId).includes('follow-up.cancelled'), 'the cancellation to be told');
      expect(
        peers.sqlite.db.prepare('SELECT status FROM follow_ups WHERE follow_up_id = ?').get(handle.workflowId),
      ).toEqual({
        status: 'cancelled',
      });
      expect((await handle.describe()).searchAttributes.AgntixFollowUpState).toEqual(['cancelled']);
    });
  });

  it('schedules the default slot when the customer named no usable time', async () => {
    const w = await worker(followUpPolicy({ rules: officeHours }));
    await w.runUntil(async () => {
      const requestedAt = new Date();
      const sessionId = await endWithCallback({ callbackRequested: true, preferredDay: 'whenever' });
      const result = await sessionResult(sessionId);
      const expected = resolveCallbackTime({}, requestedAt, officeHours).at.getTime();
      // The workflow reads its own clock a moment after ours: equal up to that moment.
      expect(Math.abs(new Date(result.followUp!.scheduledAt).getTime() - expected)).toBeLessThan(10_000);
      await followUp(sessionId).executeUpdate(cancelFollowUpUpdate, { args: [{}] });
    });
  });

  it('reads a callback day of 9999-12-31 as the last day of the horizon, not a timer for the year 9999', async () => {
    const w = await worker(followUpPolicy({ rules: { ...officeHours, maxDaysAhead: 30 } }));
    await w.runUntil(async () => {
      const sessionId = await endWithCallback({ callbackRequested: true, preferredDay: '9999-12-31' });
      const { followUp: scheduled } = await sessionResult(sessionId);
      const daysAhead = (new Date(scheduled!.scheduledAt).getTime() - Date.now()) / 86_400_000;
      expect(daysAhead).toBeGreaterThan(29);
      expect(daysAhead).toBeLessThan(30 + 4); // the first calling day from the 30th day on
      await followUp(sessionId).executeUpdate(cancelFollowUpUpdate, { args: [{}] });
    });
  });

  it('places the call once with the right body; its session.created lands in the session the follow-up follows', async () => {
    const w = await worker(followUpPolicy());
    await w.runUntil(async () => {
      const sessionId = await endWithCallback(NOW);
      const done = await followUp(sessionId).result();
      expect(done).toMatchObject({ state: 'placed', placedBy: 'answer', dials: [expect.stringMatching(UUID)] });
      expect(peers.agntix.calls).toHaveLength(1);
      const [call] = peers.agntix.calls;
      expect(call!.phoneNumberId).toBe('pn-test');
      expect(call!.body).toMatchObject({
        to_phone_number: '+447700900412',
        agent_id: 'c5ca6f81-0271-4156-976f-9eb8923caad2',
        ttl: 1,
        session_variables: {
          crmContactId: 'CRM-40215',
          taskId: 'TASK-118204',
          followUpOf: sessionId,
          followUpAttempt: '1',
          followUpAttemptId: done.dials[0], // unguessable: nothing that merely carries a likely value passes for it
        },
      });

      const callSessionId = call!.sessionId!;
      const res = await callStarted(callSessionId, call!.body.session_variables);
      expect(res.body).toMatchObject({ status: 'signaled', workflowId: callSessionId });
      const callSession = peers.temporal.client.workflow.getHandle(callSessionId);
      expect((await callSession.describe()).searchAttributes).toMatchObject({ AgntixFollowUpOf: [sessionId] });
      await waitFor(() => followUpEvents(sessionId).includes('follow-up.placed'), 'the placement to be told');
      if (process.env.RECORD_HISTORIES) {
        await saveHistory('follow-up-placed-announced', await followUp(sessionId).fetchHistory());
      }
    });
  });

  it('a system the session could not tell of the scheduling is told by the follow-up, before the placement', async () => {
    peers.receiver.failFirst.set('follow-up.scheduled', 1); // the session's write, shared with its outcome, is refused
    const w = await worker(followUpPolicy());
    try {
      await w.runUntil(async () => {
        const sessionId = await endWithCallback(NOW);
        expect(await followUp(sessionId).result()).toMatchObject({ state: 'placed', failedWrites: 0 });
        await waitFor(() => followUpEvents(sessionId).includes('follow-up.placed'), 'the placement to be told');
        expect(followUpEvents(sessionId)).toEqual(['follow-up.scheduled', 'follow-up.placed']);
        const row = peers.sqlite.db
          .prepare('SELECT status FROM follow_ups WHERE original_session_id = ?')
          .get(sessionId);
        expect(row).toEqual({ status: 'placed' }); // the store took it from the session, then the placement
        await peers.temporal.client.workflow.getHandle(peers.agntix.calls.at(-1)!.sessionId!).terminate('test over');
      });
    } finally {
      peers.receiver.failFirst.clear();
    }
  });

  it('schedules and places the follow-up while the outcome receiver is down: it delays only its own writes', async () => {
    for (const type of ['session.completed', 'follow-up.scheduled', 'follow-up.placed'])
      peers.receiver.failFirst.set(type, 1e6);
    const w = await worker(followUpPolicy());
    try {
      await w.runUntil(async () => {
        const sessionId = randomUUID();
        const event = sessionEndedWith(sessionId, NOW);
        await deliver(event);
        await waitFor(() => peers.agntix.placed().length === 1, 'the follow-up call, with the receiver still down');
        const row = () =>
          peers.sqlite.db.prepare('SELECT status FROM follow_ups WHERE original_session_id = ?').get(sessionId);
        await waitFor(() => (row() as { status?: string } | undefined)?.status === 'placed', 'the other system');
        expect(peers.sqlite.db.prepare('SELECT kind FROM sessions WHERE session_id = ?').get(sessionId)).toEqual({
          kind: 'completed',
        });
        expect(followUpEvents(sessionId)).toEqual([]); // still refused
        const session = peers.temporal.client.workflow.getHandle(sessionId);
        expect((await session.describe()).status.name).toBe('RUNNING'); // still delivering
        await session.terminate('test over');
        await followUp(sessionId).terminate('test over');
      });
    } finally {
      peers.receiver.failFirst.clear();
    }
  });

  // On the dev server, with graces of 1 and 2 s, not on the time-skipping server (./timers.test.ts): an operator finds
  // these follow-ups with `npm run followup -- list --needs-operator`, a visibility query, which the test server does
  // not serve. The production graces before a redial are timers.test.ts's.
  describe('when neither a webhook nor the Agntix API can say whether an ambiguous dial started', () => {
    const uncertainDial = async () => {
      peers.agntix.callScript.push({ hang: true, placed: true });
      peers.agntix.faults.sessionsListStatus = 403; // e.g. a key without the sessions scope: the API cannot be asked
      const sessionId = await endWithCallback(NOW);
      await waitFor(
        async () => (await followUp(sessionId).query(followUpStatusQuery)).state === 'needs-operator',
        'the follow-up to stop for an operator',
      );
      return sessionId;
    };
    const run = async (...argv: string[]) => {
      const lines: string[] = [];
      const code = await runFollowUpCommand(argv, peers.temporal.client, (l) => lines.push(l));
      return { code, text: lines.join('\n') };
    };
    afterEach(() => (peers.agntix.faults.sessionsListStatus = 200));

    it('stops in needs-operator, visibly, and an operator marks it placed', async () => {
      const w = await worker(followUpPolicy({ confirmGraceSeconds: 1, operatorGraceSeconds: 2 }), 500);
      await w.runUntil(async () => {
        const sessionId = await uncertainDial();
        const id = followUpWorkflowId(sessionId, 1);
        const handle = followUp(sessionId);
        // Seen in the Web UI (search attribute, current details), by the external systems, and by the CLI.
        await waitFor(
          async () => (await handle.describe()).searchAttributes.AgntixFollowUpState?.[0] === 'needs-operator',
          'the search attribute',
        );
        const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
        expect(metadata.currentDetails).toMatch(/^\*\*needs-operator\*\*.*markPlaced.*dialAgain/);
        await waitFor(() => followUpEvents(sessionId).includes('follow-up.needs-operator'), 'the external systems');
        const told = [...peers.receiver.recorded.values()].find((r) => r.type === 'follow-up.needs-operator')!;
        expect(told.data.reason).toMatch(/the call may have started.*Agntix API 403/);
        expect(JSON.stringify(told.data)).not.toContain('+4477');
        expect((await run('list', '--needs-operator')).text).toContain(id);

        expect(await run('mark-placed', id, 'not a session id!')).toEqual({
          code: 1,
          text: 'refused: sessionId must be the Agntix session id of the call (letters, digits, - and _)',
        });
        const unknown = followUpWorkflowId(randomUUID(), 1);
        expect(await run('dial-again', unknown)).toEqual({ code: 1, text: `refused: no running follow-up ${unknown}` });
        const callSessionId = peers.agntix.calls[0]!.sessionId!;
        const marked = await run('mark-placed', id, callSessionId, 'customer confirmed by email');
        expect(marked.code).toBe(0);
        expect(marked.text).toContain('placed');
        const done = await handle.result();
        expect(done).toMatchObject({ state: 'placed', placedBy: 'operator', callSessionId });
        expect(peers.agntix.calls).toHaveLength(1);
        expect((await run('dial-again', id)).code).toBe(1); // settled: nothing left to decide
        if (process.env.RECORD_HISTORIES)
          await saveHistory('follow-up-needs-operator-marked-placed', await handle.fetchHistory());
        expect(await run('dial-again', id)).toMatchObject({ code: 1 }); // settled: nothing left to decide
        expect((await handle.describe()).searchAttributes.AgntixFollowUpState).toEqual(['placed']);
        // The call's session is followed from here.
        await peers.temporal.client.workflow.getHandle(callSessionId).terminate('test over');
      });
    });

    it('dials once more when an operator says the call never came', async () => {
      const w = await worker(followUpPolicy({ confirmGraceSeconds: 1, operatorGraceSeconds: 2, maxDials: 1 }), 500);
      await w.runUntil(async () => {
        const sessionId = await uncertainDial();
        expect(
          await run('dial-again', followUpWorkflowId(sessionId, 1), 'customer', 'says', 'no', 'call'),
        ).toMatchObject({
          code: 0,
        });
        const done = await followUp(sessionId).result();
        expect(done).toMatchObject({ state: 'placed', placedBy: 'answer' });
        expect(peers.agntix.calls).toHaveLength(2); // one more than FOLLOWUP_MAX_DIALS, on the operator's word
        await peers.temporal.client.workflow.getHandle(peers.agntix.calls[1]!.sessionId!).terminate('test over');
      });
    });
  });

  it('lets an operator list, refuse a bad time, and cancel with `npm run followup`', async () => {
    const w = await worker(followUpPolicy({ rules: officeHours }));
    await w.runUntil(async () => {
      const sessionId = await endWithCallback();
      const id = followUpWorkflowId(sessionId, 1);
      const run = async (...argv: string[]) => {
        const lines: string[] = [];
        const code = await runFollowUpCommand(argv, peers.temporal.client, (l) => lines.push(l));
        return { code, text: lines.join('\n') };
      };
      await waitFor(async () => (await run('list')).text.includes(id), 'the follow-up to be listed');
      expect((await run('list')).text).toMatch(new RegExp(`${id}  RUNNING  at \\S+  of ${sessionId}  CRM CRM-40215`));
      expect(await run('reschedule', id, '2020-01-01T10:00:00Z')).toEqual({
        code: 1,
        text: 'refused: 2020-01-01T10:00:00.000Z is in the past',
      });
      const cancelled = await run('cancel', id, 'customer', 'emailed');
      expect(cancelled.code).toBe(0);
      expect(cancelled.text).toContain('cancelled');
      expect((await followUp(sessionId).result()).reason).toBe('cancelled: customer emailed');
      expect((await run('nonsense')).code).toBe(2);
    });
  });

  it('records the outcome and ends the chain even when no rule asks for a callback', async () => {
    const bareRules: RuleSet = { rules: [{ name: 'nothing of ours', when: {}, then: [{ action: 'none' }] }] };
    const w = await worker(followUpPolicy(), 5000, bareRules);
    await w.runUntil(async () => {
      const root = randomUUID();
      const callSessionId = randomUUID();
      const event = sessionEndedWith(callSessionId, { callbackRequested: false, callOutcome: 'Confirmed' });
      event.metadata.sessionVariables = { crmContactId: 'CRM-1', followUpOf: root, followUpAttempt: '1' };
      await deliver(event);
      const result = await sessionResult(callSessionId);
      expect(result).toMatchObject({ phase: 'done', outcome: 'Confirmed', rules: { matched: ['nothing of ours'] } });
      await waitFor(
        () => peers.receiver.forSession(callSessionId).some((r) => r.type === 'session.completed'),
        'the outcome',
      );
      await waitFor(() => followUpEvents(root).includes('follow-up.chain-ended'), 'the chain to end');
      const row = peers.sqlite.db.prepare('SELECT kind FROM sessions WHERE session_id = ?').get(callSessionId);
      expect(row).toEqual({ kind: 'completed' });
    });
  });
});
