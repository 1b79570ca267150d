import { ApplicationFailure } from '@temporalio/common';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAgntixClient } from '../../src/activities/agntix/client';
import { createCallsClient } from '../../src/activities/agntix/calls';
import { createOutcomeWebhookSink } from '../../src/activities/sinks/outcomeWebhook/sink';
import { createEscalationActivities } from '../../src/automations/activities/escalation';
import { ConfigError, loadConfig } from '../../src/config';
import type { OutcomeEvent } from '../../src/contracts';
import { newSecret } from '../../src/dev/signing';

const PHONE = '+447700900412';

/** A peer that answers what a test tells it to, and a second host that records whatever a redirect sends it. */
async function listen(app: express.Express): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('outbound calls', () => {
  const elsewhere: Array<{ path: string; apiKey?: string; body: string }> = [];
  let other: Awaited<ReturnType<typeof listen>>;
  let peer: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    const otherApp = express();
    otherApp.use(express.text({ type: '*/*' }), (req, res) => {
      elsewhere.push({ path: req.path, apiKey: req.header('x-api-key'), body: String(req.body ?? '') });
      res.json({ id: 'x', ticketId: 'T-1', sessionId: 'stolen' });
    });
    other = await listen(otherApp);
    const app = express();
    app.all('/moved/{*rest}', (_req, res) => void res.redirect(307, `${other.url}/landed`));
    app.get('/huge/:id', (_req, res) => void res.type('json').send(`{"id":"${'x'.repeat(5 * 1024 * 1024)}"}`));
    app.post('/fail/calls/start', (_req, res) => {
      res.status(500).json({
        error: { code: 'GENERIC_ERROR', message: `could not dial ${PHONE}`, requestId: 'req_77' },
        detail: `to_phone_number=${PHONE}`,
      });
    });
    peer = await listen(app);
  });
  afterAll(async () => {
    await peer.close();
    await other.close();
  });
  beforeEach(() => (elsewhere.length = 0));

  const failureOf = async (run: () => Promise<unknown>) => {
    const err: unknown = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  };

  it('never carries x-api-key through a redirect of the Agntix API', async () => {
    const client = createAgntixClient({
      baseUrl: peer.url,
      apiKey: 'pk_secret_key',
      paths: { session: '/moved/{id}', messages: '/moved/{id}/m', sessions: '/sessions' },
      timeoutMs: 2000,
    });
    const failure = await failureOf(() => client.getSession('s1'));
    expect(failure).toMatchObject({
      nonRetryable: true,
      message: 'Agntix API (GET /moved/s1) answered 307 (a redirect, not followed)',
    });
    expect(elsewhere).toEqual([]);
  });

  it('never resends a signed outcome through a redirect of the receiver', async () => {
    const sink = createOutcomeWebhookSink(`${peer.url}/moved/outcomes`, newSecret(), 2000);
    const event = { idempotencyKey: 's:completed', kind: 'completed', sessionId: 's' } as OutcomeEvent;
    const failure = await failureOf(() => sink.record(event));
    expect(failure).toMatchObject({
      nonRetryable: true,
      message: 'outcome webhook answered 307 (a redirect, not followed)',
    });
    expect(elsewhere).toEqual([]);
  });

  it('treats a redirect of calls/start as a refusal (never redialled, never followed)', async () => {
    const calls = createCallsClient({
      baseUrl: peer.url,
      apiKey: 'k',
      path: '/moved/{id}/calls/start',
      timeoutMs: 2000,
    });
    const request = { phoneNumberId: 'pn', to: PHONE, agentId: 'a', ttlSeconds: 30, sessionVariables: {} };
    const failure = await failureOf(() => calls.startCall(request));
    expect(failure).toMatchObject({ type: 'CallRejected', nonRetryable: true });
    expect(elsewhere).toEqual([]);
  });

  it('names only the status, the error code and the request id of a failed calls/start, never its text', async () => {
    const calls = createCallsClient({ baseUrl: peer.url, apiKey: 'k', path: '/{id}/calls/start', timeoutMs: 2000 });
    const request = { phoneNumberId: 'fail', to: PHONE, agentId: 'a', ttlSeconds: 30, sessionVariables: {} };
    const failure = await failureOf(() => calls.startCall(request));
    expect(failure.type).toBe('CallOutcomeUnknown');
    expect(failure.message).toBe('calls/start answered 500 (GENERIC_ERROR, requestId req_77)');
  });

  it('reads at most a bounded answer from the Agntix API', async () => {
    const client = createAgntixClient({
      baseUrl: peer.url,
      apiKey: 'k',
      paths: { session: '/huge/{id}', messages: '/huge/{id}/m', sessions: '/sessions' },
      timeoutMs: 5000,
    });
    const failure = await failureOf(() => client.getSession('s1'));
    expect(failure).toMatchObject({ nonRetryable: true, type: 'AgntixUnexpectedResponse' });
    expect(failure.message).toMatch(/answered more than 4194304 bytes/);
  });

  it('refuses a redirect of the engineers’ human queue too', async () => {
    const config = { ESCALATION_QUEUE_URL: `${peer.url}/moved/tickets`, ESCALATION_TIMEOUT_MS: 2000 };
    const { openEscalationTicket } = createEscalationActivities(config, { transcripts: undefined!, sinks: [] });
    const context = { sessionId: 's', ended: {}, correlation: {} } as Parameters<typeof openEscalationTicket>[0];
    const failure = await failureOf(() => openEscalationTicket(context, 'high'));
    expect(failure.message).toBe('the human queue answered 307 (a redirect, not followed)');
    expect(elsewhere).toEqual([]);
  });
});

describe('https in production', () => {
  const production = { NODE_ENV: 'production', AGNTIX_WEBHOOK_SECRET: newSecret(), PAYLOAD_ENCRYPTION: 'off' };

  it.each([
    ['AGNTIX_API_URL', { AGNTIX_API_URL: 'http://api.agntix.ai' }],
    ['OUTCOME_WEBHOOK_URL', { OUTCOME_WEBHOOK_URL: 'http://crm.example/hook', OUTCOME_WEBHOOK_SECRET: newSecret() }],
    ['ESCALATION_QUEUE_URL', { ESCALATION_QUEUE_URL: 'http://helpdesk.example/tickets' }],
  ])('stops start-up on a plain-http %s, naming it', (variable, env) => {
    const run = () => loadConfig({ ...production, ...env });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(`Invalid configuration: ${variable} must be an https URL when NODE_ENV=production`);
  });

  it('accepts https everywhere in production, and http in development', () => {
    expect(() =>
      loadConfig({
        ...production,
        OUTCOME_WEBHOOK_URL: 'https://crm.example/hook',
        OUTCOME_WEBHOOK_SECRET: newSecret(),
      }),
    ).not.toThrow();
    expect(loadConfig({ AGNTIX_API_URL: 'http://127.0.0.1:3100' }).AGNTIX_API_URL).toBe('http://127.0.0.1:3100');
  });
});
