import { callOf, factsAfter, taskOf } from '../../../../src/activities/sinks/crm/records';
import { HubSpotConfigSchema, hubspotSettingsFrom } from '../../../../src/config/hubspot';
import { callProperties, htmlOf, phoneKeyOf } from '../../../../src/activities/sinks/hubspot/mapping';
import { ConfigError, loadConfig } from '../../../../src/config';
import type { FollowUpEvent, OutcomeEvent } from '../../../../src/contracts';

const completed: OutcomeEvent = {
  idempotencyKey: 's1:completed',
  kind: 'completed',
  sessionId: 's1',
  source: 'webhook',
  sessionType: 'VOICE',
  direction: 'INBOUND',
  startedAt: '2026-07-14T09:00:00.000Z',
  endedAt: '2026-07-14T09:02:30.000Z',
  summary: 'Asked about <b>billing</b>.',
  outcome: 'Wrong number',
  resolution: 'UNRESOLVED',
  recordingUrl: 'http://insecure.example/rec.mp3',
  transcript: { ref: 'https://transcripts.example/s1.json', messages: 4, pages: 1 },
  correlation: {},
  followUpDue: false,
  phase: 'post-call',
  recordedAt: '2026-07-14T09:03:00.000Z',
};

const followUp = (kind: FollowUpEvent['kind'], scheduledAt?: string): FollowUpEvent => ({
  idempotencyKey: `f1:${kind}`,
  kind,
  followUpId: 'followup-s1-1',
  originalSessionId: 's1',
  attempt: 1,
  scheduledAt,
  reason: 'customer emailed',
  correlation: {},
  recordedAt: '2026-07-14T10:00:00.000Z',
});

const settings = (env: Record<string, string> = {}) =>
  hubspotSettingsFrom(HubSpotConfigSchema.parse({ HUBSPOT_ACCESS_TOKEN: 'pat', ...env }))!;

describe('CRM records derived from the external events', () => {
  it('a finished call: duration from the session times, https links only, the outcome mapped to a disposition', () => {
    const call = callOf(completed)!;
    expect(call).toMatchObject({ state: 'completed', durationMs: 150_000, title: 'Agntix inbound call: Wrong number' });
    expect(call.recordingUrl).toBeUndefined();
    expect(call.body).toContain('Transcript: https://transcripts.example/s1.json');
    const properties = callProperties(call, settings().dispositions, new Date());
    expect(properties).toMatchObject({
      hs_call_status: 'COMPLETED',
      hs_call_disposition: 'f240bbac-87c9-4f6e-bf70-924b57d47db7', // Connected: the default for any outcome
      hs_call_duration: '150000',
      hs_timestamp: '2026-07-14T09:00:00.000Z',
    });
    const mapped = callProperties(
      call,
      settings({ HUBSPOT_CALL_DISPOSITIONS: 'wrong number=Wrong number' }).dispositions,
      new Date(),
    );
    expect(mapped.hs_call_disposition).toBe('17b47fee-58de-441e-a44c-c6300d46f273');
    expect(mapped.hs_call_body).toContain('&lt;b&gt;billing&lt;/b&gt;');
  });

  it('an expired session is a call not reached; a chat is no call', () => {
    const expired = callOf({ ...completed, kind: 'expired', outcome: 'EXPIRED', endedAt: undefined })!;
    expect(expired).toMatchObject({ state: 'not-reached', durationMs: undefined });
    expect(callProperties(expired, settings().dispositions, new Date())).toMatchObject({
      hs_call_status: 'NO_ANSWER',
      hs_call_disposition: '73a0d17f-1163-4015-bdd5-ec830791da20',
    });
    expect(callOf({ ...completed, sessionType: 'CHAT' })).toBeUndefined();
  });

  it.each([
    ['follow-up.scheduled', true, false],
    ['follow-up.placed', false, false],
    ['follow-up.cancelled', false, false],
    ['follow-up.failed', true, true],
    ['follow-up.chain-ended', false, false],
  ] as const)('%s: task open %s, needs a person %s', (kind, open, needsAttention) => {
    expect(taskOf(followUp(kind, '2026-07-15T09:00:00.000Z'))).toMatchObject({ open, needsAttention });
  });

  it('never lets an older call overwrite the last call, and clears a callback only for the follow-up that set it', () => {
    expect(factsAfter(completed, { lastCallAt: '2026-07-15T00:00:00.000Z' })).toEqual({});
    expect(factsAfter(completed, { lastCallAt: '2026-07-13T00:00:00.000Z' })).toEqual({
      lastCallOutcome: 'Wrong number',
      lastCallAt: '2026-07-14T09:02:30.000Z',
    });
    const due = '2026-07-15T09:00:00.000Z';
    expect(factsAfter(followUp('follow-up.scheduled', due), {})).toEqual({ callbackDueAt: due });
    expect(factsAfter(followUp('follow-up.placed', due), { callbackDueAt: due })).toEqual({ callbackDueAt: null });
    expect(factsAfter(followUp('follow-up.placed', due), { callbackDueAt: '2026-07-16T09:00:00.000Z' })).toEqual({});
    expect(factsAfter(followUp('follow-up.failed', due), { callbackDueAt: due })).toEqual({});
  });

  it('one phone key per customer, whatever the formatting; escaped rich text with clickable https links', () => {
    expect(phoneKeyOf('+44 7700 900-412')).toBe('+447700900412');
    expect(phoneKeyOf('(555) 010-0300')).toBe('5550100300');
    expect(phoneKeyOf('12')).toBeUndefined();
    expect(htmlOf('a & b\n\nsee https://x.example/t?a=1')).toBe(
      '<p>a &amp; b</p><p>see <a href="https://x.example/t?a=1">https://x.example/t?a=1</a></p>',
    );
  });
});

describe('HubSpot settings', () => {
  it('is off without a token, and on with documented defaults with one', () => {
    expect(hubspotSettingsFrom(loadConfig({}))).toBeUndefined();
    expect(hubspotSettingsFrom(loadConfig({ HUBSPOT_ACCESS_TOKEN: 'pat-1' }))).toMatchObject({
      baseUrl: 'https://api.hubapi.com',
      contactIdVariable: 'crmContactId',
      contactIdProperty: 'hs_object_id',
      phoneProperties: ['phone', 'mobilephone'],
      createContacts: true,
      contactProperties: {
        lastCallOutcome: 'agntix_last_call_outcome',
        lastCallAt: 'agntix_last_call_at',
        callbackDueAt: 'agntix_callback_due_at',
      },
    });
    expect(settings({ HUBSPOT_CONTACT_PROPERTIES: '' }).contactProperties).toEqual({});
  });

  it.each([
    [
      { HUBSPOT_CALL_DISPOSITIONS: 'Unavailable=Maybe' },
      /^Invalid configuration: HUBSPOT_CALL_DISPOSITIONS .*Unavailable=Maybe/,
    ],
    [{ HUBSPOT_CONTACT_PROPERTIES: 'lastCall=x' }, /^Invalid configuration: HUBSPOT_CONTACT_PROPERTIES /],
    [{ HUBSPOT_CONTACT_ID_PROPERTY: 'CRM Id' }, /^Invalid configuration: HUBSPOT_CONTACT_ID_PROPERTY /],
    [{ HUBSPOT_TASK_OWNER_ID: 'alice' }, /^Invalid configuration: HUBSPOT_TASK_OWNER_ID must be a HubSpot owner id/],
  ])('stops on %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
