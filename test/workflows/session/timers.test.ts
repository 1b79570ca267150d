import type { temporal } from '@temporalio/proto';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../src/config';
import { sessionPolicyFrom } from '../../../src/config/policies';
import { statusQuery } from '../../../src/contracts';
import { example, freshSession } from '../../../src/dev/examples';
import type { sessionWorkflow } from '../../../src/workflows';
import type { SessionPolicy } from '../../../src/workflows/policy';
import { countActions } from '../../helpers/historyActions';
import { saveHistory } from '../../helpers/histories';
import { startTimeSkipping } from '../../helpers/timeSkipping';
import { waitFor } from '../../helpers/wait';
import { useWorkflowPeers } from '../../helpers/workflowPeers';
import { transcriptTurns } from '../../helpers/events';

const CREATED = 'session-created.voice-outbound.json';
const ENDED = 'session-ended.voice-callback-requested.json';
const API_KEY = 'pk_test_timers';

/**
 * The production settings: a voice session is overdue 600 s (ttl) + 300 s (grace) after it starts, and the session
 * API is then asked at once and every 900 s, 3 times more, before the session expires; all at the defaults an
 * operator gets, on the time-skipping server, so an hour of workflow time takes seconds. Follow-ups are not
 * configured (no AGNTIX_PHONE_NUMBER_ID): their timers are test/workflows/followUp/timers.test.ts's.
 */
const production: SessionPolicy = {
  ...sessionPolicyFrom(loadConfig({}), ['sqlite', 'outcome-webhook']),
  followUp: undefined,
};
const overdueMs = (production.voiceTtlSeconds + production.endGraceSeconds) * 1000;
const intervalMs = production.reconcileIntervalSeconds * 1000;

type History = temporal.api.history.v1.IHistory;
const eventTime = (event: temporal.api.history.v1.IHistoryEvent) =>
  Number(event.eventTime!.seconds) * 1000 + Math.floor((event.eventTime!.nanos ?? 0) / 1e6);
/** Workflow time from the start to the first event `pick` matches, in ms: what the timers made the session wait. */
const elapsedUntil = (history: History, pick: (e: temporal.api.history.v1.IHistoryEvent) => unknown) =>
  eventTime(history.events!.find((e) => pick(e))!) - eventTime(history.events![0]!);

