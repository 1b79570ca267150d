import { WorkflowNotFoundError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createOutcomeWebhookSink } from '../../src/activities/sinks/outcomeWebhook/sink';
import { createSqliteSink } from '../../src/activities/sinks/store/sqliteStore';
import { createLocalTranscriptStore } from '../../src/activities/agntix/transcripts';
import { runForget } from '../../src/bin/forget';
import { followUpWorkflowId, type FollowUpStatus, type SessionResult } from '../../src/contracts';
import { freshSession } from '../../src/dev/examples';
import { SANDBOX_API_KEY, startFakeAgntix } from '../../src/dev/sandbox/fakeAgntix';
import { scriptedTranscript } from '../../src/dev/sandbox/script';
import { newSecret, post, sign } from '../../src/dev/signing';
import { agntixClientsFor } from '../helpers/agntixClients';
import { startTestApi } from '../helpers/api';
import { startOutcomeReceiver } from '../helpers/outcomeReceiver';
import { anyHour, testPolicy } from '../helpers/policy';
import { bundleWorkflows, connectTestTemporal, testKeyRing, uniqueTaskQueue } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { createTestWorker } from '../helpers/worker';

/**
 * `npm run forget` end to end on the suite's dev server: a customer's call with its follow-up and the follow-up's
 * call, and another call of theirs, are recorded by the real worker; then erasure by session and by CRM contact
 * removes their histories (Temporal's delete), transcripts and stored rows, touches nobody else's, and a second
 * run finds nothing.
 */
