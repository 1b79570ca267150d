import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createOutcomeWebhookSink } from '../../../src/activities/sinks/outcomeWebhook/sink';
import { createSqliteSink } from '../../../src/activities/sinks/store/sqliteStore';
import type { FollowUpEvent, OutcomeEvent, SessionEndedEvent } from '../../../src/contracts';
import { SessionEnded } from '../../../src/contracts/agntixEvents';
import { loadConfig } from '../../../src/config';
import { example, freshSession } from '../../../src/dev/examples';
import { newSecret, post, sign } from '../../../src/dev/signing';
import { sharingPolicyFrom } from '../../../src/config/policies';
import type { SharingPolicy } from '../../../src/workflows/policy';
import { buildOutcome } from '../../../src/workflows/session/outcome';
import { shareWith } from '../../../src/workflows/sharing';
import { startTestApi } from '../../helpers/api';
import { saveHistory } from '../../helpers/histories';
import { startOutcomeReceiver } from '../../helpers/outcomeReceiver';
import { testPolicy } from '../../helpers/policy';
import { bundleWorkflows, connectTestTemporal, uniqueTaskQueue } from '../../helpers/temporal';
import { createTestWorker } from '../../helpers/worker';

// Parsed as the ingest parses it, so the workflow sees what it would.
const ended: SessionEndedEvent = SessionEnded.parse(example('session-ended.voice-callback-requested.json'));
const defaults = sharingPolicyFrom(loadConfig({}));
const outcome = (sharing: SharingPolicy | undefined): OutcomeEvent =>
  buildOutcome({
    kind: 'completed',
    sessionId: ended.id,
    source: 'webhook',
    ended,
    phase: 'done',
    policy: { ...testPolicy, sharing },
    now: new Date('2026-07-14T09:14:00Z'),
  });
const sent = (system: string, sharing = defaults) => shareWith(system, outcome(sharing), sharing) as OutcomeEvent;
const text = (event: unknown) => JSON.stringify(event);

const NAME = 'Priya Raman';
const EVIDENCE = 'Could you ring me back on Thursday morning instead?';
const SUMMARY = ended.analysis!.summary!;

describe('what each external system is sent of an outcome, by default', () => {
  it('keeps the correlation ids and drops the names and free text of the session variables', () => {
    expect(sent('outcome-webhook').correlation).toEqual({
      crmContactId: 'CRM-40215',
      taskId: 'TASK-118204',
      campaignId: 'FOLLOWUP-2026-07-14-A',
      callAttemptId: 'ATT-118204-1',
    });
    expect(text(sent('outcome-webhook'))).not.toContain(NAME);
  });

  it('sends the CRM id under the variable CRM_CONTACT_VARIABLE names, and not the default one', () => {
    const renamed = sharingPolicyFrom(loadConfig({ CRM_CONTACT_VARIABLE: 'customerRef' }));
    const event = { ...outcome(renamed), correlation: { customerRef: 'REF-1', crmContactId: 'CRM-40215' } };
    expect(shareWith('hubspot', event, renamed).correlation).toEqual({ customerRef: 'REF-1' });
  });

  it('sends the outcome webhook the summary and explanations, never the quoted evidence', () => {
    const event = sent('outcome-webhook');
    expect(event.summary).toBe(SUMMARY);
    expect(event.analysis?.resolution).toEqual({
      classification: 'PARTIALLY_RESOLVED',
      confidenceScore: 0.81,
      status: 'Completed',
      satisfiedChecklistItems: ['callback_time_captured'],
      explanation: 'No arrival window was agreed, but a concrete callback time was captured.',
    });
    expect(text(event)).not.toContain(EVIDENCE);
  });

  it('keeps free text out of the local store: labels, scores and ids only', () => {
    const event = sent('sqlite');
    expect(event.summary).toBeUndefined();
    expect(event.analysis).toEqual({
      intent: { conversation: { intent: 'Customer-Unavailable', confidence: 0.87 }, message: { confidence: 0 } },
      resolution: {
        classification: 'PARTIALLY_RESOLVED',
        confidenceScore: 0.81,
        status: 'Completed',
        satisfiedChecklistItems: ['callback_time_captured'],
      },
      sentiment: {
        conversation: { sentiment: 'NEUTRAL', score: 0.15, detectedLanguage: 'en' },
        message: { score: 0, detectedLanguage: 'N/A' },
      },
      extractedData: {
        callOutcome: 'Unavailable',
        callbackRequested: true,
        preferredDay: 'Thursday',
        preferredTimeWindow: 'Morning',
      },
    });
    for (const secret of [NAME, SUMMARY, EVIDENCE, '+447700900412']) expect(text(event)).not.toContain(secret);
  });

  it('masks the phone number for every system', () => {
    expect(sent('outcome-webhook').customerPhoneNumber).toBe('+44•••••••412');
    expect(sent('sqlite').customerPhoneNumber).toBe('+44•••••••412');
  });

  it('passes on only the extracted fields this service reads, and those configured', () => {
    expect(Object.keys(sent('outcome-webhook').extractedData!).sort()).toEqual([
      'callOutcome',
      'callbackRequested',
      'preferredDay',
      'preferredTimeWindow',
    ]);
    const configured = sharingPolicyFrom(loadConfig({ SHARE_EXTRACTED_FIELDS: 'slotConfirmed' }));
    expect(sent('outcome-webhook', configured).extractedData).toMatchObject({ slotConfirmed: false });
  });
});

