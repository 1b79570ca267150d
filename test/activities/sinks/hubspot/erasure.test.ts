import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalTranscriptStore } from '../../../../src/activities/agntix/transcripts';
import { hubspotErasure } from '../../../../src/activities/sinks/hubspot/erasure';
import { createHubSpotPort } from '../../../../src/activities/sinks/hubspot/sink';
import { runForget } from '../../../../src/bin/forget';
import { followUpWorkflowId } from '../../../../src/contracts';
import { startFakeHubSpot, type FakeHubSpot } from '../../../../src/dev/sandbox/fakeHubspot';
import { crmView, hubspotSettingsFor, hubspotSinkFor } from '../../../helpers/hubspot';
import { connectTestTemporal, type TestTemporal } from '../../../helpers/temporal';

/**
 * `npm run forget` reaches HubSpot: after it, the stand-in holds no call, no task and no property this service
 * wrote about the customer, the contact (the portal's record) stays anonymised, nobody else's records change, and
 * the command names each system with what it did there and what is left to the operator.
 */
describe('forget in HubSpot', () => {
  let temporal: TestTemporal;
  let hub: FakeHubSpot;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
    hub = await startFakeHubSpot();
    await hubspotSinkFor(hub); // npm run hubspot:setup's properties
  });
  afterAll(async () => {
    await hub?.close();
    await temporal?.close();
  });

  /** One call of a customer as the sink writes it: the contact found or created by phone, facts, call, callback task. */
  async function callOf(phoneNumber: string) {
    const port = createHubSpotPort(hubspotSettingsFor(hub));
    const sessionId = randomUUID();
    const contact = (await port.contactFor({ phoneNumber }))!;
    await port.updateContact(contact, { lastCallOutcome: 'Callback requested', lastCallAt: new Date().toISOString() });
    await port.saveCall(
      { sessionId, state: 'completed', title: 'Call with Priya Raman', body: 'wants a callback' },
      contact,
    );
    const followUpId = followUpWorkflowId(sessionId, 1);
    const task = { followUpId, originalSessionId: sessionId, attempt: 1, open: true, needsAttention: false };
    await port.saveTask({ ...task, dueAt: new Date().toISOString(), subject: 'Call back Priya', body: '' }, contact);
    return { sessionId, followUpId, contactId: contact.id };
  }

  const forget = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await runForget(
      argv,
      {
        client: temporal.client,
        sinks: [],
        transcripts: createLocalTranscriptStore(mkdtempSync(path.join(tmpdir(), 'forget-hubspot-'))),
        told: ['outcome-webhook'],
        erasers: [hubspotErasure(hubspotSettingsFor(hub))],
        crmContactVariable: 'crmContactId',
      },
      (line) => lines.push(line),
    );
    return { code, lines };
  };

  it('deletes a session’s call and callback task, then everything it wrote about the contact', async () => {
    const view = crmView(hub);
    const first = await callOf('+447700900412');
    const second = await callOf('+447700900412');
    const someoneElse = await callOf('+447700900999');
    expect(second.contactId).toBe(first.contactId);
    const contact = () => hub.store.find('contacts', first.contactId)!.properties;
    expect(contact()).toMatchObject({
      agntix_last_call_outcome: 'Callback requested',
      agntix_phone_e164: '+447700900412',
    });

    // One session: its call and its follow-up's task; the contact's facts (they may describe it) are cleared.
    const bySession = await forget('--session', first.sessionId);
    expect(bySession.code).toBe(0);
    expect(bySession.lines).toEqual([
      `Forgetting session ${first.sessionId}:`,
      expect.stringMatching(new RegExp(`^ {2}hubspot {11}call \\d+ \\(session ${first.sessionId}\\) deleted$`)),
      expect.stringMatching(new RegExp(`^ {2}hubspot {11}task \\d+ \\(follow-up ${first.followUpId}\\) deleted$`)),
      `  hubspot           contact ${first.contactId}: agntix_last_call_outcome, agntix_last_call_at, agntix_phone_e164 cleared`,
      'Removed 0 workflow histories, 0 transcripts and 0 stored rows.',
      expect.stringMatching(/^Not reached from here: outcome-webhook \(told already: ask its owner\), Agntix itself/),
      `Left in hubspot: contact ${first.contactId} is kept, with its property history: deleting it (a GDPR delete in HubSpot) is the portal owner's decision.`,
      "Left in hubspot: the deleted calls and tasks stay restorable in HubSpot's recycling bin for 90 days.",
    ]);
    expect(view.callsOf(first.sessionId)).toEqual([]);
    expect(view.tasksOf(first.followUpId)).toEqual([]);
    expect(view.callsOf(second.sessionId)).toHaveLength(1);

    // The contact: the other call found through its associations, though no session id was given for it.
    const byContact = await forget('--crm-contact', first.contactId);
    expect(byContact.code).toBe(0);
    expect(byContact.lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^ {2}hubspot {11}call \\d+ \\(session ${second.sessionId}\\) deleted$`)),
        expect.stringMatching(new RegExp(`^ {2}hubspot {11}task \\d+ \\(follow-up ${second.followUpId}\\) deleted$`)),
      ]),
    );
    expect(view.callsOf(second.sessionId)).toEqual([]);
    expect(view.tasksOf(second.followUpId)).toEqual([]);
    const written = Object.keys(contact()).filter((p) => p.startsWith('agntix_'));
    expect(written).toEqual([]);
    expect(hub.store.associated('contacts', first.contactId, 'calls')).toEqual([]);
    expect(hub.store.associated('contacts', first.contactId, 'tasks')).toEqual([]);

    // Nobody else's.
    expect(view.callsOf(someoneElse.sessionId)).toHaveLength(1);
    expect(view.tasksOf(someoneElse.followUpId)).toHaveLength(1);
    expect(hub.store.find('contacts', someoneElse.contactId)!.properties.agntix_last_call_outcome).toBe(
      'Callback requested',
    );

    // Idempotent.
    const again = await forget('--crm-contact', first.contactId);
    expect(again.lines).toContain(
      `Nothing held about CRM contact ${first.contactId}: already forgotten, or never seen.`,
    );
  });

  it('waits out HubSpot pacing it (a 429 with Retry-After), as HubSpot asks', async () => {
    const { sessionId } = await callOf('+447700900414');
    const route = 'POST /crm/v3/objects/calls/batch/read';
    hub.faults.push({ route, status: 429, headers: { 'retry-after': '1' }, times: 2 });
    const started = Date.now();
    const { code, lines } = await forget('--session', sessionId);
    expect(code).toBe(0);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`call \\d+ \\(session ${sessionId}\\) deleted$`)));
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(crmView(hub).callsOf(sessionId)).toEqual([]);
  });

  it('says which sessions to erase again when HubSpot cannot be reached, and exits 1', async () => {
    const { sessionId } = await callOf('+447700900413');
    hub.faults.push({ route: 'POST /crm/v3/objects/calls/batch/read', status: 503, times: 1 });
    const { code, lines } = await forget('--session', sessionId);
    expect(code).toBe(1);
    expect(lines).toContain(
      `Not reached: hubspot failed (HubSpot failed to read records to erase (503 INTERNAL_ERROR)); once it answers, run npm run forget again for each of these sessions: ${sessionId}.`,
    );
    expect(lines.join('\n')).not.toContain('+447700900413');
  });
});
