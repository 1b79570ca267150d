import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../helpers/api';
import { captureLogs } from '../helpers/logs';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { freshSession } from '../../src/dev/examples';
import { newSecret, post, sign } from '../../src/dev/signing';

const CREATED = 'session-created.voice-outbound.json';

/** A counter without labels as the API's /metrics shows it. */
async function counted(apiUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ').at(-1));
}

describe('ingest guards', () => {
  const secret = newSecret();
  let temporal: TestTemporal;
  let api: TestApi;
  let hook: string;
  let logs: ReturnType<typeof captureLogs>;

  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  beforeEach(async () => {
    logs = captureLogs();
    api = await startTestApi(temporal.client, uniqueTaskQueue('guard'), [secret], { logger: logs.logger });
    hook = `${api.url}/webhooks/agntix`;
  });
  afterEach(() => api.close());

  describe('one svix-id, one body', () => {
    it('accepts a retry of the same message and body (fresh timestamp) as the same delivery', async () => {
      const event = freshSession(CREATED);
      const msgId = `msg_${randomUUID()}`;
      const first = await post(hook, sign(secret, event, { msgId }));
      const retry = await post(hook, sign(secret, event, { msgId, timestamp: new Date(Date.now() + 1000) }));
      expect([first.status, retry.status]).toEqual([200, 200]);
      expect(retry.body).toEqual({ status: 'signaled', workflowId: event.id });
      expect(await counted(api.url, 'agntix_webhook_conflicting_bodies_total')).toBe(0);
    });

    it('refuses the same svix-id with another body: 409 naming svix-id, counted, logged without the payload', async () => {
      const event = freshSession(CREATED);
      const msgId = `msg_${randomUUID()}`;
      expect((await post(hook, sign(secret, event, { msgId }))).status).toBe(200);
      const metadata = event.metadata as Record<string, unknown>;
      const other = { ...event, metadata: { ...metadata, customerPhoneNumber: '+447700900999' } };
      const res = await post(hook, sign(secret, other, { msgId }));

      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ error: 'conflicting_body', field: 'svix-id' });
      expect(await counted(api.url, 'agntix_webhook_conflicting_bodies_total')).toBe(1);
      const line = logs.lines.find((l) => l.status === 409);
      expect(line).toMatchObject({ svixId: msgId, outcome: 'rejected' });
      expect(JSON.stringify(logs.lines)).not.toContain('900999');
      // The first body is still the one recorded, and the second added nothing to the session's history.
      const history = await temporal.client.workflow.getHandle(event.id as string).fetchHistory();
      expect(JSON.stringify(history)).not.toContain('900999');
    });

    it('refuses the other body again on every retry of it, and still takes the first body', async () => {
      const event = freshSession(CREATED);
      const msgId = `msg_${randomUUID()}`;
      await post(hook, sign(secret, event, { msgId }));
      const other = { ...event, agentId: randomUUID() };
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(hook, sign(secret, other, { msgId }))).status);
      statuses.push((await post(hook, sign(secret, event, { msgId }))).status);
      expect(statuses).toEqual([409, 409, 409, 200]);
      expect(await counted(api.url, 'agntix_webhook_conflicting_bodies_total')).toBe(3);
    });
  });

  describe('session ids take only the documented shapes', () => {
    it.each([
      ['a UUID', randomUUID()],
      ['an upper-case UUID', randomUUID().toUpperCase()],
      ['a ses_ id', `ses_${randomUUID().replace(/-/g, '')}`],
    ])('accepts %s', async (_label, id) => {
      const res = await post(hook, sign(secret, freshSession(CREATED, id)));
      expect(res.status).toBe(200);
    });

    it("refuses a session id that takes a follow-up's workflow id, naming the field and the reason", async () => {
      const id = `followup-${randomUUID()}-1`;
      const res = await post(hook, sign(secret, freshSession(CREATED, id)));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_payload', field: 'id' });
      expect(res.body.message).toMatch(/follow-up/);
      await expect(temporal.client.workflow.getHandle(id).describe()).rejects.toThrow(/not found/i);
    });

    it.each([
      ['a word', 'session-42'],
      ['a UUID without its dashes', randomUUID().replace(/-/g, '')],
      ['an id with another prefix', `agnt_${randomUUID()}`],
      ['a ses_ id of 129 characters', `ses_${'a'.repeat(125)}`],
    ])('refuses %s, naming id', async (_label, id) => {
      const res = await post(hook, sign(secret, freshSession(CREATED, id)));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_payload', field: 'id' });
    });
  });
});
