import { Client, Connection } from '@temporalio/client';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { SearchAttributes, statusQuery } from '../../src/contracts';
import type { sessionWorkflow } from '../../src/workflows';
import { startTestApi, type TestApi } from '../helpers/api';
import { captureLogs } from '../helpers/logs';
import { incompletePost, rawExchange } from '../helpers/rawHttp';
import { startTcpProxy } from '../helpers/tcpProxy';
import { createTestWorker } from '../helpers/worker';
import { bundleWorkflows, connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { freshSession } from '../../src/dev/examples';
import { newSecret, post, sign } from '../../src/dev/signing';
import { waitFor } from '../helpers/wait';
import { signBytes } from '../helpers/rawSigning';
import { Webhook } from 'svix';

/** The API's own count of deliveries with an outcome, read from its /metrics as Prometheus would. */
async function deliveriesCounted(apiUrl: string, outcome: string): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const lines = text
    .split('\n')
    .filter((l) => l.startsWith('agntix_webhook_deliveries_total') && l.includes(`outcome="${outcome}"`));
  return lines.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** Sends the headers and half the body, then drops the connection, as a client that gives up midway does. */
function abortMidway(url: string, headers: Record<string, string>, body: string): Promise<void> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname, () => {
      const head = Object.entries({ ...headers, 'content-length': String(body.length), host: hostname })
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n');
      socket.write(`POST ${pathname} HTTP/1.1\r\n${head}\r\n\r\n${body.slice(0, body.length / 2)}`);
      setTimeout(() => socket.destroy(), 50);
    });
    socket.on('close', () => resolve());
  });
}

const CREATED = 'session-created.voice-outbound.json';
const ENDED = 'session-ended.voice-callback-requested.json';

