import type { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ActivityDeps } from '../../../../src/activities';
import { createOutcomeWebhookSink } from '../../../../src/activities/sinks/outcomeWebhook/sink';
import { createSqliteSink } from '../../../../src/activities/sinks/store/sqliteStore';
import { createHubSpotSink } from '../../../../src/activities/sinks/hubspot/sink';
import type { OutcomeSink } from '../../../../src/activities/sinks/types';
import { startFakeHubSpot, type FakeHubSpot } from '../../../../src/dev/sandbox/fakeHubspot';
import {
  followUpStatusQuery,
  followUpWorkflowId,
  rescheduleFollowUpUpdate,
  statusQuery,
} from '../../../../src/contracts';
import type { followUpWorkflow, sessionWorkflow } from '../../../../src/workflows';
import { crmView, hubspotSettingsFor, hubspotSinkFor } from '../../../helpers/hubspot';
import { anyHour, testFollowUpPolicy, testPolicy } from '../../../helpers/policy';
import { waitFor } from '../../../helpers/wait';
import { freshSession } from '../../../../src/dev/examples';
import { post, sign, type SignedDelivery } from '../../../../src/dev/signing';
import { useWorkflowPeers } from '../../../helpers/workflowPeers';

const CREATED = 'session-created.voice-outbound.json';
const ENDED = 'session-ended.voice-callback-requested.json';
const PHONE = '+447700900412';
const API_KEY = 'pk_test_hubspot';
const CALLS_UPSERT = 'POST /crm/v3/objects/calls/batch/upsert';

/** Follow-ups an hour out (so an operator can move them), at any hour of any day. */
const followUpPolicy = testFollowUpPolicy({ confirmGraceSeconds: 2, rules: anyHour(60 * 60_000) });

/**
 * What a HubSpot user checks after real sessions ran through the ingest API and the session workflows on the real
 * dev server, with the HubSpot sink on the official client pointed at the local HubSpot stand-in.
 */
