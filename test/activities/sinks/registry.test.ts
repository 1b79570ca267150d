import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createOutcomeWebhookSink } from '../../../src/activities/sinks/outcomeWebhook/sink';
import type { ExternalSystem, Receives } from '../../../src/activities/sinks/system';
import { loadConfig } from '../../../src/config';
import type { SessionResult } from '../../../src/contracts';
import { freshSession } from '../../../src/dev/examples';
import { startFakeAgntix } from '../../../src/dev/sandbox/fakeAgntix';
import { scriptedTranscript } from '../../../src/dev/sandbox/script';
import { newSecret, post, sign } from '../../../src/dev/signing';
import { createLogger } from '../../../src/logging';
import { activityDepsFrom } from '../../../src/worker/deps';
import { startTestApi } from '../../helpers/api';
import { startOutcomeReceiver } from '../../helpers/outcomeReceiver';
import { bundleWorkflows, connectTestTemporal, uniqueTaskQueue } from '../../helpers/temporal';
import { createTestWorker } from '../../helpers/worker';

const API_KEY = 'pk_test_registry';
const PHONE = '+447700900412';

/**
 * A system another team would add: its own folder, its own receiver over HTTP (here the Standard Webhooks transport
 * the outcome webhook uses, under the system's own name), and one declaration of what it may receive.
 */
function systemAt(name: string, url: string, secret: string, receives: Receives): ExternalSystem {
  return {
    name,
    sinkNames: [name],
    settings: [], // a system's variables join src/config; this one is handed its address by the test
    receives,
    configured: () => true,
    build: () => [{ ...createOutcomeWebhookSink(url, secret, 5000), name }],
  };
}

/**
 * Two systems added through the registry alone (the list activityDepsFrom reads), declared differently, and one real
 * session through the ingest API and the worker: each receives the outcome with the sharing its declaration implies,
 * with no setting and no name written anywhere else.
 */
test('a system added through the registry alone receives what its declaration allows, and no more', async () => {
  const temporal = await connectTestTemporal();
  const secret = newSecret();
  const taskQueue = uniqueTaskQueue('registry');
  const api = await startTestApi(temporal.client, taskQueue, [secret]);
  const agntix = await startFakeAgntix({ apiKey: API_KEY });
  const receiverSecret = newSecret();
  const [ticketing, dialer] = [await startOutcomeReceiver(receiverSecret), await startOutcomeReceiver(receiverSecret)];
  const config = loadConfig({
    AGNTIX_API_KEY: API_KEY,
    AGNTIX_API_URL: agntix.url,
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'registry-')),
    OUTCOME_SQLITE_PATH: 'off',
  });
  const deps = activityDepsFrom(config, createLogger('silent'), [
    systemAt('ticketing', ticketing.url, receiverSecret, { phone: false, summary: false, transcript: false }),
    systemAt('dialer', dialer.url, receiverSecret, { phone: true, summary: true, transcript: true }),
  ]);
  try {
    const worker = await createTestWorker(temporal, taskQueue, await bundleWorkflows(), deps);
    const sessionId = randomUUID();
    agntix.sessions.set(sessionId, { messages: scriptedTranscript() });
    for (const name of ['session-created.voice-outbound.json', 'session-ended.voice-callback-requested.json']) {
      expect((await post(`${api.url}/webhooks/agntix`, sign(secret, freshSession(name, sessionId)))).status).toBe(200);
    }
    const handle = temporal.client.workflow.getHandle(sessionId);
    const result = (await worker.runUntil(handle.result())) as SessionResult;
    expect(result).toMatchObject({ phase: 'done', outcome: 'Unavailable' });

    const completed = (receiver: typeof ticketing) =>
      receiver.forSession(sessionId).find((r) => r.type === 'session.completed')?.data;
    const [toTicketing, toDialer] = [completed(ticketing), completed(dialer)];
    expect(toTicketing).toMatchObject({ customerPhoneNumber: '+44•••••••412' });
    expect(toTicketing).not.toHaveProperty('summary');
    expect(toTicketing).not.toHaveProperty('transcript');
    expect(JSON.stringify(toTicketing)).not.toContain(PHONE);
    expect(toDialer).toMatchObject({
      customerPhoneNumber: PHONE,
      summary: expect.any(String) as unknown,
      transcript: expect.objectContaining({ messages: scriptedTranscript().length }) as unknown,
    });
  } finally {
    await deps.close();
    await api.close();
    await agntix.close();
    await ticketing.close();
    await dialer.close();
    await temporal.close();
  }
}, 60_000);