test('forgets a session, then everything about a CRM contact, once', async () => {
  const temporal = await connectTestTemporal();
  const secret = newSecret();
  const outcomeSecret = newSecret();
  const receiver = await startOutcomeReceiver(outcomeSecret);
  const taskQueue = uniqueTaskQueue('forget');
  const api = await startTestApi(temporal.client, taskQueue, [secret]);
  const agntix = await startFakeAgntix({ webhooks: { url: `${api.url}/webhooks/agntix`, secret }, callSeconds: 1 });
  const dir = mkdtempSync(path.join(tmpdir(), 'forget-'));
  const sqliteFile = path.join(dir, 'outcomes.sqlite');
  const sqlite = createSqliteSink(sqliteFile);
  const transcripts = createLocalTranscriptStore(path.join(dir, 'transcripts'), testKeyRing());
  const sinks = [sqlite, createOutcomeWebhookSink(receiver.url, outcomeSecret, 5000)];
  const worker = await createTestWorker(temporal, taskQueue, await bundleWorkflows(), {
    ...agntixClientsFor(agntix.url, SANDBOX_API_KEY),
    transcripts,
    sinks,
    policy: {
      ...testPolicy,
      voiceTtlSeconds: 30,
      sinks: ['sqlite', 'outcome-webhook'],
      followUp: {
        phoneNumberId: 'pn-forget',
        ttlSeconds: 30,
        maxAttempts: 2,
        maxDials: 1,
        confirmGraceSeconds: 5,
        rules: anyHour(0),
        fields: { day: 'preferredDay', window: 'preferredTimeWindow' },
      },
    },
  });

  const contact = `CRM-${randomUUID()}`;
  const lines: string[] = [];
  const forget = (...argv: string[]) => {
    lines.length = 0;
    return runForget(
      argv,
      { client: temporal.client, sinks, transcripts, crmContactVariable: 'crmContactId' },
      (line) => lines.push(line),
    );
  };
  /** One call of a customer, through the real webhook endpoint; its transcript is served by the fake API. */
  const call = async (crmContactId: string, callbackRequested: boolean) => {
    const sessionId = randomUUID();
    agntix.sessions.set(sessionId, { messages: scriptedTranscript() });
    const variables = { customerName: 'Priya Raman', crmContactId, taskId: `TASK-${sessionId.slice(0, 6)}` };
    for (const name of ['session-created.voice-outbound.json', 'session-ended.voice-callback-requested.json']) {
      const event = freshSession(name, sessionId) as Record<string, { sessionVariables?: unknown } & object>;
      event.metadata = { ...event.metadata, sessionVariables: variables };
      if (event.analysis) {
        (event.analysis as { extractedData: unknown }).extractedData = {
          callbackRequested,
          callOutcome: 'Unavailable',
        };
      }
      await post(`${api.url}/webhooks/agntix`, sign(secret, event));
    }
    return sessionId;
  };
  const result = <T>(workflowId: string) => temporal.client.workflow.getHandle(workflowId).result() as Promise<T>;
  const gone = async (workflowId: string) =>
    temporal.client.workflow
      .getHandle(workflowId)
      .describe()
      .then(
        () => false,
        (err: unknown) => err instanceof WorkflowNotFoundError,
      );

  try {
    const { first, followUpId, callSessionId, second, someoneElse } = await worker.runUntil(async () => {
      const first = await call(contact, true);
      await result<SessionResult>(first);
      const followUpId = followUpWorkflowId(first, 1);
      const { callSessionId } = await result<FollowUpStatus>(followUpId);
      let callEnded = false;
      await waitFor(
        async () =>
          (callEnded ||= await result(callSessionId!).then(
            () => true,
            () => false,
          )),
        'the follow-up call to end',
        30_000,
      );
      const second = await call(contact, false);
      const someoneElse = await call(`CRM-${randomUUID()}`, false);
      await Promise.all([result(second), result(someoneElse)]);
      return { first, followUpId, callSessionId: callSessionId!, second, someoneElse };
    });
    const transcriptOf = (sessionId: string) => path.join(dir, 'transcripts', `${sessionId}.json`);
    const rowsOf = (sessionId: string) =>
      sqlite.db.prepare('SELECT count(*) AS n FROM session_events WHERE session_id = ?').get(sessionId) as {
        n: number;
      };
    expect([first, callSessionId, second, someoneElse].map((id) => existsSync(transcriptOf(id)))).toEqual([
      true,
      true,
      true,
      true,
    ]);

    // One session: its history, transcript and rows, nothing of the customer's other calls.
    expect(await forget('--session', second)).toBe(0);
    expect(lines).toEqual([
      `Forgetting session ${second}:`,
      `  workflow history  sessionWorkflow ${second} (was completed)`,
      `  transcript        ${second}`,
      expect.stringMatching(/^ {2}stored rows {7}\d+ in sqlite$/),
      expect.stringMatching(/^Removed 1 workflow history, 1 transcript and \d+ stored rows\.$/),
      expect.stringContaining('Not reached from here: outcome-webhook (told already: ask its owner), Agntix itself'),
    ]);
    expect(await gone(second)).toBe(true);
    expect(existsSync(transcriptOf(second))).toBe(false);
    expect(rowsOf(second).n).toBe(0);
    expect(await gone(first)).toBe(false);

    // The contact: the first call, its follow-up and the follow-up's call.
    expect(await forget('--crm-contact', contact)).toBe(0);
    expect(lines).toEqual(
      expect.arrayContaining([
        `Forgetting CRM contact ${contact}:`,
        `  workflow history  sessionWorkflow ${first} (was completed)`,
        `  workflow history  followUpWorkflow ${followUpId} (was completed)`,
        `  workflow history  sessionWorkflow ${callSessionId} (was completed)`,
        `  transcript        ${first}`,
        `  transcript        ${callSessionId}`,
        expect.stringMatching(/^Removed 3 workflow histories, 2 transcripts and \d+ stored rows\.$/),
      ]),
    );
    for (const id of [first, followUpId, callSessionId])
      expect({ id, gone: await gone(id) }).toEqual({ id, gone: true });
    for (const id of [first, callSessionId]) expect(existsSync(transcriptOf(id))).toBe(false);
    expect(sqlite.db.prepare('SELECT count(*) AS n FROM follow_ups WHERE original_session_id = ?').get(first)).toEqual({
      n: 0,
    });
    const file = readFileSync(sqliteFile);
    for (const id of [contact, first, second, callSessionId])
      expect({ id, inFile: file.includes(id) }).toEqual({ id, inFile: false });

    // Nobody else's.
    expect(await gone(someoneElse)).toBe(false);
    expect(existsSync(transcriptOf(someoneElse))).toBe(true);
    expect(rowsOf(someoneElse).n).toBeGreaterThan(0);

    // Idempotent: nothing is left to remove, and it says so.
    for (const argv of [
      ['--crm-contact', contact],
      ['--session', second],
      ['--session', first],
    ]) {
      expect(await forget(...argv)).toBe(0);
      expect(lines).toContain(
        `Nothing held about ${argv[0] === '--session' ? 'session' : 'CRM contact'} ${argv[1]}: already forgotten, or never seen.`,
      );
    }
  } finally {
    sqlite.db.close();
    await agntix.close();
    await api.close();
    await receiver.close();
    await temporal.close();
  }
}, 120_000);

test('refuses anything but one well-formed subject', async () => {
  const lines: string[] = [];
  const deps = {
    client: undefined as never,
    sinks: [],
    transcripts: undefined as never,
    crmContactVariable: 'crmContactId',
  };
  for (const argv of [
    [],
    ['--session'],
    ['--crm-contact', "x' OR WorkflowId != '"],
    ['--session', 'a', '--crm-contact', 'b'],
  ]) {
    expect(await runForget(argv, deps, (line) => lines.push(line))).toBe(2);
  }
  expect(lines.every((line) => line.startsWith('Usage: npm run forget'))).toBe(true);
});
