import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { createHubSpotClient } from '../../../../src/activities/sinks/hubspot/client';
import { ensureHubSpotProperties } from '../../../../src/activities/sinks/hubspot/properties';
import { createHubSpotSink } from '../../../../src/activities/sinks/hubspot/sink';
import { SessionCreated, SessionEnded } from '../../../../src/contracts/agntixEvents';
import type { OutcomeSink } from '../../../../src/activities/sinks/types';
import {
  ALL_SCOPES,
  SANDBOX_HUBSPOT_TOKEN,
  startFakeHubSpot,
  type FakeHubSpot,
} from '../../../../src/dev/sandbox/fakeHubspot';
import type { FollowUpEvent, OutcomeEvent, OutcomeKind } from '../../../../src/contracts';
import { buildOutcome } from '../../../../src/workflows/session/outcome';
import { crmView, hubspotSettingsFor, hubspotSinkFor } from '../../../helpers/hubspot';
import { testPolicy } from '../../../helpers/policy';
import { freshSession } from '../../../../src/dev/examples';

const PHONE = '+447700900412';
const CALLS_UPSERT = 'POST /crm/v3/objects/calls/batch/upsert';

/** The outcome event the session workflow builds for the example call, without crmContactId unless given. */
function outcome(kind: OutcomeKind, sessionId: string, variables: Record<string, string> = {}): OutcomeEvent {
  const withVariables = (name: string) => {
    const event = freshSession(name, sessionId) as { metadata: { sessionVariables: Record<string, string> } };
    event.metadata.sessionVariables = variables;
    return event;
  };
  return buildOutcome({
    kind,
    sessionId,
    source: kind === 'completed' ? 'webhook' : 'none',
    created: SessionCreated.parse(withVariables('session-created.voice-outbound.json')),
    ended:
      kind === 'completed'
        ? SessionEnded.parse(withVariables('session-ended.voice-callback-requested.json'))
        : undefined,
    phase: kind === 'completed' ? 'post-call' : 'awaiting-end',
    policy: testPolicy,
    now: new Date(),
  });
}

function followUpEvent(
  kind: FollowUpEvent['kind'],
  followUpId: string,
  extra: Partial<FollowUpEvent> = {},
): FollowUpEvent {
  return {
    idempotencyKey: `${followUpId}:${kind}`,
    kind,
    followUpId,
    originalSessionId: 'root-session',
    attempt: 1,
    scheduledAt: '2026-12-10T10:00:00.000Z',
    correlation: {},
    recordedAt: new Date().toISOString(),
    ...extra,
  };
}