describe('session timers at production values, on the time-skipping server', () => {
  const peers = useWorkflowPeers({
    name: 'session-timers',
    apiKey: API_KEY,
    pageSize: 3,
    temporal: startTimeSkipping,
  });

  const worker = (policy: SessionPolicy = production) => peers.worker({ policy });
  const handle = (sessionId: string) => peers.temporal.client.workflow.getHandle<typeof sessionWorkflow>(sessionId);
  const deliver = (name: string, sessionId: string) => peers.deliver(freshSession(name, sessionId));
  const storedRow = (sessionId: string) =>
    peers.sqlite.db.prepare('SELECT kind, outcome, source FROM sessions WHERE session_id = ?').get(sessionId);
  const checksOf = (sessionId: string) =>
    peers.agntix.requests.filter((r) => r === `GET /api/v1/chat/sessions/${sessionId}`).length;
  const stillOpen = (sessionId: string) => ({
    detail: { ...example('session-detail.json'), id: sessionId, state: 'OPEN', endedAt: null, analysis: null },
  });

  it('reconciles a lost session.ended from the session API once ttl + grace have passed', async () => {
    const sessionId = randomUUID();
    peers.agntix.sessions.set(sessionId, {
      detail: { ...example('session-detail.json'), id: sessionId },
      messages: transcriptTurns(2),
    });
    await deliver(CREATED, sessionId);
    const w = await worker();
    const result = await w.runUntil(handle(sessionId).result());
    expect(result).toMatchObject({ phase: 'done', source: 'reconciled', outcome: 'Unavailable', failures: [] });
    expect(storedRow(sessionId)).toMatchObject({ kind: 'completed', source: 'reconciled' });
    expect(checksOf(sessionId)).toBe(1);
    const history = await handle(sessionId).fetchHistory();
    // The API was asked when the end was overdue, not a moment sooner.
    expect(elapsedUntil(history, (e) => e.activityTaskScheduledEventAttributes)).toBeGreaterThanOrEqual(overdueMs);
    if (process.env.RECORD_HISTORIES) await saveHistory('session-reconciled', history);
  });

  it('takes a session.ended that arrives while the API is asked again, and stops asking', async () => {
    const sessionId = randomUUID();
    peers.agntix.sessions.set(sessionId, { ...stillOpen(sessionId), messages: transcriptTurns(2) });
    await deliver(CREATED, sessionId);
    const w = await worker();
    const result = await w.runUntil(async () => {
      await peers.temporal.env.sleep(overdueMs); // to the moment the end is overdue, and no further
      await waitFor(() => checksOf(sessionId) === 1, 'the first check of the overdue session');
      await deliver(ENDED, sessionId); // late, 900 s before the next check: the webhook wins
      return handle(sessionId).result();
    });
    expect(result).toMatchObject({ phase: 'done', source: 'webhook', outcome: 'Unavailable', failures: [] });
    expect(checksOf(sessionId)).toBe(1); // the question still pending was cancelled, not asked again
    const history = await handle(sessionId).fetchHistory();
    expect(history.events!.filter((e) => e.activityTaskCancelRequestedEventAttributes)).toHaveLength(1);
    if (process.env.RECORD_HISTORIES) await saveHistory('session-ended-while-reconciling', history);
  });

  it('asks the API every 900 s while the session stays open, then records it as expired', async () => {
    const sessionId = randomUUID();
    peers.agntix.sessions.set(sessionId, stillOpen(sessionId));
    await deliver(CREATED, sessionId);
    const w = await worker();
    const { result, status } = await w.runUntil(async () => ({
      result: await handle(sessionId).result(),
      status: await handle(sessionId).query(statusQuery),
    }));
    expect(result).toMatchObject({ phase: 'expired', outcome: 'EXPIRED' });
    expect(status.failures).toEqual([]); // open at every check is no failure: the session just expired
    expect(checksOf(sessionId)).toBe(production.reconcileAttempts + 1);
    expect(storedRow(sessionId)).toMatchObject({ kind: 'expired', outcome: 'EXPIRED' });
    await waitFor(() => peers.receiver.forSession(sessionId).some((r) => r.type === 'session.expired'), 'the expiry');

    const history = await handle(sessionId).fetchHistory();
    // One activity whose retries are the checks, each the interval after the last: its retry policy holds the
    // interval as both the first and the longest backoff (a longer first than longest fails the workflow task).
    const asked = history.events!.find((e) => e.activityTaskScheduledEventAttributes)!;
    const retry = asked.activityTaskScheduledEventAttributes!.retryPolicy!;
    expect(Number(retry.initialInterval!.seconds)).toBe(production.reconcileIntervalSeconds);
    expect(Number(retry.maximumInterval!.seconds)).toBe(production.reconcileIntervalSeconds);
    const expiredAt = elapsedUntil(history, (e) => e.upsertWorkflowSearchAttributesEventAttributes);
    expect(expiredAt).toBeGreaterThanOrEqual(overdueMs + production.reconcileAttempts * intervalMs);
    expect(countActions(history)).toMatchObject({
      timers: 2, // the wait for the end, and the late-end window after the expiry
      activityAttempts: production.reconcileAttempts + 1 + 1, // the checks and the expired write
      localActivityTasks: 1, // the settings and the in-flight write
      upserts: 1,
    });
    if (process.env.RECORD_HISTORIES) await saveHistory('expired-session', history);
  });

  it('bounds the wait for the end by SESSION_MAX_TTL_SECONDS when the ttl variable asks for 31 years', async () => {
    const sessionId = randomUUID();
    const event = freshSession(CREATED, sessionId) as { metadata: { sessionVariables: Record<string, unknown> } };
    event.metadata.sessionVariables.ttl = '1000000000';
    await peers.deliver(event);
    const w = await worker();
    const result = await w.runUntil(handle(sessionId).result());
    expect(result.phase).toBe('expired');
    const { events } = await handle(sessionId).fetchHistory();
    const firstTimer = events!.find((e) => e.timerStartedEventAttributes)!.timerStartedEventAttributes!;
    expect(Number(firstTimer.startToFireTimeout!.seconds)).toBe(production.maxTtlSeconds! + production.endGraceSeconds);
  });

  it('does not retry a 404 from the session API, and still gives the webhook the reconcile window', async () => {
    const sessionId = randomUUID(); // unknown to the API
    await deliver(CREATED, sessionId);
    const w = await worker();
    const { result, status } = await w.runUntil(async () => ({
      result: await handle(sessionId).result(),
      status: await handle(sessionId).query(statusQuery),
    }));
    expect(checksOf(sessionId)).toBe(1); // a 404 is final: not asked again, at this check or the next ones
    expect(status.failures[0]).toMatchObject({ step: 'reconcile with the session API' });
    expect(status.failures[0]?.message).toContain('Agntix API 404');
    expect(result.phase).toBe('expired');
    const history = await handle(sessionId).fetchHistory();
    const expiredAt = elapsedUntil(history, (e) => e.upsertWorkflowSearchAttributesEventAttributes);
    expect(expiredAt).toBeGreaterThanOrEqual(overdueMs + production.reconcileAttempts * intervalMs);
  });
});
