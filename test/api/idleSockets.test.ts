import { execSync } from 'node:child_process';
import net from 'node:net';
import { startTestApi, type TestApi } from '../helpers/api';
import { idleAfterHealthCheck } from '../helpers/rawHttp';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { freshSession } from '../../src/dev/examples';
import { newSecret, post, sign } from '../../src/dev/signing';

const CREATED = 'session-created.voice-outbound.json';

const closed = (socket: net.Socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()));

describe('idle sockets do not close ingest', () => {
  const secret = newSecret();
  let temporal: TestTemporal;
  let api: TestApi | undefined;

  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());
  afterEach(() => api?.close());

  it('answers a signed delivery 2xx within a second while 1,024 idle keep-alive sockets are open', async () => {
    // 1,024 client sockets and as many server ones in this process, plus Temporal's and jest's: about 2,100 fds.
    const limit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
    expect(limit).toBeGreaterThan(2_200);
    // The production caps, but one client may hold them all, so the server-wide cap is the one tested here.
    api = await startTestApi(temporal.client, uniqueTaskQueue('idle'), [secret], {
      connections: { maxPerClient: 4096, unsignedIdleMs: 60_000 },
    });
    const port = Number(new URL(api.url).port);
    const idle: net.Socket[] = [];
    try {
      for (let i = 0; i < 1024; i += 64) {
        idle.push(...(await Promise.all(Array.from({ length: 64 }, () => idleAfterHealthCheck(port)))));
      }
      const started = Date.now();
      const res = await post(`${api.url}/webhooks/agntix`, sign(secret, freshSession(CREATED)));
      const ms = Date.now() - started;
      expect(res.status).toBe(200);
      expect(ms).toBeLessThan(1000);
      // One idle health-check socket gave way; the rest are still open.
      expect(idle.filter((s) => !s.destroyed && s.readyState === 'open').length).toBeGreaterThanOrEqual(1022);
    } finally {
      for (const socket of idle) socket.destroy();
    }
  }, 60_000);

  it('closes a connection that sent no signed delivery after the short idle time, and keeps a sender’s open', async () => {
    api = await startTestApi(temporal.client, uniqueTaskQueue('idle'), [secret], {
      connections: { unsignedIdleMs: 300 },
    });
    const port = Number(new URL(api.url).port);
    const checker = await idleAfterHealthCheck(port);
    const sender = await new Promise<net.Socket>((resolve) => {
      const delivery = sign(secret, freshSession(CREATED));
      const head = Object.entries({ ...delivery.headers, host: 'x', 'content-length': String(delivery.body.length) })
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n');
      const socket = net.connect(port, '127.0.0.1', () =>
        socket.write(`POST /webhooks/agntix HTTP/1.1\r\n${head}\r\n\r\n${delivery.body}`),
      );
      socket.once('data', () => resolve(socket));
    });
    const started = Date.now();
    await closed(checker);
    expect(Date.now() - started).toBeLessThan(1000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sender.destroyed).toBe(false);
    sender.destroy();
  });

  it('at one client’s cap, its idle unsigned connection gives way to its new one', async () => {
    api = await startTestApi(temporal.client, uniqueTaskQueue('idle'), [secret], {
      connections: { maxPerClient: 3, unsignedIdleMs: 60_000 },
    });
    const port = Number(new URL(api.url).port);
    const idle = await Promise.all([1, 2, 3].map(() => idleAfterHealthCheck(port)));
    const oldestClosed = closed(idle[0]!);
    const res = await post(`${api.url}/webhooks/agntix`, sign(secret, freshSession(CREATED)));
    expect(res.status).toBe(200);
    await oldestClosed;
    expect(idle.slice(1).every((s) => !s.destroyed)).toBe(true);
    for (const socket of idle) socket.destroy();
  });
});
