import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createLocalTranscriptStore } from '../../../src/activities/agntix/transcripts';
import { statusQuery } from '../../../src/contracts';
import { readTranscript } from '../../../src/automations/core';
import type { sessionWorkflow } from '../../../src/workflows';
import { agntixClientsFor } from '../../helpers/agntixClients';
import { startFakeAgntix, type FakeAgntix } from '../../../src/dev/sandbox/fakeAgntix';
import { countActions } from '../../helpers/historyActions';
import { saveHistory } from '../../helpers/histories';
import { testPolicy } from '../../helpers/policy';
import { waitFor } from '../../helpers/wait';
import { testDataConverter, testKeyRing } from '../../helpers/temporal';
import { freshSession } from '../../../src/dev/examples';
import { useWorkflowPeers } from '../../helpers/workflowPeers';
import { transcriptTurns } from '../../helpers/events';

const CREATED = 'session-created.voice-outbound.json';
const ENDED = 'session-ended.voice-callback-requested.json';
const API_KEY = 'pk_test_123';

describe('session workflow, from signed deliveries to a recorded outcome', () => {
  const peers = useWorkflowPeers({ name: 'session', apiKey: API_KEY, pageSize: 3 });

  async function runToCompletion(
    sessionId: string,
    during: () => Promise<unknown> = () => Promise.resolve(),
    api: FakeAgntix = peers.agntix,
  ) {
    const worker = await peers.worker({
      agntix: agntixClientsFor(api.url, API_KEY).agntix,
      policy: { ...testPolicy, sinks: ['sqlite', 'outcome-webhook'] },
    });
    const handle = peers.temporal.client.workflow.getHandle<typeof sessionWorkflow>(sessionId);
    return worker.runUntil(async () => {
      await during();
      return { result: await handle.result(), status: await handle.query(statusQuery) };
    });
  }

  const deliver = (name: string, sessionId: string) => peers.deliver(freshSession(name, sessionId));
  const storedRow = (sessionId: string) =>
    peers.sqlite.db.prepare('SELECT * FROM sessions WHERE session_id = ?').get(sessionId) as
      Record<string, unknown> | undefined;
  /** Each turn unique, so a test can tell this session's transcript from any other's. */
  const messages = (n: number) => transcriptTurns(n, (i) => `turn ${i} ${randomUUID()}`);

  it('runs the full lifecycle: in flight, ended, transcript over 3 pages archived, outcome recorded once', async () => {
    const sessionId = randomUUID();
    const transcript = messages(8);
    peers.agntix.sessions.set(sessionId, { messages: transcript });
    await deliver(CREATED, sessionId);
    const { result, status } = await runToCompletion(sessionId, async () => {
      await waitFor(
        () => peers.receiver.forSession(sessionId).some((r) => r.type === 'session.in-flight'),
        'the in-flight mark',
      );
      await deliver(ENDED, sessionId);
      await deliver(ENDED, sessionId); // a second session.ended under a new svix-id must not rerun post-call work
    });
    expect(result).toMatchObject({ phase: 'done', source: 'webhook', outcome: 'Unavailable', followUpDue: true });
    expect(result.transcript).toMatchObject({ messages: 8, pages: 3 });
    expect(status.duplicatesIgnored).toBe(1);
    expect(result.failures).toEqual([]);

    // Encrypted at rest, read back through the one function the engineers' activities use.
    expect(readFileSync(new URL(result.transcript!.ref), 'utf8')).not.toContain(transcript[0]!.content);
    const store = { transcripts: createLocalTranscriptStore(peers.transcriptsDir, testKeyRing()) };
    expect(await readTranscript(store, result.transcript!)).toEqual(transcript);
    expect(storedRow(sessionId)).toMatchObject({
      kind: 'completed',
      outcome: 'Unavailable',
      resolution: 'PARTIALLY_RESOLVED',
      follow_up_due: 1,
      transcript_messages: 8,
    });
    expect(JSON.parse(storedRow(sessionId)!.correlation_json as string)).toMatchObject({
      crmContactId: 'CRM-40215',
      taskId: 'TASK-118204',
    });
    expect(
      peers.receiver
        .forSession(sessionId)
        .map((r) => r.type)
        .sort(),
    ).toEqual(['session.completed', 'session.in-flight']);

    // Only the reference is in history, never the transcript; and the history replays on the current code.
    const history = await peers.temporal.client.workflow.getHandle(sessionId).fetchHistory();
    expect(JSON.stringify(history)).not.toContain(transcript[0]!.content);
    await Worker.runReplayHistory(
      { workflowBundle: peers.bundle, dataConverter: testDataConverter() },
      history,
      sessionId,
    );
    const attributes = (await peers.temporal.client.workflow.getHandle(sessionId).describe()).searchAttributes;
    expect(attributes).toMatchObject({
      AgntixPhase: ['done'],
      AgntixOutcome: ['Unavailable'],
      AgntixCrmContactId: ['CRM-40215'],
    });
    expect(JSON.stringify(attributes)).not.toContain('+4477');
  });

  it('costs a standard voice session at most 8 billable actions, with one search-attribute upsert in its history', async () => {
    const sessionId = randomUUID();
    peers.agntix.sessions.set(sessionId, { messages: messages(8) });
    await deliver(CREATED, sessionId);
    const { result } = await runToCompletion(sessionId, async () => {
      await waitFor(
        () => peers.receiver.forSession(sessionId).some((r) => r.type === 'session.in-flight'),
        'the in-flight mark',
      );
      await deliver(ENDED, sessionId);
    });
    expect(result).toMatchObject({ phase: 'done', failures: [], transcript: { messages: 8 } });
    expect(storedRow(sessionId)).toMatchObject({ kind: 'completed', transcript_messages: 8 });
    const history = await peers.temporal.client.workflow.getHandle(sessionId).fetchHistory();
    // Start (with session.created), session.ended, the wait for the end, one task holding the settings and the
    // in-flight write (two local activities, one batch of markers), the archive, the completed write to both
    // systems, and the final phase's upsert.
    expect(countActions(history)).toMatchObject({
      start: 1,
      signals: 2,
      timers: 1,
      activityAttempts: 2,
      localActivities: 2,
      localActivityTasks: 1,
      upserts: 1,
      billable: 7,
    });
    // Every upsert event counts, the SDK's own included: operators need the final phase, and nothing else.
    const upserts = history.events?.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes) ?? [];
    expect(upserts).toHaveLength(1);
    if (process.env.RECORD_HISTORIES) await saveHistory('standard-voice-session', history);
  });

  it('archives the whole transcript while half the page requests fail, fetching no page twice', async () => {
    // Seeded, so the same requests fail on every run: 7 of 14, one page three times in a row.
    const flaky = await startFakeAgntix({ apiKey: API_KEY, pageSize: 3, seed: 7 });
    flaky.faults.messages = 0.5;
    const sessionId = randomUUID();
    const transcript = messages(20); // 7 pages of 3
    flaky.sessions.set(sessionId, { messages: transcript });
    try {
      await deliver(ENDED, sessionId);
      const { result } = await runToCompletion(sessionId, undefined, flaky);
      expect(result.failures).toEqual([]);
      expect(result.transcript).toMatchObject({ messages: 20, pages: 7 });
      const store = createLocalTranscriptStore(peers.transcriptsDir, testKeyRing());
      expect(await store.read(result.transcript!.ref)).toEqual(transcript);
    } finally {
      await flaky.close();
    }
    const served = flaky.pageRequests;
    expect(served.filter((r) => r.status !== 200).length / served.length).toBeGreaterThanOrEqual(0.5);
    // Each page was served once: a retried attempt resumed after the pages it had, never from page 1.
    expect(served.filter((r) => r.status === 200).map((r) => r.page)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // The retries that got it there: at least one was Temporal's, resuming a failed attempt.
    const history = await peers.temporal.client.workflow.getHandle(sessionId).fetchHistory();
    const attempts = history.events!.flatMap((e) => e.activityTaskStartedEventAttributes?.attempt ?? []);
    expect(Math.max(...attempts)).toBeGreaterThan(1);
  });

  it('records the outcome first when the transcript is late, and the transcript follows it', async () => {
    const sessionId = randomUUID();
    peers.agntix.sessions.set(sessionId, { messages: messages(4) });
    peers.agntix.faults.messages = 1; // the Agntix API is down when the session ends
    try {
      await deliver(ENDED, sessionId);
      const worker = await peers.worker({
        policy: { ...testPolicy, sinks: ['sqlite', 'outcome-webhook'], transcriptWaitSeconds: 1 },
      });
      const handle = peers.temporal.client.workflow.getHandle<typeof sessionWorkflow>(sessionId);
      const result = await worker.runUntil(async () => {
        await waitFor(
          () => peers.receiver.forSession(sessionId).some((r) => r.type === 'session.completed'),
          'the outcome',
        );
        const completed = peers.receiver.forSession(sessionId).find((r) => r.type === 'session.completed')!;
        expect(completed.data.transcript).toBeUndefined();
        expect(storedRow(sessionId)).toMatchObject({ kind: 'completed', transcript_ref: null });
        peers.agntix.faults.messages = 0; // the API is back: the archive's next attempt gets it
        return handle.result();
      });
      expect(result.transcript).toMatchObject({ messages: 4 });
      const late = peers.receiver.forSession(sessionId).find((r) => r.type === 'session.transcript-archived');
      expect(late?.data).toMatchObject({ outcome: 'Unavailable', transcript: { ref: result.transcript!.ref } });
      expect(storedRow(sessionId)).toMatchObject({ kind: 'completed', transcript_ref: result.transcript!.ref });
      if (process.env.RECORD_HISTORIES) {
        await saveHistory('session-late-transcript', await handle.fetchHistory());
      }
    } finally {
      peers.agntix.faults.messages = 0;
    }
  });

  it('retries an outcome receiver that fails with 500 twice and records the outcome exactly once', async () => {
    const sessionId = randomUUID();
    peers.agntix.sessions.set(sessionId, { messages: messages(1) });
    peers.receiver.failFirst.set('session.completed', 2);
    await deliver(ENDED, sessionId);
    const { result } = await runToCompletion(sessionId);
    expect(result.failures).toEqual([]);
    expect(peers.receiver.forSession(sessionId).filter((r) => r.type === 'session.completed')).toHaveLength(1);
    expect(peers.receiver.attempts.filter((t) => t === 'session.completed').length).toBeGreaterThanOrEqual(3);
    expect(storedRow(sessionId)).toMatchObject({ kind: 'completed' }); // the other system was not held up
    // Both systems shared one activity; only the failing one went on in its own, retried apart from the other.
    const { events } = await peers.temporal.client.workflow.getHandle(sessionId).fetchHistory();
    const scheduled = events!.flatMap((e) => e.activityTaskScheduledEventAttributes ?? []);
    expect(scheduled.filter((a) => a.activityType?.name === 'recordOutcomeEverywhere')).toHaveLength(1);
    expect(scheduled.filter((a) => a.activityType?.name === 'recordOutcome')).toHaveLength(1);
  });
});
