import { Client } from '@temporalio/client';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { runFind } from '../../src/bin/find';
import { runForget } from '../../src/bin/forget';
import { createLocalTranscriptStore } from '../../src/activities/agntix/transcripts';
import { startApi, type RunningApi } from '../../src/api/server';
import { loadConfig } from '../../src/config';
import { example } from '../../src/dev/examples';
import { deliverSigned, newSecret } from '../../src/dev/signing';
import { searchIndexFrom } from '../../src/config/privacy';
import { runWorker, type RunningWorker } from '../../src/worker/run';
import { freePort } from '../helpers/freePort';
import { captureLogs } from '../helpers/logs';
import { connectTestTemporal, testAddress, testKeyRing, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

/** What the agent and the campaign put where only ids and labels belong. */
const CUSTOMER = {
  name: 'Priya Raman',
  phone: '+447700900999',
  spacedPhone: '7700 900999',
  email: 'priya.raman@example.com',
  birthDate: '1980-02-03',
};
type Event = { id: string; metadata: Record<string, unknown>; analysis?: Record<string, unknown> };
const found = (text: string) => Object.entries(CUSTOMER).filter(([, secret]) => text.includes(secret));

// Bytes as text, so a search attribute's JSON payload is searched as the visibility store keeps it.
const asText = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));

describe('the visibility store under free text in ids and labels', () => {
  let temporal: TestTemporal;
  let api: RunningApi;
  let worker: RunningWorker;
  const logs = captureLogs();
  const secret = newSecret();
  const sessionId = randomUUID();
  const hashKeys = `h2:${randomBytes(32).toString('base64')},h1:${randomBytes(32).toString('base64')}`;
  let config: ReturnType<typeof loadConfig>;
  let port: number;

  beforeAll(async () => {
    temporal = await connectTestTemporal();
    port = await freePort();
    config = loadConfig({
      LOG_LEVEL: 'info',
      PORT: String(port),
      TEMPORAL_ADDRESS: testAddress(),
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue('visibility'),
      AGNTIX_WEBHOOK_SECRET: secret,
      PAYLOAD_ENCRYPTION_KEYS: process.env.TEST_PAYLOAD_ENCRYPTION_KEYS,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'visibility-')),
      CUSTOMER_HASH_KEYS: hashKeys,
    });
    worker = await runWorker(config, logs.logger, {});
    api = await startApi(config, logs.logger, {});

    const variables = {
      customerName: CUSTOMER.name,
      crmContactId: CUSTOMER.email,
      taskId: 'TASK-1',
      note: `DOB ${CUSTOMER.birthDate}, reach on ${CUSTOMER.email}`,
    };
    const created = example<Event>('session-created.voice-outbound.json');
    const ended = example<Event>('session-ended.voice-callback-requested.json');
    for (const event of [created, ended]) {
      event.id = sessionId;
      event.metadata = { ...event.metadata, customerPhoneNumber: CUSTOMER.phone, sessionVariables: variables };
    }
    ended.analysis = {
      ...ended.analysis,
      extractedData: {
        callbackRequested: false,
        callOutcome: `${CUSTOMER.name} (${CUSTOMER.phone}) DOB ${CUSTOMER.birthDate}`,
      },
    };
    for (const event of [created, ended]) {
      const res = await deliverSigned(`http://127.0.0.1:${port}/webhooks/agntix`, secret, event);
      expect(res.status).toBeLessThan(300);
    }
    await temporal.client.workflow.getHandle(sessionId).result();
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await worker?.stop();
    await temporal?.close();
  });

  it('leaves no name, phone number, e-mail or birth date in what the namespace lists', async () => {
    const plain = new Client({ connection: temporal.client.connection });
    const listed = [];
    for await (const wf of plain.workflow.list({ query: `WorkflowId = '${sessionId}'` })) listed.push(wf);
    expect(listed).toHaveLength(1);
    const [session] = listed;
    expect(session!.searchAttributes).toMatchObject({ AgntixOutcome: ['other'], AgntixPhase: ['done'] });
    expect(session!.searchAttributes.AgntixCrmContactId).toBeUndefined();
    expect({ found: found(asText(session!.raw)) }).toEqual({ found: [] });
  });

  it('leaves none of them in the logs or the metric labels', async () => {
    expect({ found: found(JSON.stringify(logs.lines)) }).toEqual({ found: [] });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect({ found: found(metrics) }).toEqual({ found: [] });
  });

  it('finds the session by the phone number, however it is written, and by the CRM id', async () => {
    const { hasher } = searchIndexFrom(config);
    const deps = { client: temporal.client, hasher, uiUrl: 'http://ui:8233', namespace: 'default' };
    for (const argv of [
      ['--phone', CUSTOMER.phone],
      ['--phone', '+44 7700-900 999'],
      ['--crm-contact', CUSTOMER.email],
    ]) {
      const out: string[] = [];
      expect(await runFind(argv, deps, (text) => out.push(text))).toBe(0);
      expect(out).toEqual([
        expect.stringMatching(
          new RegExp(
            `^session  ${sessionId}  COMPLETED  started \\S+  http://ui:8233/namespaces/default/workflows/${sessionId}$`,
          ),
        ),
        '1 found',
      ]);
    }
    const none: string[] = [];
    await runFind(['--phone', '+447700900000'], deps, (text) => none.push(text));
    expect(none).toEqual(['nothing found']);
  });

  it('finds sessions indexed under a key that has since been rotated out of first place', async () => {
    const [first, second] = hashKeys.split(',');
    const rotated = searchIndexFrom(
      loadConfig({ CUSTOMER_HASH_KEYS: `h3:${randomBytes(32).toString('base64')},${second},${first}` }),
    );
    const out: string[] = [];
    const deps = { client: temporal.client, hasher: rotated.hasher, uiUrl: 'http://ui', namespace: 'default' };
    await runFind(['--phone', CUSTOMER.phone], deps, (text) => out.push(text));
    expect(out.at(-1)).toBe('1 found');
  });

  it('lets npm run forget find the session of a CRM id the index holds only as a hash', async () => {
    const { hasher } = searchIndexFrom(config);
    const transcripts = createLocalTranscriptStore(mkdtempSync(path.join(tmpdir(), 'forget-')), testKeyRing());
    const out: string[] = [];
    const deps = {
      client: temporal.client,
      sinks: [],
      transcripts,
      hasher,
      crmContactVariable: config.CRM_CONTACT_VARIABLE,
    };
    expect(await runForget(['--crm-contact', CUSTOMER.email], deps, (text) => out.push(text))).toBe(0);
    expect(out).toContainEqual(expect.stringContaining(`workflow history  sessionWorkflow ${sessionId}`));
  }, 60_000);
});
