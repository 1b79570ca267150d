import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../src/config';
import { sessionPolicyFrom } from '../../../src/config/policies';
import {
  followUpStatusQuery,
  followUpWorkflowId,
  markPlacedUpdate,
  rescheduleFollowUpUpdate,
} from '../../../src/contracts';
import { freshSession } from '../../../src/dev/examples';
import type { followUpWorkflow, sessionWorkflow } from '../../../src/workflows';
import { resolveCallbackTime } from '../../../src/workflows/followUp/callingTime';
import type { SessionPolicy } from '../../../src/workflows/policy';
import { saveHistory } from '../../helpers/histories';
import { startTimeSkipping } from '../../helpers/timeSkipping';
import { waitFor } from '../../helpers/wait';
import { useWorkflowPeers } from '../../helpers/workflowPeers';
import { sessionEndedWith } from '../../helpers/events';

const CREATED = 'session-created.voice-outbound.json';
const API_KEY = 'pk_test_followup_timers';

/**
 * The production settings an operator gets by default: calls Monday to Friday 09:00-18:00 UTC, never sooner than
 * 30 min after the customer asked (2 h when they named no time), a 300 s wait for the call's webhook after an
 * ambiguous dial and 45 min before an operator is asked, a 300 s call ttl, 3 attempts. Hours and days of workflow
 * time pass in seconds on the time-skipping server.
 */
const config = loadConfig({ AGNTIX_API_KEY: API_KEY, AGNTIX_PHONE_NUMBER_ID: 'pn-test' });
const production: SessionPolicy = sessionPolicyFrom(config, ['sqlite', 'outcome-webhook']);
const followUpPolicy = production.followUp!;
const confirmGraceMs = followUpPolicy.confirmGraceSeconds * 1000;
/** Asked for a callback without naming a time: the first calling time 2 h on. */
const NO_TIME_NAMED = { callbackRequested: true, callOutcome: 'Unavailable' };

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const eventTime = (event: HistoryEvent) =>
  Number(event.eventTime!.seconds) * 1000 + Math.floor((event.eventTime!.nanos ?? 0) / 1e6);
/** When each dial was scheduled, in workflow time: what the customer would see on their phone. */
const dialTimes = (events: HistoryEvent[]) =>
  events
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'startFollowUpCall')
    .map(eventTime);