describe('what a configuration opens up', () => {
  const configured = sharingPolicyFrom(
    loadConfig({
      SHARE_PHONE_WITH: 'crm',
      SHARE_EVIDENCE_WITH: 'crm',
      SHARE_TEXT_WITH: 'crm,outcome-webhook',
      SHARE_CORRELATION_KEYS: 'crmContactId',
    }),
  );

  it('gives the full number and the evidence to the named system only', () => {
    expect(sent('crm', configured).customerPhoneNumber).toBe('+447700900412');
    expect(sent('crm', configured).analysis?.resolution?.evidence).toEqual(ended.analysis!.resolution!.evidence);
    expect(sent('outcome-webhook', configured).customerPhoneNumber).toBe('+44•••••••412');
    expect(text(sent('outcome-webhook', configured))).not.toContain(EVIDENCE);
  });

  it('narrows the correlation ids to those listed, or passes every one with *', () => {
    expect(sent('crm', configured).correlation).toEqual({ crmContactId: 'CRM-40215' });
    const everything = sharingPolicyFrom(loadConfig({ SHARE_CORRELATION_KEYS: '*' }));
    expect(sent('crm', everything).correlation).toMatchObject({ customerName: NAME });
  });

  it('gives evidence only with the free text it belongs to', () => {
    const evidenceOnly = sharingPolicyFrom(loadConfig({ SHARE_EVIDENCE_WITH: 'sqlite' }));
    expect(text(sent('sqlite', evidenceOnly))).not.toContain(EVIDENCE);
  });
});

describe('follow-up events and sessions begun before the policy', () => {
  it('cuts a follow-up event to the allow-listed ids, keeping the chain ids', () => {
    const event: FollowUpEvent = {
      idempotencyKey: 'followup-s-1:follow-up.scheduled',
      kind: 'follow-up.scheduled',
      followUpId: 'followup-s-1',
      originalSessionId: 's',
      attempt: 1,
      correlation: { crmContactId: 'CRM-1', customerName: NAME, followUpOf: 's', followUpAttempt: '1' },
      recordedAt: '2026-07-14T09:14:00Z',
    };
    expect(shareWith('outcome-webhook', event, defaults)).toEqual({
      ...event,
      correlation: { crmContactId: 'CRM-1', followUpOf: 's', followUpAttempt: '1' },
    });
  });

  it('builds the outcome as before for a session whose captured policy has no sharing: no phone number', () => {
    const before = outcome(undefined);
    expect(before.customerPhoneNumber).toBeUndefined();
    expect(before.analysis).toBe(ended.analysis);
    expect(before.correlation).toMatchObject({ customerName: NAME });
  });
});

test('a session run by the worker tells the outcome webhook and the local store each only its share', async () => {
  const temporal = await connectTestTemporal();
  const secret = newSecret();
  const outcomeSecret = newSecret();
  const receiver = await startOutcomeReceiver(outcomeSecret);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sharing-')), 'outcomes.sqlite');
  const sqlite = createSqliteSink(file);
  const taskQueue = uniqueTaskQueue('sharing');
  const api = await startTestApi(temporal.client, taskQueue, [secret]);
  const worker = await createTestWorker(temporal, taskQueue, await bundleWorkflows(), {
    sinks: [sqlite, createOutcomeWebhookSink(receiver.url, outcomeSecret, 5000)],
    policy: { ...testPolicy, sinks: ['sqlite', 'outcome-webhook'] },
  });
  try {
    const sessionId = randomUUID();
    const deliver = (name: string) => post(`${api.url}/webhooks/agntix`, sign(secret, freshSession(name, sessionId)));
    await deliver('session-created.voice-outbound.json');
    await deliver('session-ended.voice-callback-requested.json');
    const handle = temporal.client.workflow.getHandle(sessionId);
    await worker.runUntil(handle.result());

    const told = receiver.forSession(sessionId).find((r) => r.type === 'session.completed')!.data;
    expect(told).toMatchObject({ summary: SUMMARY, customerPhoneNumber: '+44•••••••412' });
    for (const secret of [NAME, EVIDENCE, '+447700900412']) expect(text(told)).not.toContain(secret);

    const row = sqlite.db.prepare('SELECT * FROM sessions WHERE session_id = ?').get(sessionId) as Record<
      string,
      unknown
    >;
    expect(row).toMatchObject({ kind: 'completed', outcome: 'Unavailable', summary: null });
    expect(JSON.parse(row.correlation_json as string)).toEqual({
      crmContactId: 'CRM-40215',
      taskId: 'TASK-118204',
      campaignId: 'FOLLOWUP-2026-07-14-A',
      callAttemptId: 'ATT-118204-1',
    });
    // Nowhere in the store's files either, whatever row or journal it might hide in.
    sqlite.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const part of [file, `${file}-wal`].filter(existsSync)) {
      const bytes = readFileSync(part);
      for (const secret of [NAME, SUMMARY, EVIDENCE, '+447700900412']) expect(bytes.includes(secret)).toBe(false);
    }
    if (process.env.RECORD_HISTORIES) await saveHistory('session-sharing-policy', await handle.fetchHistory());
  } finally {
    sqlite.db.close();
    await api.close();
    await receiver.close();
    await temporal.close();
  }
});