/** The ApplicationFailure a recording threw (what Temporal sees). */
async function failureOf(run: Promise<void>): Promise<ApplicationFailure> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(err)}`);
  return err;
}

describe('the HubSpot sink, on the official client against the local HubSpot stand-in', () => {
  let hub: FakeHubSpot;
  let view: ReturnType<typeof crmView>;
  beforeEach(async () => {
    hub = await startFakeHubSpot({
      searchLagMs: 5000,
      tokens: { [SANDBOX_HUBSPOT_TOKEN]: ALL_SCOPES, 'pat-read-only': ['crm.objects.contacts.read'] },
    });
    view = crmView(hub);
  });
  afterEach(() => hub.close());

  it('creates the custom properties once; a second run of the setup changes nothing', async () => {
    const settings = hubspotSettingsFor(hub);
    const client = createHubSpotClient(settings);
    const first = await ensureHubSpotProperties(client, settings);
    expect(first.problems).toEqual([]);
    expect(first.lines).toEqual(
      expect.arrayContaining([
        'calls.agntix_session_id: created (unique)',
        'tasks.agntix_follow_up_id: created (unique)',
        'contacts.agntix_phone_e164: created (unique)',
        'contacts.agntix_last_call_at: created',
      ]),
    );
    const second = await ensureHubSpotProperties(client, settings);
    expect(second.lines.every((line) => line.endsWith(': exists'))).toBe(true);
    expect(hub.store.properties.calls.get('agntix_session_id')).toMatchObject({
      hasUniqueValue: true,
      groupName: 'agntix',
    });
  });

  it('writes one contact and one call however often an event is recorded, even after a write whose answer was lost', async () => {
    const sink = await hubspotSinkFor(hub);
    const sessionId = randomUUID();
    await sink.record(outcome('in-flight', sessionId), { phoneNumber: PHONE });
    hub.faults.push({ route: CALLS_UPSERT, times: 1, status: 502, afterWrite: true });
    const completed = outcome('completed', sessionId);
    await expect(sink.record(completed, { phoneNumber: PHONE })).rejects.toThrow(/HubSpot failed to write calls \(502/);
    await sink.record(completed, { phoneNumber: PHONE }); // Temporal's retry
    await sink.record(completed, { phoneNumber: PHONE }); // a redelivery

    const contacts = view.contactsWithPhone(PHONE);
    expect(contacts).toHaveLength(1);
    const calls = view.callsOf(sessionId);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.properties).toMatchObject({
      hs_call_title: 'Agntix outbound call: Unavailable',
      hs_call_direction: 'OUTBOUND',
      hs_call_status: 'COMPLETED',
      hs_call_disposition: 'f240bbac-87c9-4f6e-bf70-924b57d47db7',
      hs_call_duration: '89244',
      hs_timestamp: '2026-07-14T09:12:05.418Z',
      hs_call_recording_url: `https://app.agntix.ai/en/logs-history?opened=17142de7-ff32-47bd-bd17-2783f385add3`,
      agntix_outcome: 'Unavailable',
    });
    expect(calls[0]!.properties.hs_call_body).toContain('Priya answered while driving');
    expect(view.contactsOf('calls', calls[0]!.id)).toEqual([contacts[0]!.id]);
    expect(contacts[0]!.properties).toMatchObject({
      agntix_phone_e164: PHONE,
      agntix_last_call_outcome: 'Unavailable',
      agntix_last_call_at: '2026-07-14T09:13:34.662Z',
    });
  });

  it('finds the contact by the HubSpot record id the call was started with, and creates none', async () => {
    const sink = await hubspotSinkFor(hub);
    const known = hub.store.create('contacts', { firstname: 'Priya', phone: '+44 7700 900999' });
    const sessionId = randomUUID();
    await sink.record(outcome('completed', sessionId, { crmContactId: known.id }), { phoneNumber: PHONE });
    expect(hub.all('contacts')).toHaveLength(1);
    expect(view.contactsOf('calls', view.callsOf(sessionId)[0]!.id)).toEqual([known.id]);
  });

  it("finds a person's contact by phone through search, and one the sink created through its unique phone key", async () => {
    const sink = await hubspotSinkFor(hub);
    const person = hub.store.create('contacts', { firstname: 'Ann', mobilephone: '+15550100200' });
    person.searchableAt = 0; // indexed long ago
    const first = randomUUID();
    await sink.record(outcome('completed', first), { phoneNumber: '+15550100200' });
    expect(view.contactsOf('calls', view.callsOf(first)[0]!.id)).toEqual([person.id]);

    // A new customer twice within the search index delay: the second session finds the first one's contact.
    const [a, b] = [randomUUID(), randomUUID()];
    await Promise.all([
      sink.record(outcome('completed', a), { phoneNumber: '+15550100300' }),
      sink.record(outcome('completed', b), { phoneNumber: '+1 555 010 0300' }),
    ]);
    const created = hub.all('contacts').filter((c) => c.properties.agntix_phone_e164 === '+15550100300');
    expect(created).toHaveLength(1);
    expect(view.contactsOf('calls', view.callsOf(b)[0]!.id)).toEqual([created[0]!.id]);
  });

  it('never lets the in-flight mark, landing late, undo a completed call; a chat is not a call', async () => {
    const sink = await hubspotSinkFor(hub);
    const sessionId = randomUUID();
    await sink.record(outcome('completed', sessionId), { phoneNumber: PHONE });
    await sink.record(outcome('in-flight', sessionId), { phoneNumber: PHONE });
    expect(view.callsOf(sessionId)[0]!.properties.hs_call_status).toBe('COMPLETED');

    const chat = { ...outcome('completed', randomUUID()), sessionType: 'CHAT' };
    await sink.record(chat, { phoneNumber: PHONE });
    expect(view.callsOf(chat.sessionId)).toEqual([]);
  });

  it("keeps the newer call on the contact when two of one customer's calls end together and the older one's write is slow", async () => {
    const sink = await hubspotSinkFor(hub);
    await sink.record(outcome('in-flight', randomUUID()), { phoneNumber: PHONE }); // the contact exists
    const contact = view.contactsWithPhone(PHONE)[0]!;
    const ended = (outcomeText: string, endedAt: string) => ({
      ...outcome('completed', randomUUID()),
      outcome: outcomeText,
      endedAt,
    });
    const older = ended('Voicemail', '2026-12-05T10:00:00.000Z');
    const newer = ended('Confirmed', '2026-12-05T10:05:00.000Z');
    // HubSpot applies the older call's contact update late, well inside the request timeout.
    hub.faults.push({ route: `PATCH /crm/v3/objects/contacts/${contact.id}`, times: 1, delayMs: 1500 });
    await Promise.all([
      sink.record(older, { phoneNumber: PHONE }),
      new Promise((started) => setTimeout(started, 50)).then(() => sink.record(newer, { phoneNumber: PHONE })),
    ]);
    const facts = hub.all('contacts').find((r) => r.id === contact.id)!.properties;
    expect(facts.agntix_last_call_outcome).toBe('Confirmed');
    expect(Date.parse(facts.agntix_last_call_at!)).toBe(Date.parse(newer.endedAt));
  });

  it("keeps one task per follow-up: moved by a reschedule, completed when placed; the contact's callback time follows", async () => {
    const sink = await hubspotSinkFor(hub, { HUBSPOT_TASK_OWNER_ID: '7001' });
    const id = `followup-${randomUUID()}-1`;
    const phone = { phoneNumber: PHONE };
    await sink.record(followUpEvent('follow-up.scheduled', id), phone);
    await sink.record(followUpEvent('follow-up.scheduled', id, { scheduledAt: '2026-12-11T15:30:00.000Z' }), phone);
    let [task] = view.tasksOf(id);
    expect(view.tasksOf(id)).toHaveLength(1);
    expect(task!.properties).toMatchObject({
      hs_timestamp: '2026-12-11T15:30:00.000Z',
      hs_task_status: 'NOT_STARTED',
      hs_task_type: 'CALL',
      hubspot_owner_id: '7001',
    });
    const [contact] = view.contactsWithPhone(PHONE);
    expect(view.contactsOf('tasks', task!.id)).toEqual([contact!.id]);
    expect(contact!.properties.agntix_callback_due_at).toBe('2026-12-11T15:30:00.000Z');

    const placed = followUpEvent('follow-up.placed', id, {
      scheduledAt: '2026-12-11T15:30:00.000Z',
      callSessionId: 'call-2',
    });
    await sink.record(placed, phone);
    await sink.record(placed, phone);
    [task] = view.tasksOf(id);
    expect(view.tasksOf(id)).toHaveLength(1);
    expect(task!.properties.hs_task_status).toBe('COMPLETED');
    expect(task!.properties.hs_task_body).toContain('placed the callback (Agntix session call-2)');
    expect(view.contactsWithPhone(PHONE)[0]!.properties.agntix_callback_due_at).toBeUndefined();

    await sink.record(
      followUpEvent('follow-up.chain-ended', id, {
        scheduledAt: undefined,
        reason: 'the callback was satisfied or declined',
      }),
      phone,
    );
    expect(view.tasksOf(id)[0]!.properties).toMatchObject({
      hs_timestamp: '2026-12-11T15:30:00.000Z',
      hs_task_status: 'COMPLETED',
    });
  });

  it('leaves a failed callback open for a person, at high priority, with the reason', async () => {
    const sink = await hubspotSinkFor(hub);
    const id = `followup-${randomUUID()}-1`;
    await sink.record(followUpEvent('follow-up.scheduled', id), { phoneNumber: PHONE });
    await sink.record(followUpEvent('follow-up.failed', id, { reason: 'calls/start answered 422' }), {
      phoneNumber: PHONE,
    });
    expect(view.tasksOf(id)[0]!.properties).toMatchObject({ hs_task_status: 'NOT_STARTED', hs_task_priority: 'HIGH' });
    expect(view.tasksOf(id)[0]!.properties.hs_task_body).toContain('calls/start answered 422');
  });

  describe('failures, as Temporal sees them', () => {
    const record = (sink: OutcomeSink) => sink.record(outcome('completed', randomUUID()), { phoneNumber: PHONE });

    it('401: not retried; names the token and the scope; no customer data', async () => {
      const sink = createHubSpotSink({ ...hubspotSettingsFor(hub), accessToken: 'pat-revoked' });
      const failure = await failureOf(record(sink));
      expect(failure).toMatchObject({ nonRetryable: true, type: 'HubSpotUnauthorized' });
      expect(failure.message).toBe(
        'HubSpot refused the access token (401 INVALID_AUTHENTICATION) to read contacts; check HUBSPOT_ACCESS_TOKEN: the private app needs scope crm.objects.contacts.read',
      );
      expect(failure.message).not.toContain('7700');
    });

    it('403: not retried; names the scope HubSpot asks for', async () => {
      await hubspotSinkFor(hub); // the properties exist
      const sink = createHubSpotSink({ ...hubspotSettingsFor(hub), accessToken: 'pat-read-only' });
      const failure = await failureOf(record(sink));
      expect(failure).toMatchObject({ nonRetryable: true, type: 'HubSpotForbidden' });
      expect(failure.message).toBe(
        'HubSpot denied write contacts (403 MISSING_SCOPES): the private app needs scope crm.objects.contacts.write',
      );
    });

    it('400: not retried; names the missing property, never the values sent', async () => {
      const sink = createHubSpotSink(hubspotSettingsFor(hub)); // setup never ran
      const failure = await failureOf(record(sink));
      expect(failure).toMatchObject({ nonRetryable: true, type: 'HubSpotRejected' });
      expect(failure.message).toBe(
        'HubSpot rejected read contacts (400 VALIDATION_ERROR): agntix_phone_e164 PROPERTY_DOESNT_EXIST; run npm run hubspot:setup',
      );
    });

    it('429: retried after the Retry-After HubSpot sent', async () => {
      const sink = await hubspotSinkFor(hub);
      hub.faults.push({ route: CALLS_UPSERT, times: 1, status: 429, headers: { 'Retry-After': '7' } });
      const failure = await failureOf(record(sink));
      expect(failure).toMatchObject({ nonRetryable: false, type: 'HubSpotRateLimited', nextRetryDelay: 7000 });
    });

    it('429 without Retry-After: one rate-limit window, from X-HubSpot-RateLimit-Interval-Milliseconds', async () => {
      const sink = await hubspotSinkFor(hub);
      hub.faults.push({ route: CALLS_UPSERT, times: 1, status: 429 });
      expect(await failureOf(record(sink))).toMatchObject({ type: 'HubSpotRateLimited', nextRetryDelay: 10_000 });
    });

    it('5xx and a HubSpot that never answers: retried', async () => {
      const sink = await hubspotSinkFor(hub);
      hub.faults.push({ route: CALLS_UPSERT, times: 1, status: 503 });
      expect(await failureOf(record(sink))).toMatchObject({ nonRetryable: false, type: 'HubSpotUnavailable' });
      hub.faults.push({ route: CALLS_UPSERT, times: 1, hang: true });
      const started = Date.now();
      const timeout = await failureOf(record(sink));
      expect(timeout).toMatchObject({ nonRetryable: false, type: 'HubSpotUnavailable' });
      expect(timeout.message).toBe('HubSpot unreachable to write calls: HubSpot did not answer within 2000 ms');
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });
});