describe('follow-up timers at production values, on the time-skipping server', () => {
  // A server per test (about a second to start): each test gets its own clock, skipped from the present, and no lock
  // a placed follow-up left on the test server (see releaseClosedParentsLock) holds up the next test's timers.
  const peers = useWorkflowPeers({
    name: 'followup-timers',
    apiKey: API_KEY,
    pageSize: 3,
    temporal: startTimeSkipping,
    temporalPerTest: true,
  });

  function worker(callTimeoutMs = 5000): Promise<Worker> {
    return peers.worker({ policy: production }, callTimeoutMs);
  }

  const deliver = peers.deliver;
  /** Ends a session asking for a callback; waits for it in real time, so no timer of its follow-up passes yet. */
  const endWithCallback = async (extractedData?: Record<string, unknown>) => {
    const sessionId = randomUUID();
    const event = sessionEndedWith(sessionId, extractedData);
    await deliver(event);
    const session = peers.temporal.steadyClient.workflow.getHandle<typeof sessionWorkflow>(sessionId);
    await waitFor(async () => (await session.describe()).status.name === 'COMPLETED', 'the session to end');
    return { sessionId, result: await session.result() };
  };
  /** The follow-up, through the client whose result() skips time to each of its timers. */
  const followUp = (sessionId: string, attempt = 1) =>
    peers.temporal.client.workflow.getHandle<typeof followUpWorkflow>(followUpWorkflowId(sessionId, attempt));
  const followUpState = async (sessionId: string) => (await followUp(sessionId).query(followUpStatusQuery)).state;
  /** Skips to the follow-up's slot, which starts its dial; the timers after it are left to pass at their own pace. */
  const skipToSlot = async (sessionId: string) => {
    const { scheduledAt } = await followUp(sessionId).query(followUpStatusQuery);
    await peers.temporal.env.sleep(
      Math.max(0, Date.parse(scheduledAt) - (await peers.temporal.env.currentTimeMs())) + 1000,
    );
  };
  const followUpEvents = (rootSessionId: string) =>
    [...peers.receiver.recorded.values()].filter((r) => r.data.originalSessionId === rootSessionId).map((r) => r.type);
  /**
   * The call a follow-up placed has its own session workflow, with its own timers: it is over when the test is. It is
   * ended once it waits for its end: the test server keeps time from skipping for good when a workflow is terminated
   * in the middle of a workflow task, and the next test's timers would never fire.
   */
  const endCallSession = async (sessionId: string | undefined) => {
    if (!sessionId) return;
    const handle = peers.temporal.steadyClient.workflow.getHandle(sessionId);
    const waiting = async () => (await handle.fetchHistory()).events!.some((e) => e.timerStartedEventAttributes);
    await waitFor(waiting, 'the call session to wait for its end');
    await handle.terminate('test over');
  };

  it('waits for the calling-time slot the customer asked for, and dials then', async () => {
    const w = await worker();
    await w.runUntil(async () => {
      const askedAt = new Date(await peers.temporal.env.currentTimeMs());
      const { sessionId, result } = await endWithCallback(); // "Thursday, morning"
      const expected = resolveCallbackTime({ day: 'Thursday', window: 'Morning' }, askedAt, followUpPolicy.rules).at;
      expect(result.followUp?.scheduledAt).toBe(expected.toISOString());
      expect(peers.agntix.calls).toHaveLength(0);

      const done = await followUp(sessionId).result(); // days of workflow time
      expect(done).toMatchObject({ state: 'placed', placedBy: 'answer' });
      expect(peers.agntix.calls).toHaveLength(1);
      const [dialledAt] = dialTimes((await followUp(sessionId).fetchHistory()).events!);
      expect(dialledAt).toBeGreaterThanOrEqual(expected.getTime());
      expect(dialledAt! - expected.getTime()).toBeLessThan(60_000);
      await endCallSession(done.callSessionId);
    });
  });

  it('places the call at the time an operator moved it to, and tells every system of the move', async () => {
    const w = await worker();
    await w.runUntil(async () => {
      const { sessionId } = await endWithCallback();
      const handle = followUp(sessionId);
      const now = await peers.temporal.env.currentTimeMs();
      const saturday = new Date(now + ((6 - new Date(now).getUTCDay() + 7) % 7 || 7) * 86_400_000);
      saturday.setUTCHours(12, 0, 0, 0);
      await expect(
        handle.executeUpdate(rescheduleFollowUpUpdate, { args: [{ at: saturday.toISOString() }] }),
      ).rejects.toThrow(WorkflowUpdateFailedError); // outside calling days: only with force
      const at = new Date(now + 3 * 60 * 60_000);
      const moved = await handle.executeUpdate(rescheduleFollowUpUpdate, {
        args: [{ at: at.toISOString(), force: true }],
      });
      expect(moved.scheduledAt).toBe(at.toISOString());
      expect((await handle.describe()).searchAttributes.AgntixFollowUpAt).toEqual([at]);

      const done = await handle.result();
      expect(done.state).toBe('placed');
      expect(peers.agntix.calls).toHaveLength(1);
      const [dialledAt] = dialTimes((await handle.fetchHistory()).events!);
      expect(dialledAt).toBeGreaterThanOrEqual(at.getTime());
      expect(dialledAt! - at.getTime()).toBeLessThan(60_000);
      // The external systems heard of the move, under its own idempotency key.
      await waitFor(() => followUpEvents(sessionId).includes('follow-up.placed'), 'the placement to be told');
      const scheduledTimes = [...peers.receiver.recorded.values()]
        .filter((r) => r.type === 'follow-up.scheduled' && r.data.originalSessionId === sessionId)
        .map((r) => r.data.scheduledAt);
      expect(scheduledTimes).toHaveLength(2);
      expect(scheduledTimes).toContain(at.toISOString());
      if (process.env.RECORD_HISTORIES) await saveHistory('follow-up-rescheduled', await handle.fetchHistory());
      await endCallSession(done.callSessionId);
    });
  });

  it('does not redial once the call of a timed-out dial is confirmed within the grace', async () => {
    peers.agntix.callScript.push({ hang: true });
    const w = await worker(500);
    await w.runUntil(async () => {
      const { sessionId } = await endWithCallback(NO_TIME_NAMED);
      await skipToSlot(sessionId);
      await waitFor(() => peers.agntix.calls.length === 1, 'the call to reach calls/start');
      await waitFor(async () => (await followUpState(sessionId)) === 'awaiting-confirmation', 'the ambiguous failure');
      // What Agntix sends when the call starts: its session.created, echoing our variables.
      const callSessionId = randomUUID();
      const event = freshSession(CREATED, callSessionId) as { metadata: { sessionVariables: Record<string, string> } };
      event.metadata.sessionVariables = peers.agntix.calls[0]!.body.session_variables;
      await deliver(event);

      const done = await followUp(sessionId).result();
      expect(done).toMatchObject({ state: 'placed', confirmed: true, callSessionId });
      // Settled inside the grace: the follow-up closed with its one dial, no timer left that could lead to another.
      expect(dialTimes((await followUp(sessionId).fetchHistory()).events!)).toHaveLength(1);
      expect(peers.agntix.calls).toHaveLength(1);
      await endCallSession(callSessionId);
    });
  });

  it('dials again after an ambiguous failure only once the grace has passed and the API shows no call', async () => {
    peers.agntix.callScript.push({ hang: true });
    const w = await worker(500);
    await w.runUntil(async () => {
      const { sessionId } = await endWithCallback(NO_TIME_NAMED);
      const done = await followUp(sessionId).result();
      expect(done).toMatchObject({ state: 'placed', placedBy: 'answer' });
      expect(peers.agntix.calls).toHaveLength(2);
      const [first, second] = dialTimes((await followUp(sessionId).fetchHistory()).events!);
      expect(second! - first!).toBeGreaterThanOrEqual(confirmGraceMs);
      const [firstId, secondId] = peers.agntix.calls.map((c) => c.body.session_variables.followUpAttemptId);
      expect(secondId).not.toBe(firstId);
      // The API was asked between the two dials, for this agent's sessions.
      expect(peers.agntix.requests.filter((r) => r === 'GET /v1/chat/chat/sessions').length).toBeGreaterThanOrEqual(1);
      await endCallSession(done.callSessionId);
    });
  });

  it('asks an operator once the operator grace after an uncertain dial has passed, and never dials on its own', async () => {
    peers.agntix.callScript.push({ hang: true, placed: true });
    peers.agntix.faults.sessionsListStatus = 403; // e.g. a key without the sessions scope: the API cannot be asked
    const operatorGraceMs = followUpPolicy.operatorGraceSeconds! * 1000;
    const skipTo = async (at: number) =>
      peers.temporal.env.sleep(Math.max(0, at - (await peers.temporal.env.currentTimeMs())));
    const w = await worker(500);
    await w.runUntil(async () => {
      const { sessionId } = await endWithCallback(NO_TIME_NAMED);
      await skipToSlot(sessionId);
      await waitFor(async () => (await followUpState(sessionId)) === 'awaiting-confirmation', 'the ambiguous failure');
      const [dialledAt] = dialTimes((await followUp(sessionId).fetchHistory()).events!);
      // A minute before the grace is over, it still waits for a webhook or the API; a minute after, it asks.
      await skipTo(dialledAt! + operatorGraceMs - 60_000);
      expect(await followUpState(sessionId)).not.toBe('needs-operator');
      await skipTo(dialledAt! + operatorGraceMs + 60_000);
      await waitFor(async () => (await followUpState(sessionId)) === 'needs-operator', 'the follow-up to ask');
      expect(peers.agntix.calls).toHaveLength(1);
      // Hours later, still the one dial: only an operator's word moves it.
      await skipTo(dialledAt! + 6 * 3600_000);
      expect(await followUpState(sessionId)).toBe('needs-operator');
      expect(peers.agntix.calls).toHaveLength(1);
      const callSessionId = peers.agntix.calls[0]!.sessionId!;
      await followUp(sessionId).executeUpdate(markPlacedUpdate, {
        args: [{ sessionId: callSessionId, note: 'the customer confirmed by email' }],
      });
      expect(await followUp(sessionId).result()).toMatchObject({
        state: 'placed',
        placedBy: 'operator',
        callSessionId,
      });
      expect(peers.agntix.calls).toHaveLength(1);
      await endCallSession(callSessionId);
    });
  });

  it('does not redial when the webhook of an ambiguous dial is lost but the Agntix API lists the call', async () => {
    peers.agntix.callScript.push({ hang: true, placed: true });
    const w = await worker(500);
    await w.runUntil(async () => {
      const { sessionId } = await endWithCallback(NO_TIME_NAMED);
      const done = await followUp(sessionId).result();
      expect(done).toMatchObject({ state: 'placed', placedBy: 'api', callSessionId: peers.agntix.calls[0]!.sessionId });
      expect(peers.agntix.calls).toHaveLength(1);
      // The call's session is followed from the follow-up (its webhooks never came).
      const callSession = peers.temporal.client.workflow.getHandle(peers.agntix.calls[0]!.sessionId!);
      expect((await callSession.describe()).searchAttributes).toMatchObject({ AgntixFollowUpOf: [sessionId] });
      if (process.env.RECORD_HISTORIES) {
        await saveHistory('follow-up-placed-by-api', await followUp(sessionId).fetchHistory());
      }
      await endCallSession(done.callSessionId);
    });
  });

  it.each([
    ['a chat session', { type: 'CHAT', platform: 'WEB', direction: 'INBOUND' }],
    ['an inbound call', { direction: 'INBOUND' }],
    ['a call to another number', { metadata: { customerPhoneNumber: '+447700900999' } }],
    ['a call by another agent', { agentId: '00000000-0000-4000-8000-0000000000a1' }],
  ])('is not confirmed by %s that echoes the attempt id', async (_label, differs) => {
    peers.agntix.callScript.push({ hang: true });
    const w = await worker(500);
    await w.runUntil(async () => {
      const { sessionId } = await endWithCallback(NO_TIME_NAMED);
      await skipToSlot(sessionId);
      await waitFor(async () => (await followUpState(sessionId)) === 'awaiting-confirmation', 'the ambiguous failure');
      const impostorId = randomUUID();
      const event = freshSession(CREATED, impostorId) as Record<string, unknown> & {
        metadata: Record<string, unknown>;
      };
      const { metadata, ...rest } = differs as { metadata?: Record<string, unknown> };
      Object.assign(event, rest);
      event.metadata = {
        ...event.metadata,
        ...metadata,
        sessionVariables: peers.agntix.calls[0]!.body.session_variables,
      };
      await deliver(event);
      const done = await followUp(sessionId).result();
      // The impostor did not settle it: the API showed no call, and the customer was dialled once more.
      expect(done.callSessionId).not.toBe(impostorId);
      expect(done).toMatchObject({ state: 'placed', placedBy: 'answer', confirmed: false });
      expect(peers.agntix.calls).toHaveLength(2);
      await endCallSession(impostorId);
      await endCallSession(done.callSessionId);
    });
  });

  it('ends a chain of unanswered calls at the attempt limit, each attempt at its calling time', async () => {
    const w = await worker();
    await w.runUntil(async () => {
      const { sessionId } = await endWithCallback(NO_TIME_NAMED);
      const dialedAt: number[] = [];
      for (let attempt = 1; attempt <= followUpPolicy.maxAttempts; attempt++) {
        const done = await followUp(sessionId, attempt).result();
        expect(done).toMatchObject({ state: 'placed', attempt });
        dialedAt.push(...dialTimes((await followUp(sessionId, attempt).fetchHistory()).events!));
        // Nobody answers: the call's session hears nothing, the API calls it open, and it expires, which schedules
        // the next attempt or ends the chain. Its result() skips time through its ttl, checks and late-end window.
        await peers.temporal.releaseClosedParentsLock(); // the follow-up that started it has closed
        const callSession = peers.temporal.client.workflow.getHandle<typeof sessionWorkflow>(done.callSessionId!);
        expect(await callSession.result()).toMatchObject({ outcome: 'EXPIRED' });
      }
      expect(peers.agntix.placed()).toHaveLength(followUpPolicy.maxAttempts);
      const attempts = peers.agntix.calls.map((c) => c.body.session_variables.followUpAttempt);
      expect(attempts).toEqual(['1', '2', '3'].slice(0, followUpPolicy.maxAttempts));
      // Each attempt waited for its calling time: never sooner than the minimum delay after the call before it.
      const gaps = dialedAt.slice(1).map((at, i) => at - dialedAt[i]!);
      expect(gaps).toHaveLength(followUpPolicy.maxAttempts - 1);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(followUpPolicy.rules.minDelayMs);
      const ended = [...peers.receiver.recorded.values()].find(
        (r) => r.type === 'follow-up.chain-ended' && r.data.originalSessionId === sessionId,
      );
      expect(ended?.data).toMatchObject({
        attempt: followUpPolicy.maxAttempts,
        reason: `attempt limit of ${followUpPolicy.maxAttempts} reached`,
      });
      const row = peers.sqlite.db
        .prepare('SELECT status, reason FROM follow_ups WHERE follow_up_id = ?')
        .get(followUpWorkflowId(sessionId, followUpPolicy.maxAttempts));
      expect(row).toEqual({ status: 'chain-ended', reason: `attempt limit of ${followUpPolicy.maxAttempts} reached` });
    });
  });

  it('waits out a Retry-After of 10 minutes from calls/start in a timer, then places exactly one call', async () => {
    peers.agntix.callScript.push({ status: 429, retryAfter: '600' });
    const w = await worker();
    await w.runUntil(async () => {
      const { sessionId } = await endWithCallback(NO_TIME_NAMED);
      const done = await followUp(sessionId).result();
      expect(done.state).toBe('placed');
      expect(peers.agntix.calls.map((c) => c.status)).toEqual([429, 200]);
      expect(peers.agntix.placed()).toHaveLength(1);
      const [first, second] = dialTimes((await followUp(sessionId).fetchHistory()).events!);
      expect(second! - first!).toBeGreaterThanOrEqual(600_000);
      await endCallSession(done.callSessionId);
    });
  });
});