describe('POST /webhooks/agntix', () => {
  const secret = newSecret();
  let temporal: TestTemporal;
  let bundle: WorkflowBundleWithSourceMap;
  let taskQueue: string;
  let api: TestApi;
  let hook: string;
  let logs: ReturnType<typeof captureLogs>;

  beforeAll(async () => {
    temporal = await connectTestTemporal();
    bundle = await bundleWorkflows();
  });
  afterAll(() => temporal.close());

  beforeEach(async () => {
    taskQueue = uniqueTaskQueue('ingest');
    logs = captureLogs();
    api = await startTestApi(temporal.client, taskQueue, [secret], { logger: logs.logger });
    hook = `${api.url}/webhooks/agntix`;
  });
  afterEach(() => api.close());

  async function withWorker<T>(fn: (worker: Worker) => Promise<T>): Promise<T> {
    const worker = await createTestWorker(temporal, taskQueue, bundle);
    return worker.runUntil(() => fn(worker));
  }

  describe('verification (each case changes one thing from a genuine delivery)', () => {
    const payload = () => freshSession(CREATED);

    it('accepts a genuine delivery and starts the session workflow', async () => {
      const event = payload();
      const res = await post(hook, sign(secret, event));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'started', workflowId: event.id });
      const description = await temporal.client.workflow.getHandle(event.id as string).describe();
      expect(description.type).toBe('sessionWorkflow');
      expect(description.taskQueue).toBe(taskQueue);
    });

    it('rejects a delivery without a signature', async () => {
      const delivery = sign(secret, payload());
      delete delivery.headers['svix-signature'];
      expect((await post(hook, delivery)).status).toBe(401);
    });

    it('rejects a delivery signed with another secret', async () => {
      expect((await post(hook, sign(newSecret(), payload()))).status).toBe(401);
    });

    it('rejects a tampered body', async () => {
      const delivery = sign(secret, payload());
      delivery.body = delivery.body.replace('OUTBOUND', 'INBOUND');
      expect((await post(hook, delivery)).status).toBe(401);
    });

    it.each([
      ['6 minutes old', -6],
      ['6 minutes ahead', +6],
    ])('rejects a timestamp %s', async (_label, minutes) => {
      const event = payload();
      const res = await post(hook, sign(secret, event, { timestamp: new Date(Date.now() + minutes * 60_000) }));
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_signature');
      await expect(temporal.client.workflow.getHandle(event.id as string).describe()).rejects.toThrow(/not found/i);
    });

    it('accepts the webhook-* header names', async () => {
      const delivery = sign(secret, payload());
      for (const name of ['id', 'timestamp', 'signature']) {
        delivery.headers[`webhook-${name}`] = delivery.headers[`svix-${name}`]!;
        delete delivery.headers[`svix-${name}`];
      }
      expect((await post(hook, delivery)).status).toBe(200);
    });

    it('accepts a delivery signed with any secret of a rotated list', async () => {
      const oldSecret = newSecret();
      const rotated = await startTestApi(temporal.client, taskQueue, [oldSecret, secret]);
      try {
        const url = `${rotated.url}/webhooks/agntix`;
        expect((await post(url, sign(secret, payload()))).status).toBe(200);
        expect((await post(url, sign(oldSecret, payload()))).status).toBe(200);
        expect((await post(url, sign(newSecret(), payload()))).status).toBe(401);
      } finally {
        await rotated.close();
      }
    });
  });

  describe('a client cannot tie up the API', () => {
    const fresh = () => sign(secret, freshSession(CREATED)).headers;

    it.each([
      ['a stale timestamp', { ...fresh(), 'svix-timestamp': String(Math.floor(Date.now() / 1000) - 360) }],
      ['a timestamp 6 minutes ahead', { ...fresh(), 'svix-timestamp': String(Math.floor(Date.now() / 1000) + 360) }],
      ['no signature header', { 'content-type': 'application/json', 'svix-id': 'msg_1', 'svix-timestamp': '1' }],
    ])('answers a delivery with %s 401 at once, without waiting for its body', async (_label, headers) => {
      const { answer, ms } = await rawExchange(hook, incompletePost(hook, headers, 60_000), 3000);
      expect(answer).toMatch(/^HTTP\/1\.1 401 /);
      expect(ms).toBeLessThan(1000);
    });

    it('waits for the body of a delivery whose headers could verify (the control for the case above)', async () => {
      const { answer } = await rawExchange(hook, incompletePost(hook, fresh(), 60_000), 500);
      expect(answer).toBe('no answer');
    });

    it('cuts off a request whose body never completes at the request timeout', async () => {
      const strict = await startTestApi(temporal.client, taskQueue, [secret], {
        http: { headersTimeoutMs: 300, requestTimeoutMs: 600 },
      });
      try {
        const url = `${strict.url}/webhooks/agntix`;
        const { answer, ms } = await rawExchange(url, incompletePost(url, fresh(), 60_000), 5000);
        expect(answer).toMatch(/^HTTP\/1\.1 408 |^closed$/);
        expect(ms).toBeLessThan(2500);
      } finally {
        await strict.close();
      }
    });

    it('drops connections past the cap while every one is busy, and serves again once one closes', async () => {
      const capped = await startTestApi(temporal.client, taskQueue, [secret], { connections: { maxConnections: 2 } });
      // Busy: a signed delivery whose body is still arriving. Idle ones would give way (connectionBudget.ts).
      const headers = fresh();
      const busy = await Promise.all(
        [1, 2].map(
          () =>
            new Promise<net.Socket>((resolve) => {
              const socket = net.connect(Number(new URL(capped.url).port), '127.0.0.1', () => {
                socket.write(incompletePost(`${capped.url}/webhooks/agntix`, headers, 1000));
                resolve(socket);
              });
              socket.on('error', () => undefined);
            }),
        ),
      );
      try {
        await new Promise((resolve) => setTimeout(resolve, 100)); // both heads read: the server counts them busy
        const third = await rawExchange(capped.url, 'GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n', 2000);
        expect(third.answer).toBe('closed');
        busy[0]!.destroy();
        await waitFor(
          async () =>
            (await fetch(`${capped.url}/healthz`).then(
              (r) => r.status,
              () => 0,
            )) === 200,
          'a free slot',
        );
      } finally {
        for (const socket of busy) socket.destroy();
        await capped.close();
      }
    });
  });

  describe('bad input', () => {
    it('answers 400 naming the field when a signed body fails the schema', async () => {
      const event = { ...freshSession(CREATED), direction: 'SIDEWAYS' };
      const res = await post(hook, sign(secret, event));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_payload', field: 'direction' });
    });

    it('answers 400 for a signed body that is not JSON', async () => {
      const res = await post(hook, sign(secret, undefined, { body: 'not json {' }));
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_json');
    });

    it('answers 400 for a body signed over bytes that are not UTF-8, and 401 for those bytes under their decoded text', async () => {
      const event = freshSession(CREATED);
      const [before, after] = JSON.stringify(event).split('"OUTBOUND"');
      const raw = Buffer.concat([Buffer.from(`${before}"OUT`), Buffer.from([0xff]), Buffer.from(`BOUND"${after}`)]);
      const at = new Date();
      const send = async (signature: (id: string) => string) => {
        const headers = { 'content-type': 'application/json', 'svix-id': `msg_${randomUUID()}` };
        const timestamp = { 'svix-timestamp': String(Math.floor(at.getTime() / 1000)) };
        const all = { ...headers, ...timestamp, 'svix-signature': signature(headers['svix-id']) };
        const res = await fetch(hook, { method: 'POST', headers: all, body: raw });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };

      const bytesSigned = await send((id) => signBytes(secret, id, at, raw));
      expect(bytesSigned).toEqual({ status: 400, body: { error: 'invalid_json', message: 'body is not valid UTF-8' } });
      // svix's own verify signs the decoded text, in which 0xff became U+FFFD: those bytes must not pass as that text.
      const textSigned = await send((id) => new Webhook(secret).sign(id, at, raw.toString('utf8')));
      expect(textSigned.status).toBe(401);
      await expect(temporal.client.workflow.getHandle(event.id as string).describe()).rejects.toThrow(/not found/i);
    });

    it('answers 413 for a body over the size limit', async () => {
      const big = { ...freshSession(CREATED), padding: 'x'.repeat(1024 * 1024) };
      const res = await post(hook, sign(secret, big));
      expect(res.status).toBe(413);
      expect(res.body.error).toBe('payload_too_large');
    });

    it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty'])(
      'answers 200 ignored, not 500, for a signed event type named %s',
      async (eventType) => {
        const res = await post(hook, sign(secret, { id: randomUUID(), eventType }));
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ status: 'ignored', eventType });
      },
    );

    it('counts and logs an upload aborted midway like any other delivery', async () => {
      const rejected = () => deliveriesCounted(api.url, 'rejected');
      const before = await rejected();
      const delivery = sign(secret, freshSession(CREATED));
      await abortMidway(hook, delivery.headers, delivery.body);
      await waitFor(async () => (await rejected()) === before + 1, 'the aborted delivery to be counted');
    });

    it('answers 415 for a content type other than JSON', async () => {
      const delivery = sign(secret, freshSession(CREATED));
      delivery.headers['content-type'] = 'text/plain';
      expect((await post(hook, delivery)).status).toBe(415);
    });
  });

  describe('signed deliveries Temporal could never record as sent (4xx naming the field, or recorded without it)', () => {
    const withVariables = (variables: Record<string, unknown>) => {
      const event = freshSession(CREATED) as { id: string; metadata: { sessionVariables: Record<string, unknown> } };
      Object.assign(event.metadata.sessionVariables, variables);
      return event;
    };
    const deliveryLog = () => logs.lines.find((line) => line.msg === 'webhook delivery');

    it('records a session whose crmContactId is too long for a search attribute, without that attribute, and logs it', async () => {
      const event = withVariables({ crmContactId: 'C'.repeat(3000) });
      const res = await post(hook, sign(secret, event));
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('started');
      const attributes = (await temporal.client.workflow.getHandle(event.id).describe()).typedSearchAttributes;
      expect(attributes.get(SearchAttributes.crmContactId)).toBeUndefined();
      expect(attributes.get(SearchAttributes.phase)).toBe('awaiting-end');
      expect(deliveryLog()).toMatchObject({ outcome: 'started', searchAttributesOmitted: ['AgntixCrmContactId'] });
    });

    it('records a session whose followUpAttempt is 1e300 as no follow-up chain, not as an Int search attribute', async () => {
      const event = withVariables({ followUpOf: randomUUID(), followUpAttempt: 1e300 });
      const res = await post(hook, sign(secret, event));
      expect(res.status).toBe(200);
      const attributes = (await temporal.client.workflow.getHandle(event.id).describe()).typedSearchAttributes;
      expect(attributes.get(SearchAttributes.followUpAttempt)).toBeUndefined();
      expect(attributes.get(SearchAttributes.followUpOf)).toBeUndefined();
    });

    it('answers 400 naming id for a session id of 1,500 characters', async () => {
      const res = await post(hook, sign(secret, freshSession(CREATED, 'a'.repeat(1500))));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_payload', field: 'id' });
    });

    it.each([
      ['1,000 deep, inside the body limit', 1_000, undefined],
      ['200,000 deep, with the body limit raised past it', 200_000, 1024 * 1024],
    ])(
      'answers 400 naming the field for an array nested %s in sessionVariables',
      async (_label, depth, maxBodyBytes) => {
        const deep = await startTestApi(temporal.client, taskQueue, [secret], { maxBodyBytes });
        try {
          const event = withVariables({ nested: 'PLACEHOLDER' });
          const body = JSON.stringify(event).replace('"PLACEHOLDER"', '['.repeat(depth) + ']'.repeat(depth));
          const res = await post(`${deep.url}/webhooks/agntix`, sign(secret, undefined, { body }));
          expect(res.status).toBe(400);
          expect(res.body).toMatchObject({ error: 'invalid_payload' });
          expect(res.body.field).toMatch(/^metadata\.sessionVariables\.nested\b/);
          await expect(temporal.client.workflow.getHandle(event.id).describe()).rejects.toThrow(/not found/i);
        } finally {
          await deep.close();
        }
      },
    );

    it('answers 400 naming the field for a string over the per-string bound', async () => {
      const res = await post(hook, sign(secret, withVariables({ note: 'n'.repeat(20 * 1024) })));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_payload', field: 'metadata.sessionVariables.note' });
    });

    it('answers 4xx, not 503, when Temporal refuses a signed delivery as invalid (here: over its 2 MB payload limit)', async () => {
      // The body limit raised past Temporal's own, so Temporal is the one to refuse: a limit this service does not know.
      const lax = await startTestApi(temporal.client, taskQueue, [secret], { maxBodyBytes: 4 * 1024 * 1024 });
      try {
        const chunks = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`part${i}`, 'p'.repeat(10_000)]));
        const event = withVariables({ chunks });
        const res = await post(`${lax.url}/webhooks/agntix`, sign(secret, event));
        expect(res.status).toBe(422);
        expect(res.body).toMatchObject({ error: 'unrecordable' });
      } finally {
        await lax.close();
      }
    });
  });

  it('adds nothing to the history when one Svix message is delivered 200 times', async () => {
    const event = freshSession(CREATED);
    const delivery = sign(secret, event);
    expect((await post(hook, delivery)).body.status).toBe('started');
    const handle = temporal.client.workflow.getHandle(event.id as string);
    const eventsAfterFirst = (await handle.fetchHistory()).events?.length;

    const answers = [];
    for (let sent = 1; sent < 200; sent += 10) {
      answers.push(
        ...(await Promise.all(Array.from({ length: Math.min(10, 200 - sent) }, () => post(hook, delivery)))),
      );
    }
    expect(answers).toHaveLength(199);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect((await handle.fetchHistory()).events?.length).toBe(eventsAfterFirst);
  });

  it.each([
    ['session.updated', { id: randomUUID(), eventType: 'session.updated', changedFields: ['state'], state: 'OPEN' }],
    [
      'message.added',
      {
        id: 'evt_1',
        type: 'message.added',
        data: { sessionId: randomUUID(), messageId: 'msg_1', role: 'USER', content: 'hi' },
      },
    ],
    ['usage.updated', { id: 'evt_2', type: 'usage.updated', data: { metrics: { chat_messages: 3 } } }],
    [
      'subscription.updated',
      { id: 'evt_3', type: 'subscription.updated', data: { subscriptionId: 's', status: 'active' } },
    ],
    [
      'knowledge_store.updated',
      {
        id: 'evt_4',
        type: 'knowledge_store.updated',
        data: { knowledgeStoreId: 'k', documentId: 'd', status: 'UPSERTED' },
      },
    ],
    ['an unknown event', { id: randomUUID(), eventType: 'session.closed' }],
  ])('answers 2xx ignored for %s and starts nothing', async (_name, event) => {
    const res = await post(hook, sign(secret, event));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ignored');
    await expect(temporal.client.workflow.getHandle(event.id).describe()).rejects.toThrow(/not found/i);
  });

  it('records the same event delivered 5 times, concurrently and in sequence, and resent twice, once in one run', async () => {
    const event = freshSession(CREATED);
    const delivery = sign(secret, event);
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => post(hook, delivery)));
    const sequential = [];
    for (let i = 0; i < 5; i++) sequential.push(await post(hook, delivery));
    // The same event under new Svix message ids (a resend from the dashboard): Temporal cannot dedupe these.
    for (let i = 0; i < 2; i++) sequential.push(await post(hook, sign(secret, event)));
    const statuses = [...concurrent, ...sequential].map((r) => r.body.status);
    expect(statuses.filter((s) => s === 'started')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'signaled')).toHaveLength(11);

    const status = await withWorker(() => temporal.client.workflow.getHandle(event.id as string).query(statusQuery));
    expect(status.seen).toEqual([
      expect.objectContaining({ eventType: 'session.created', svixId: delivery.headers['svix-id'] }),
    ]);
    // Redeliveries of one message never reached the workflow (one request id); the two resends did, and were dropped.
    expect(status.duplicatesIgnored).toBe(2);
  });

  it('takes session.ended before session.created into one run that has both', async () => {
    const sessionId = randomUUID();
    const ended = await post(hook, sign(secret, freshSession(ENDED, sessionId)));
    const created = await post(hook, sign(secret, freshSession(CREATED, sessionId)));
    expect([ended.body.status, created.body.status]).toEqual(['started', 'signaled']);

    const result = await withWorker(() =>
      temporal.client.workflow.getHandle<typeof sessionWorkflow>(sessionId).result(),
    );
    expect(result.seen.map((s) => s.eventType)).toEqual(['session.ended', 'session.created']);
  });

  it('answers a redelivery after the workflow completed with duplicate and starts no second run', async () => {
    const sessionId = randomUUID();
    const createdDelivery = sign(secret, freshSession(CREATED, sessionId));
    await post(hook, createdDelivery);
    await post(hook, sign(secret, freshSession(ENDED, sessionId)));
    const handle = temporal.client.workflow.getHandle(sessionId);
    const firstRun = (await handle.describe()).runId;
    await withWorker(() => handle.result());

    const redelivered = await post(hook, createdDelivery);
    expect(redelivered.status).toBe(200);
    expect(redelivered.body).toEqual({ status: 'duplicate', workflowId: sessionId });
    const latest = await handle.describe();
    expect(latest.runId).toBe(firstRun);
    expect(latest.status.name).toBe('COMPLETED');
  });

  it('answers 503 with Retry-After inside the deadline while Temporal is down, and accepts the retry once it is back', async () => {
    const proxy = await startTcpProxy(temporal.address);
    const connection = Connection.lazy({ address: proxy.address });
    const client = new Client({ connection });
    const viaProxy = await startTestApi(client, taskQueue, [secret], { deadlineMs: 1500 });
    try {
      const event = freshSession(CREATED);
      const delivery = sign(secret, event);
      await proxy.down();
      const started = Date.now();
      const refused = await post(`${viaProxy.url}/webhooks/agntix`, delivery);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(Date.now() - started).toBeLessThan(3000);
      const readiness = await fetch(`${viaProxy.url}/readyz`);
      expect(readiness.status).toBe(503);
      // A fixed answer: the gRPC error names internal addresses, which belong in the log only.
      expect(await readiness.json()).toEqual({ status: 'unavailable', message: 'Temporal did not answer' });

      await proxy.up();
      let retried = await post(`${viaProxy.url}/webhooks/agntix`, delivery);
      for (let attempt = 0; retried.status === 503 && attempt < 10; attempt++) {
        retried = await post(`${viaProxy.url}/webhooks/agntix`, delivery); // Svix would retry the same message
      }
      expect(retried.body).toEqual({ status: 'started', workflowId: event.id });
    } finally {
      await viaProxy.close();
      await connection.close();
      await proxy.close();
    }
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    await post(hook, sign(secret, freshSession(CREATED)));
    await post(hook, sign(newSecret(), freshSession(CREATED)));
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/agntix_webhook_deliveries_total\{event_type="session.created",outcome="started"\} 1/);
    expect(metrics).toMatch(/agntix_webhook_verification_failures_total 1/);
    expect(metrics).toMatch(/agntix_webhook_ack_latency_seconds_count\{outcome="started"\} 1/);
  });
});
