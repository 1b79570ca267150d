import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createOutcomeWebhookSink } from '../../../src/activities/sinks/outcomeWebhook/sink';
import type { ExternalSystem } from '../../../src/activities/sinks/system';
import type { SessionResult } from '../../../src/contracts';
import { freshSession } from '../../../src/dev/examples';
import { startFakeAgntix } from '../../../src/dev/sandbox/fakeAgntix';
import { scriptedTranscript } from '../../../src/dev/sandbox/script';
import { createLogger } from '../../../src/logging';
import { activityDepsFrom } from '../../../src/worker/deps';
import { startOutcomeReceiver } from '../../helpers/outcomeReceiver';
import { createTestWorker } from '../../helpers/worker';
import { Pool } from 'pg';
import type { TranscriptMessage } from '../../../src/activities/agntix/client';
import { createTranscriptLinkIssuer, withTranscriptLinks } from '../../../src/activities/sinks/transcriptLinks';
import type { OutcomeSink } from '../../../src/activities/sinks/types';
import { runForget } from '../../../src/bin/forget';
import { ESCALATION_QUEUE } from '../../../src/automations/activities/escalation';
import { transcriptLinkFor } from '../../../src/automations/core';
import type { ExternalEvent, OutcomeEvent } from '../../../src/contracts';
import { loadConfig } from '../../../src/config';
import { sharingPolicyFrom } from '../../../src/config/policies';
import { hubspotSystem } from '../../../src/activities/sinks/hubspot/system';
import { outcomeWebhookSystem } from '../../../src/activities/sinks/outcomeWebhook/system';
import { migrate } from '../../../src/store/migrate';
import { createPostgresLinkKeys } from '../../../src/store/postgresLinkKeys';
import { createPostgresTranscriptStore } from '../../../src/store/postgresTranscripts';
import { readerCredential, type TranscriptLinkSettings } from '../../../src/store/transcriptLinks';
import { shareWith } from '../../../src/workflows/sharing';
import { startTestApi, type TestApi } from '../../helpers/api';
import { runDocumented } from '../../helpers/documentedCommands';
import { postgresForTest } from '../../helpers/postgres';
import { bundleWorkflows, connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../../helpers/temporal';
import { newSecret, post, sign } from '../../../src/dev/signing';

const messages: TranscriptMessage[] = [
  { id: 'msg_0', role: 'assistant', content: 'Hello Priya' },
  { id: 'msg_1', role: 'user', content: 'Call me back on +447700900412' },
];
const secret = 'link-secret-'.padEnd(48, 'x');

/**
 * Transcript links scoped to one system and revocable, served by the real API from a real PostgreSQL: a link names
 * the system it was issued to and is served only to that system's credential; it is refused after expiry, after
 * erasure (`npm run forget`) and after `npm run transcript-link -- --revoke`; only systems allowed transcripts get
 * one; and the operator command issues a fresh one, run as the docs write it.
 */
describe('transcript links', () => {
  let database: { url: string; stop(): Promise<void> };
  let pool: Pool;
  let temporal: TestTemporal;
  let api: TestApi;
  let links: TranscriptLinkSettings;
  let env: NodeJS.ProcessEnv;
  const taskQueue = uniqueTaskQueue('links');
  const webhookSecret = newSecret();

  beforeAll(async () => {
    database = await postgresForTest('transcript_links');
    pool = new Pool({ connectionString: database.url });
    await migrate(pool);
    temporal = await connectTestTemporal();
    api = await startTestApi(temporal.client, taskQueue, [webhookSecret], {
      transcripts: {
        transcripts: createPostgresTranscriptStore(pool, { baseUrl: 'http://unused.test' }),
        linkKeys: createPostgresLinkKeys(pool),
        linkSecret: secret,
      },
    });
    links = { baseUrl: `${api.url}/`, secret, ttlSeconds: 600 };
    env = { ...process.env, DATABASE_URL: database.url, TRANSCRIPT_LINK_SECRET: secret, PUBLIC_BASE_URL: api.url };
  });
  afterAll(async () => {
    await api?.close();
    await temporal?.close();
    await pool?.end();
    await database?.stop();
  });

  const store = () => createPostgresTranscriptStore(pool, links);
  const issuer = (now?: () => number) => createTranscriptLinkIssuer(links, createPostgresLinkKeys(pool), now);
  /** A transcript archived as the worker does, and the link one system is sent for it. */
  const archived = async (system = 'hubspot', now?: () => number) => {
    const sessionId = randomUUID();
    const ref = await store().put(sessionId, messages);
    return { sessionId, ref, link: await issuer(now).linkFor(ref, system) };
  };
  const bearer = (system: string) => ({ authorization: `Bearer ${readerCredential(secret, system)}` });
  const fetchAs = async (url: string, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
  };

  it('keeps no credential in the reference a history or the store holds; the link names its system', async () => {
    const { sessionId, ref, link } = await archived();
    expect(ref).toBe(`${api.url}/transcripts/${sessionId}`);
    expect(link).toMatch(new RegExp(`^${api.url}/transcripts/${sessionId}\\?system=hubspot&expires=\\d+&sig=[\\w-]+$`));
  });

  it('serves the transcript to the system it was issued to: a program (Bearer) or a person in a browser (Basic)', async () => {
    const { sessionId, link } = await archived();
    const byProgram = await fetchAs(link, bearer('hubspot'));
    expect(byProgram).toMatchObject({ status: 200, body: { sessionId, messages } });
    expect(byProgram.headers.get('cache-control')).toBe('private, no-store');
    const basic = Buffer.from(`hubspot:${readerCredential(secret, 'hubspot')}`).toString('base64');
    expect(await fetchAs(link, { authorization: `Basic ${basic}` })).toMatchObject({ status: 200 });
  });

  it('asks for the credential when none is presented: the link alone opens nothing', async () => {
    const { link } = await archived();
    const res = await fetchAs(link);
    expect(res).toMatchObject({ status: 401, body: { error: 'credential_required' } });
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="transcripts for hubspot", charset="UTF-8"');
  });

  it("refuses a link issued to one system with another system's credential", async () => {
    const { link } = await archived('hubspot');
    expect(await fetchAs(link, bearer('outcome-webhook'))).toMatchObject({
      status: 403,
      body: { error: 'not_this_system' },
    });
  });

  it('refuses a link re-addressed to another system, even with that system’s credential', async () => {
    const { link } = await archived('hubspot');
    const readdressed = link.replace('system=hubspot', 'system=outcome-webhook');
    expect(await fetchAs(readdressed, bearer('outcome-webhook'))).toMatchObject({
      status: 403,
      body: { error: 'invalid_signature' },
    });
  });

  it("refuses one session's signature on another session", async () => {
    const { link } = await archived();
    const other = await archived();
    const swapped = link.replace(/\/transcripts\/[^?]+/, `/transcripts/${other.sessionId}`);
    expect(await fetchAs(swapped, bearer('hubspot'))).toMatchObject({
      status: 403,
      body: { error: 'invalid_signature' },
    });
  });

  it('refuses a link past its expiry', async () => {
    const { link } = await archived('hubspot', () => Date.now() - 601_000);
    expect(await fetchAs(link, bearer('hubspot'))).toMatchObject({ status: 403, body: { error: 'link_expired' } });
  });

  it('refuses every link of a session after npm run forget', async () => {
    const { sessionId, link } = await archived();
    const webhookLink = await issuer().linkFor(`${api.url}/transcripts/${sessionId}`, 'outcome-webhook');
    const lines: string[] = [];
    const deps = { client: temporal.client, sinks: [], transcripts: store(), crmContactVariable: 'crmContactId' };
    expect(await runForget(['--session', sessionId], deps, (l) => lines.push(l))).toBe(0);
    expect(lines).toContain(`  transcript        ${sessionId}`);
    expect(await fetchAs(link, bearer('hubspot'))).toMatchObject({ status: 403, body: { error: 'link_revoked' } });
    expect(await fetchAs(webhookLink, bearer('outcome-webhook'))).toMatchObject({
      status: 403,
      body: { error: 'link_revoked' },
    });
  });

  it('sends a link only to the systems allowed transcripts, each its own', async () => {
    const { sessionId, ref } = await archived();
    const event = {
      kind: 'completed',
      idempotencyKey: `${sessionId}:completed`,
      sessionId,
      correlation: {},
      transcript: { ref, messages: 2, pages: 1 },
    } as unknown as OutcomeEvent;
    // A registry whose webhook declares no transcripts: the declarations set who is sent one.
    const systems = [
      hubspotSystem,
      { ...outcomeWebhookSystem, receives: { ...outcomeWebhookSystem.receives, transcript: false } },
    ];
    const policy = sharingPolicyFrom(loadConfig({}), systems);
    const received = new Map<string, ExternalEvent>();
    const recorder = (name: string): OutcomeSink => ({
      name,
      record: (e) => Promise.resolve(void received.set(name, e)),
    });
    for (const name of ['hubspot', 'outcome-webhook']) {
      await withTranscriptLinks(recorder(name), issuer()).record(shareWith(name, event, policy));
    }
    const refOf = (name: string) => (received.get(name) as OutcomeEvent).transcript?.ref;
    expect(refOf('hubspot')).toMatch(/\?system=hubspot&/);
    expect(refOf('outcome-webhook')).toBeUndefined();
    expect(await fetchAs(refOf('hubspot')!, bearer('hubspot'))).toMatchObject({ status: 200 });
  });

  it("gives your own activities a link only your system is served (the escalation example's queue)", async () => {
    const { ref } = await archived();
    const link = await transcriptLinkFor({ transcriptLinks: issuer() }, ref, ESCALATION_QUEUE);
    expect(await fetchAs(link, bearer(ESCALATION_QUEUE))).toMatchObject({ status: 200 });
    expect(await fetchAs(link, bearer('hubspot'))).toMatchObject({ status: 403, body: { error: 'not_this_system' } });
    expect(await transcriptLinkFor({}, ref, ESCALATION_QUEUE)).toBe(ref);
  });

  it('a real session through the worker: the system allowed transcripts is sent its own link, the other none', async () => {
    const agntix = await startFakeAgntix({ apiKey: 'pk_test_links' });
    const receiverSecret = newSecret();
    const [ticketing, dialer] = [
      await startOutcomeReceiver(receiverSecret),
      await startOutcomeReceiver(receiverSecret),
    ];
    const config = loadConfig({
      AGNTIX_API_KEY: 'pk_test_links',
      AGNTIX_API_URL: agntix.url,
      DATABASE_URL: database.url,
      TRANSCRIPT_LINK_SECRET: secret,
      PUBLIC_BASE_URL: api.url,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'links-')),
    });
    const systemAt = (name: string, url: string, transcript: boolean): ExternalSystem => ({
      name,
      sinkNames: [name],
      settings: [],
      receives: { phone: false, summary: false, transcript },
      configured: () => true,
      build: () => [{ ...createOutcomeWebhookSink(url, receiverSecret, 5000), name }],
    });
    const deps = activityDepsFrom(config, createLogger('silent'), [
      systemAt('ticketing', ticketing.url, false),
      systemAt('dialer', dialer.url, true),
    ]);
    try {
      const worker = await createTestWorker(temporal, taskQueue, await bundleWorkflows(), deps);
      const sessionId = randomUUID();
      agntix.sessions.set(sessionId, { messages: scriptedTranscript() });
      for (const name of ['session-created.voice-outbound.json', 'session-ended.voice-callback-requested.json']) {
        const res = await post(`${api.url}/webhooks/agntix`, sign(webhookSecret, freshSession(name, sessionId)));
        expect(res.status).toBe(200);
      }
      const result = (await worker.runUntil(temporal.client.workflow.getHandle(sessionId).result())) as SessionResult;
      expect(result.transcript?.ref).toBe(`${api.url}/transcripts/${sessionId}`);
      const sent = (receiver: typeof dialer) =>
        receiver.forSession(sessionId).find((r) => r.type === 'session.completed')?.data.transcript as
          { ref: string } | undefined;
      expect(sent(ticketing)).toBeUndefined();
      const link = sent(dialer)!.ref;
      expect(link).toMatch(/\?system=dialer&/);
      const served = await fetchAs(link, bearer('dialer'));
      expect(served.status).toBe(200);
      expect(served.body.messages).toHaveLength(scriptedTranscript().length);
      expect(await fetchAs(link, bearer('ticketing'))).toMatchObject({ status: 403 });
    } finally {
      await deps.close();
      await agntix.close();
      await ticketing.close();
      await dialer.close();
    }
  }, 60_000);

  it('npm run transcript-link issues a fresh link to an allowed system, refuses others, and revokes', async () => {
    const sessionId = randomUUID();
    await store().put(sessionId, messages);
    const issued = await runDocumented(
      'npm run transcript-link -- --session <session id> --system <system>',
      { '<session id>': sessionId, '<system>': 'hubspot' },
      env,
    );
    expect(issued.code).toBe(0);
    const link = /^ {2}(http\S+)$/m.exec(issued.text)?.[1];
    const credential = /^ {2}Authorization: Bearer (\S+)$/m.exec(issued.text)?.[1];
    expect(link).toMatch(/\?system=hubspot&/);
    expect(issued.text).toMatch(/valid until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(TRANSCRIPT_LINK_TTL_SECONDS\)/);
    expect(await fetchAs(link!, { authorization: `Bearer ${credential}` })).toMatchObject({ status: 200 });

    const store_ = await runDocumented(
      'npm run transcript-link -- --session <session id> --system <system>',
      { '<session id>': sessionId, '<system>': 'sqlite' },
      env,
    );
    expect(store_).toMatchObject({ code: 1 });
    expect(store_.text).toContain(
      'sqlite is not sent transcripts; the systems that are: outcome-webhook, hubspot, escalation-queue.',
    );

    const revoked = await runDocumented(
      'npm run transcript-link -- --session <session id> --revoke',
      { '<session id>': sessionId },
      env,
    );
    expect(revoked.code).toBe(0);
    expect(revoked.text).toContain(`Revoked every transcript link of ${sessionId}`);
    expect(await fetchAs(link!, { authorization: `Bearer ${credential}` })).toMatchObject({
      status: 403,
      body: { error: 'link_revoked' },
    });
  }, 60_000);
});
