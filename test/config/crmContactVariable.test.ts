import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalTranscriptStore } from '../../src/activities/agntix/transcripts';
import { createSqliteSink } from '../../src/activities/sinks/store/sqliteStore';
import { runForget } from '../../src/bin/forget';
import { loadConfig } from '../../src/config';
import { sharingPolicyFrom } from '../../src/config/policies';
import { searchIndexFrom } from '../../src/config/privacy';
import { SearchAttributes, type SessionResult } from '../../src/contracts';
import { freshSession } from '../../src/dev/examples';
import { startFakeAgntix } from '../../src/dev/sandbox/fakeAgntix';
import { startFakeHubSpot } from '../../src/dev/sandbox/fakeHubspot';
import { newSecret, post, sign } from '../../src/dev/signing';
import { agntixClientsFor } from '../helpers/agntixClients';
import { startTestApi } from '../helpers/api';
import { crmView, hubspotSinkFor } from '../helpers/hubspot';
import { testPolicy } from '../helpers/policy';
import { bundleWorkflows, connectTestTemporal, testKeyRing, uniqueTaskQueue } from '../helpers/temporal';
import { createTestWorker } from '../helpers/worker';

const API_KEY = 'pk_test_crm_variable';

/**
 * CRM_CONTACT_VARIABLE renamed, and a session whose variables carry the customer's HubSpot record id under that name
 * and a decoy under the default one: the ingest indexes, HubSpot files the call under, the store keeps and
 * `npm run forget --crm-contact` erases by the renamed variable's value, each from the one setting.
 */
test('reads the CRM id from the variable CRM_CONTACT_VARIABLE names, from the webhook to erasure', async () => {
  const env = { CRM_CONTACT_VARIABLE: 'customerRef' };
  const config = loadConfig(env);
  const index = searchIndexFrom(config);
  const temporal = await connectTestTemporal();
  const secret = newSecret();
  const taskQueue = uniqueTaskQueue('crm-variable');
  const api = await startTestApi(temporal.client, taskQueue, [secret], { searchIndex: index.policy });
  const agntix = await startFakeAgntix({ apiKey: API_KEY });
  const hub = await startFakeHubSpot();
  const sqlite = createSqliteSink(path.join(mkdtempSync(path.join(tmpdir(), 'crm-variable-')), 'outcomes.sqlite'));
  try {
    const sinks = [sqlite, await hubspotSinkFor(hub, env)];
    const transcripts = createLocalTranscriptStore(mkdtempSync(path.join(tmpdir(), 'crm-transcripts-')), testKeyRing());
    const customer = hub.store.create('contacts', { firstname: 'Priya' });
    const worker = await createTestWorker(temporal, taskQueue, await bundleWorkflows(), {
      ...agntixClientsFor(agntix.url, API_KEY),
      sinks,
      transcripts,
      policy: {
        ...testPolicy,
        sinks: sinks.map((s) => s.name),
        sharing: sharingPolicyFrom(config),
        searchIndex: index.policy,
      },
    });

    const sessionId = randomUUID();
    agntix.sessions.set(sessionId, { messages: [] });
    const variables = { customerRef: customer.id, crmContactId: 'CRM-decoy', taskId: 'TASK-1' };
    for (const name of ['session-created.voice-outbound.json', 'session-ended.voice-callback-requested.json']) {
      const event = freshSession(name, sessionId) as { metadata: Record<string, unknown> };
      event.metadata = { ...event.metadata, sessionVariables: variables };
      expect((await post(`${api.url}/webhooks/agntix`, sign(secret, event))).status).toBe(200);
    }
    const handle = temporal.client.workflow.getHandle(sessionId);
    const result = (await worker.runUntil(handle.result())) as SessionResult;
    expect(result.failures).toEqual([]);

    expect((await handle.describe()).typedSearchAttributes.get(SearchAttributes.crmContactId)).toBe(customer.id);
    // Found by its id, not by the phone number it does not hold: no second contact was created for the call.
    const view = crmView(hub);
    const [call] = view.callsOf(sessionId);
    expect(view.contactsOf('calls', call!.id)).toEqual([customer.id]);
    expect(hub.all('contacts')).toHaveLength(1);

    const lines: string[] = [];
    const forgetDeps = { client: temporal.client, sinks, transcripts, crmContactVariable: config.CRM_CONTACT_VARIABLE };
    expect(await runForget(['--crm-contact', customer.id], forgetDeps, (line) => lines.push(line))).toBe(0);
    expect(lines).toEqual(
      expect.arrayContaining([
        `  workflow history  sessionWorkflow ${sessionId} (was completed)`,
        expect.stringMatching(/^ {2}stored rows {7}\d+ in sqlite$/),
      ]),
    );
    const rows = sqlite.db.prepare('SELECT count(*) AS n FROM session_events WHERE session_id = ?').get(sessionId);
    expect(rows).toEqual({ n: 0 });
  } finally {
    sqlite.db.close();
    await hub.close();
    await agntix.close();
    await api.close();
    await temporal.close();
  }
}, 60_000);
