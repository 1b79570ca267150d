import { Client } from '@temporalio/client';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApi, type RunningApi } from '../src/api/server';
import { loadConfig } from '../src/config';
import { playDemo, type DemoResult } from '../src/dev/sandbox/demo';
import { sandboxEnv } from '../src/dev/sandbox/env';
import { startFakeAgntix, type FakeAgntix } from '../src/dev/sandbox/fakeAgntix';
import { scriptedTranscript } from '../src/dev/sandbox/script';
import { newSecret } from '../src/dev/signing';
import { createLogger } from '../src/logging';
import { runWorker, type RunningWorker } from '../src/worker/run';
import { historyBytes } from './helpers/histories';
import { startOutcomeReceiver } from './helpers/outcomeReceiver';
import { connectTestTemporal, testAddress, uniqueTaskQueue, type TestTemporal } from './helpers/temporal';
import { freePort } from './helpers/freePort';

/** What the sandbox's call says about its customer, and a line the customer says in it. */
const CUSTOMER = {
  phone: '+447700900412',
  name: 'Priya Raman',
  summary: 'The customer was driving and asked to be called back later today.',
  evidence: 'Could you ring me back on Thursday morning instead?',
  transcript: String(scriptedTranscript()[2]!.content),
};

const secretsIn = (bytes: Buffer) => Object.entries(CUSTOMER).filter(([, text]) => bytes.includes(text));

/**
 * "Done" for customer data, with a production configuration's defaults: the real API and worker, started from
 * loadConfig as their entry points start them, play the demo call with its follow-up through the sandbox; then no
 * plain phone number, name, summary, quoted evidence or transcript line is in any workflow history, the SQLite
 * store's files or the transcript archive, while the outcome webhook gets its documented share.
 */
describe('customer data under a production configuration', () => {
  let temporal: TestTemporal;
  let sandbox: FakeAgntix;
  let receiver: Awaited<ReturnType<typeof startOutcomeReceiver>>;
  let worker: RunningWorker;
  let api: RunningApi;
  let demo: DemoResult;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'privacy-'));

  beforeAll(async () => {
    temporal = await connectTestTemporal();
    const secret = newSecret();
    const outcomeSecret = newSecret();
    receiver = await startOutcomeReceiver(outcomeSecret);
    const port = await freePort();
    sandbox = await startFakeAgntix({
      webhooks: { url: `http://127.0.0.1:${port}/webhooks/agntix`, secret },
      callSeconds: 1,
    });
    const config = loadConfig(
      sandboxEnv(sandbox.url, {
        NODE_ENV: 'production',
        LOG_LEVEL: 'silent',
        PORT: String(port),
        TEMPORAL_ADDRESS: testAddress(),
        TEMPORAL_TASK_QUEUE: uniqueTaskQueue('privacy'),
        AGNTIX_WEBHOOK_SECRET: secret,
        PAYLOAD_ENCRYPTION_KEYS: process.env.TEST_PAYLOAD_ENCRYPTION_KEYS,
        OUTCOME_WEBHOOK_URL: receiver.url,
        OUTCOME_WEBHOOK_SECRET: outcomeSecret,
        DATA_DIR: dataDir,
        FOLLOWUP_MIN_DELAY_MINUTES: '0',
        FOLLOWUP_DEFAULT_DELAY_MINUTES: '0',
        SESSION_VOICE_TTL_SECONDS: '30',
      }),
    );
    const logger = createLogger('silent');
    worker = await runWorker(config, logger, {});
    api = await startApi(config, logger, {});
    demo = await playDemo({
      sandboxUrl: sandbox.url,
      client: temporal.client,
      uiUrl: 'http://ui',
      namespace: 'default',
      say: () => undefined,
      timeoutMs: 30_000,
    });
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await worker?.stop();
    await sandbox?.close();
    await receiver?.close();
    await temporal?.close();
  });

  it('keeps them out of every workflow history of the call and its follow-up', async () => {
    const plain = new Client({ connection: temporal.client.connection });
    for (const id of [demo.sessionId, demo.followUpId, demo.callSessionId]) {
      const bytes = historyBytes(await plain.workflow.getHandle(id).fetchHistory());
      expect(bytes.includes(id)).toBe(true);
      expect({ id, found: secretsIn(bytes) }).toEqual({ id, found: [] });
    }
  });

  it('keeps them out of the SQLite store, which holds ids, labels and the masked number', () => {
    const file = path.join(dataDir, 'outcomes.sqlite');
    const parts = [file, `${file}-wal`].filter(existsSync);
    expect(parts.length).toBeGreaterThan(0);
    for (const part of parts) expect({ part, found: secretsIn(readFileSync(part)) }).toEqual({ part, found: [] });
    expect(parts.some((part) => readFileSync(part).includes(demo.sessionId))).toBe(true);
  });

  it('keeps the transcripts encrypted at rest, the pages of an archive under way included', () => {
    const dir = path.join(dataDir, 'transcripts');
    const files = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
    expect(files).toEqual(expect.arrayContaining([`${demo.sessionId}.json`, `${demo.callSessionId}.json`]));
    for (const name of files) {
      expect({ name, found: secretsIn(readFileSync(path.join(dir, name))) }).toEqual({ name, found: [] });
    }
  });

  it('tells the outcome webhook the summary and a masked number, never the name or the evidence', () => {
    const completed = receiver.forSession(demo.sessionId).find((r) => r.type === 'session.completed')!.data;
    expect(completed).toMatchObject({ summary: CUSTOMER.summary, customerPhoneNumber: '+44•••••••412' });
    const told = Buffer.from(JSON.stringify([...receiver.recorded.values()]));
    expect(secretsIn(told).map(([what]) => what)).toEqual(['summary']);
  });
});