describe('HubSpot: every call, its outcome and its callback, exactly once', () => {
  const peers = useWorkflowPeers({ name: 'hubspot', apiKey: API_KEY, pageSize: 3 });
  let hub: FakeHubSpot;
  let view: ReturnType<typeof crmView>;

  beforeEach(async () => {
    hub = await startFakeHubSpot();
    view = crmView(hub);
  });
  afterEach(() => hub.close());

  const worker = (sinks: OutcomeSink[], deps: Partial<ActivityDeps> = {}): Promise<Worker> =>
    peers.worker({ sinks, policy: { ...testPolicy, sinks: sinks.map((s) => s.name) }, ...deps });
  const session = (sessionId: string) => peers.temporal.client.workflow.getHandle<typeof sessionWorkflow>(sessionId);
  const deliver = (delivery: SignedDelivery) => post(`${peers.api.url}/webhooks/agntix`, delivery);
  const signed = (
    name: string,
    sessionId: string,
    edit: (event: Record<string, unknown>) => void = () => undefined,
  ) => {
    const event = freshSession(name, sessionId);
    edit(event);
    return sign(peers.secret, event);
  };

  it('one contact and one call per session, with its fields and association, after redeliveries and a worker restart; the other systems as before', async () => {
    const { receiver, sqlite } = peers;
    const sinks = [
      sqlite,
      createOutcomeWebhookSink(receiver.url, peers.outcomeSecret, 5000),
      await hubspotSinkFor(hub),
    ];
    const sessionId = randomUUID();
    peers.agntix.sessions.set(sessionId, { messages: [] });
    const created = signed(CREATED, sessionId);
    for (let i = 0; i < 3; i++) expect((await deliver(created)).status).toBe(200);

    const first = await worker(sinks);
    const running = first.run();
    await waitFor(
      () => view.callsOf(sessionId)[0]?.properties.hs_call_status === 'IN_PROGRESS',
      'the call in progress',
    );
    first.shutdown();
    await running;

    // session.ended three times as Svix redelivers it, and once more under a new svix-id; the first write of the
    // finished call lands in HubSpot but its answer is lost, so Temporal retries it.
    const ended = signed(ENDED, sessionId);
    for (let i = 0; i < 3; i++) expect((await deliver(ended)).status).toBe(200);
    await deliver(signed(ENDED, sessionId));
    hub.faults.push({ route: CALLS_UPSERT, times: 1, status: 502, afterWrite: true });

    const second = await worker(sinks);
    const result = await second.runUntil(session(sessionId).result());
    expect(result).toMatchObject({ phase: 'done', outcome: 'Unavailable', failures: [] });

    const contacts = view.contactsWithPhone(PHONE);
    expect(contacts).toHaveLength(1);
    const calls = view.callsOf(sessionId);
    expect(calls).toHaveLength(1);
    expect(hub.requestsTo(CALLS_UPSERT).map((r) => r.status)).toEqual([200, 502, 200]);
    expect(view.contactsOf('calls', calls[0]!.id)).toEqual([contacts[0]!.id]);
    expect(calls[0]!.properties).toMatchObject({
      agntix_session_id: sessionId,
      hs_call_title: 'Agntix outbound call: Unavailable',
      hs_call_direction: 'OUTBOUND',
      hs_call_status: 'COMPLETED',
      hs_call_disposition: 'f240bbac-87c9-4f6e-bf70-924b57d47db7', // Connected
      hs_call_duration: String(Date.parse('2026-07-14T09:13:34.662Z') - Date.parse('2026-07-14T09:12:05.418Z')),
      hs_timestamp: '2026-07-14T09:12:05.418Z',
      hs_call_recording_url: 'https://app.agntix.ai/en/logs-history?opened=17142de7-ff32-47bd-bd17-2783f385add3',
    });
    expect(calls[0]!.properties.hs_call_body).toContain('asked to be called back on Thursday morning');
    expect(contacts[0]!.properties).toMatchObject({ agntix_last_call_outcome: 'Unavailable' });

    // The outcome webhook and the local store record what they did before, and no phone number.
    expect(
      receiver
        .forSession(sessionId)
        .map((r) => r.type)
        .sort(),
    ).toEqual(['session.completed', 'session.in-flight']);
    expect(JSON.stringify(receiver.forSession(sessionId))).not.toContain('7700900412');
    const row = sqlite.db
      .prepare('SELECT kind, outcome, event_json FROM sessions WHERE session_id = ?')
      .get(sessionId) as {
      kind: string;
      outcome: string;
      event_json: string;
    };
    expect(row).toMatchObject({ kind: 'completed', outcome: 'Unavailable' });
    expect(row.event_json).not.toContain('7700900412');
  });

  it("one task per follow-up on the customer's own contact: moved by a reschedule, completed once the call is placed", async () => {
    const sink = await hubspotSinkFor(hub, { HUBSPOT_CONTACT_ID_PROPERTY: 'crm_contact_id' });
    hub.store.properties.contacts.set('crm_contact_id', {
      ...hub.store.properties.contacts.get('agntix_phone_e164')!,
      name: 'crm_contact_id',
      groupName: 'contactinformation',
    });
    const customer = hub.store.create('contacts', { crm_contact_id: 'CRM-40215', firstname: 'Priya' });
    const w = await worker([sink], { policy: { ...testPolicy, sinks: ['hubspot'], followUp: followUpPolicy } });
    await w.runUntil(async () => {
      const sessionId = randomUUID();
      await deliver(
        signed(
          ENDED,
          sessionId,
          (e) => ((e.analysis as { extractedData: object }).extractedData = { callbackRequested: true }),
        ),
      );
      const { followUp } = await session(sessionId).result();
      const followUpId = followUpWorkflowId(sessionId, 1);
      expect(followUp?.followUpId).toBe(followUpId);
      await waitFor(() => view.tasksOf(followUpId).length === 1, 'the callback task');
      expect(view.tasksOf(followUpId)[0]!.properties).toMatchObject({
        hs_timestamp: followUp!.scheduledAt,
        hs_task_status: 'NOT_STARTED',
      });

      const handle = peers.temporal.client.workflow.getHandle<typeof followUpWorkflow>(followUpId);
      const at = new Date(Date.now() + 3000).toISOString();
      await handle.executeUpdate(rescheduleFollowUpUpdate, { args: [{ at }] });
      await waitFor(() => view.tasksOf(followUpId)[0]?.properties.hs_timestamp === at, 'the task to move');
      expect(view.tasksOf(followUpId)).toHaveLength(1);

      expect((await handle.result()).state).toBe('placed');
      await waitFor(
        () => view.tasksOf(followUpId)[0]?.properties.hs_task_status === 'COMPLETED',
        'the task to be completed',
      );
      const [task] = view.tasksOf(followUpId);
      expect(view.tasksOf(followUpId)).toHaveLength(1);
      expect(task!.properties.hs_timestamp).toBe(at);
      expect(task!.properties.hs_task_body).toContain(
        `placed the callback (Agntix session ${peers.agntix.calls[0]!.sessionId}`,
      );
      expect(view.contactsOf('tasks', task!.id)).toEqual([customer.id]);
      expect(view.contactsOf('calls', view.callsOf(sessionId)[0]!.id)).toEqual([customer.id]);
      expect(hub.all('contacts')).toHaveLength(1);
      expect((await handle.query(followUpStatusQuery)).failedWrites).toBe(0);
    });
  });

  it('a token HubSpot refuses: a failed step naming the scope, not retried, and the session goes on', async () => {
    const refused = createHubSpotSink({ ...hubspotSettingsFor(hub), accessToken: 'pat-revoked' });
    const sqlite = createSqliteSink(path.join(mkdtempSync(path.join(tmpdir(), 'hubspot-401-')), 'outcomes.sqlite'));
    try {
      const w = await worker([sqlite, refused]);
      const sessionId = randomUUID();
      peers.agntix.sessions.set(sessionId, { messages: [] });
      await deliver(signed(CREATED, sessionId));
      const status = await w.runUntil(async () => {
        await waitFor(
          async () => (await session(sessionId).query(statusQuery)).failures.length > 0,
          'the in-flight write to fail',
        );
        await deliver(signed(ENDED, sessionId));
        await session(sessionId).result();
        return session(sessionId).query(statusQuery);
      });
      const message =
        'HubSpot refused the access token (401 INVALID_AUTHENTICATION) to read contacts; check HUBSPOT_ACCESS_TOKEN: the private app needs scope crm.objects.contacts.read';
      expect(status.failures).toEqual([
        { step: 'record in-flight in hubspot', message },
        { step: 'record completed in hubspot', message },
      ]);
      expect(hub.requests.filter((r) => r.status === 401)).toHaveLength(2); // one request per write: no retries
      expect(sqlite.db.prepare('SELECT kind FROM sessions WHERE session_id = ?').get(sessionId)).toEqual({
        kind: 'completed',
      });
    } finally {
      sqlite.db.close();
    }
  });

  it('429: the write waits the Retry-After HubSpot sent, then lands once', async () => {
    const w = await worker([await hubspotSinkFor(hub)]);
    const sessionId = randomUUID();
    peers.agntix.sessions.set(sessionId, { messages: [] });
    hub.faults.push({ route: CALLS_UPSERT, times: 1, status: 429, headers: { 'Retry-After': '3' } });
    await deliver(signed(ENDED, sessionId));
    const result = await w.runUntil(session(sessionId).result());
    expect(result.failures).toEqual([]);
    const [limited, landed] = hub.requestsTo(CALLS_UPSERT);
    expect([limited?.status, landed?.status]).toEqual([429, 200]);
    // Temporal's own first retry would come after 1 s; HubSpot asked for 3.
    expect(landed!.at - limited!.at).toBeGreaterThanOrEqual(3000);
    expect(view.callsOf(sessionId)).toHaveLength(1);
  });
});
