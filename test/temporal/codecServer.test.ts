import { newSecret } from '../../src/dev/signing';
import { defaultPayloadConverter } from '@temporalio/common';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logging';
import { codecAuth } from '../../src/temporal/codecAuth';
import { parseAllowedUsers } from '../../src/temporal/codecUsers';
import { captureLogs } from '../helpers/logs';
import { rawExchange } from '../helpers/rawHttp';
import { createCodecApp, startCodecServer } from '../../src/temporal/codecServer';
import { EncryptionCodec } from '../../src/temporal/encryption';
import { generateKeyItem, parseKeyRing } from '../../src/temporal/keyRing';

const UI = 'https://temporal.example.com';
const keys = generateKeyItem('k1');
const codec = new EncryptionCodec(parseKeyRing(keys));

async function listen(app: express.Express): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A payload in the JSON form the Web UI sends. */
async function encryptedJson(value: unknown) {
  const [payload] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
  const metadata = Object.fromEntries(
    Object.entries(payload!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  );
  return { metadata, data: Buffer.from(payload!.data!).toString('base64') };
}

describe('the codec server the Web UI decodes through', () => {
  let idp: { url: string; close(): Promise<void> };
  let codecServer: { url: string; close(): Promise<void> };
  let userinfoCalls = 0;

  beforeAll(async () => {
    // An identity provider's userinfo endpoint: 200 for the signed-in user's access token.
    const provider = express();
    provider.get('/userinfo', (req, res) => {
      userinfoCalls += 1;
      if (req.header('authorization') === 'Bearer user-access-token') res.json({ sub: 'operator-1' });
      else res.status(401).end();
    });
    idp = await listen(provider);
    const auth = codecAuth({ tokens: ['old-token', 'new-token'], userinfoUrl: `${idp.url}/userinfo` });
    codecServer = await listen(
      createCodecApp({ codec, origins: [UI], auth, namespace: 'calls', logger: createLogger('silent') }),
    );
  });
  afterAll(async () => {
    await codecServer.close();
    await idp.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${codecServer.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: UI, 'x-namespace': 'calls', ...headers },
      body: JSON.stringify(body),
    });

  it("answers the browser's preflight for the UI's origin, allowing X-Namespace and Authorization", async () => {
    const res = await fetch(`${codecServer.url}/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: UI,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace,authorization',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
  });

  it('refuses the preflight of any other origin', async () => {
    const res = await fetch(`${codecServer.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('decodes for a configured bearer token, with the CORS header the browser needs', async () => {
    const res = await post(
      '/decode',
      { payloads: [await encryptedJson({ customerName: 'Priya Raman' })] },
      {
        authorization: 'Bearer new-token',
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    const { payloads } = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString())).toEqual({ customerName: 'Priya Raman' });
  });

  it('accepts the older token during a rotation', async () => {
    const res = await post('/decode', { payloads: [] }, { authorization: 'Bearer old-token' });
    expect(res.status).toBe(200);
  });

  it.each([
    ['no Authorization header', {}],
    ['an unknown token', { authorization: 'Bearer guessed' }],
    ['a token in the wrong scheme', { authorization: 'Basic new-token' }],
  ])('refuses a request with %s', async (_case, headers: Record<string, string>) => {
    const res = await post('/decode', { payloads: [await encryptedJson('secret')] }, headers);
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('secret');
  });

  it("accepts the signed-in user's access token when the identity provider does, asking it once a minute", async () => {
    const before = userinfoCalls;
    for (let i = 0; i < 3; i++) {
      const res = await post('/decode', { payloads: [] }, { authorization: 'Bearer user-access-token' });
      expect(res.status).toBe(200);
    }
    expect(userinfoCalls - before).toBe(1);
    expect((await post('/decode', { payloads: [] }, { authorization: 'Bearer expired-token' })).status).toBe(401);
  });

  it('refuses a request for another namespace', async () => {
    const res = await post('/decode', { payloads: [] }, { authorization: 'Bearer new-token', 'x-namespace': 'other' });
    expect(res.status).toBe(403);
  });

  it('encodes what the UI sends (a signal typed in by an operator) so that it decodes back', async () => {
    const plain = defaultPayloadConverter.toPayload({ reason: 'customer emailed' });
    const json = {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from(plain.data!).toString('base64'),
    };
    const auth = { authorization: 'Bearer new-token' };
    const encoded = (await (await post('/encode', { payloads: [json] }, auth)).json()) as { payloads: unknown[] };
    expect(JSON.stringify(encoded)).not.toContain(json.data);
    const decoded = (await (await post('/decode', encoded, auth)).json()) as { payloads: unknown[] };
    expect(decoded.payloads).toEqual([json]);
  });

  it("answers the Temporal CLI's own request for an absent input (`{}`) with no payloads", async () => {
    const res = await post('/encode', {}, { authorization: 'Bearer new-token' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ payloads: [] });
  });

  it('answers 400 to a body that is not payloads', async () => {
    const res = await post('/decode', { payloads: 'all of them' }, { authorization: 'Bearer new-token' });
    expect(res.status).toBe(400);
  });

  it.each([
    [{ NODE_ENV: 'production', CODEC_CORS_ORIGINS: UI }, /CODEC_AUTH_TOKENS or CODEC_AUTH_USERINFO_URL is required/],
    [{ NODE_ENV: 'production', CODEC_AUTH_TOKENS: 't' }, /CODEC_CORS_ORIGINS is required/],
    [{ PAYLOAD_ENCRYPTION_KEYS: '' }, /PAYLOAD_ENCRYPTION_KEYS is required to run the codec server/],
    [
      { NODE_ENV: 'production', CODEC_CORS_ORIGINS: UI, CODEC_AUTH_USERINFO_URL: 'https://idp.example.com/userinfo' },
      /CODEC_ALLOWED_USERS is required/,
    ],
  ])('does not start on %j', async (env, message) => {
    const config = loadConfig({ AGNTIX_WEBHOOK_SECRET: newSecret(), PAYLOAD_ENCRYPTION_KEYS: keys, ...env });
    await expect(startCodecServer(config, createLogger('silent'), { port: 0 })).rejects.toThrow(message);
  });

  it("in development, allows the Web UI's real origin when TEMPORAL_DEV_UI_PORT moves it", async () => {
    const config = loadConfig({ AGNTIX_WEBHOOK_SECRET: newSecret(), PAYLOAD_ENCRYPTION_KEYS: keys });
    const server = await startCodecServer(config, createLogger('silent'), { port: 0, devUiPort: 18_433 });
    try {
      const preflight = (origin: string) =>
        fetch(`${server.url}/decode`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
      expect((await preflight('http://localhost:18433')).status).toBe(204);
      expect((await preflight('http://localhost:8233')).status).toBe(403);
    } finally {
      await server.close();
    }
  });
});

describe("the codec server's allow-list of people", () => {
  // The identity provider knows every account (a public provider); only the claims say who it is.
  const accounts: Record<string, object> = {
    'token-ana': { sub: 'u-ana', email: 'ana@calls.example.com', email_verified: true },
    'token-ops': { sub: 'u-ops', email: 'ops@elsewhere.example.org', groups: ['codec-readers'] },
    'token-stranger': { sub: 'u-stranger', email: 'stranger@gmail.example', email_verified: true },
    'token-unverified': { sub: 'u-unverified', email: 'x@calls.example.com', email_verified: false },
    'token-nobody': { sub: 'u-nobody' },
  };
  let idp: { url: string; close(): Promise<void> };
  let server: { url: string; close(): Promise<void> };
  const logs = captureLogs();

  beforeAll(async () => {
    const provider = express();
    provider.get('/userinfo', (req, res) => {
      const account = accounts[(req.header('authorization') ?? '').replace(/^Bearer /, '')];
      if (account) res.json(account);
      else res.status(401).end();
    });
    idp = await listen(provider);
    const allowedUsers = parseAllowedUsers(['domain:calls.example.com', 'group:codec-readers', 'sub:u-nobody']);
    const auth = codecAuth({ userinfoUrl: `${idp.url}/userinfo`, allowedUsers });
    server = await listen(createCodecApp({ codec, origins: [UI], auth, namespace: 'calls', logger: logs.logger }));
  });
  afterAll(async () => {
    await server.close();
    await idp.close();
  });

  const decodeAs = async (token: string) =>
    fetch(`${server.url}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'calls', authorization: `Bearer ${token}` },
      body: JSON.stringify({ payloads: [await encryptedJson({ customerName: 'Priya Raman' })] }),
    });

  it.each(['token-ana', 'token-ops', 'token-nobody'])('decodes for an allowed person (%s)', async (token) => {
    expect((await decodeAs(token)).status).toBe(200);
  });

  it('refuses a user the provider knows but the allow-list does not, and logs it without payload data', async () => {
    const res = await decodeAs('token-stranger');
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('Priya');
    const refusal = logs.lines.find((line) => line.msg === 'codec request refused' && line.subject === 'u-stranger');
    expect(refusal).toMatchObject({ reason: 'user not in CODEC_ALLOWED_USERS', path: '/decode' });
    const logged = JSON.stringify(logs.lines);
    expect(logged).not.toContain('token-stranger');
    expect(logged).not.toContain('Priya');
  });

  it('does not count an e-mail the provider says is unverified', async () => {
    expect((await decodeAs('token-unverified')).status).toBe(401);
  });
});

describe('the unauthenticated development codec server', () => {
  it('answers only requests naming its loopback host, and browsers of the allowed origins', async () => {
    const config = loadConfig({ AGNTIX_WEBHOOK_SECRET: newSecret(), PAYLOAD_ENCRYPTION_KEYS: keys });
    const running = await startCodecServer(config, createLogger('silent'), { port: 0 });
    try {
      const request = (headers: string) =>
        rawExchange(running.url, `GET /healthz HTTP/1.1\r\n${headers}connection: close\r\n\r\n`, 2000);
      expect((await request(`host: 127.0.0.1:${running.port}\r\n`)).answer).toMatch(/ 200 /);
      expect((await request(`host: localhost:${running.port}\r\n`)).answer).toMatch(/ 200 /);
      // DNS rebinding: a page on attacker.example resolves its own name to 127.0.0.1.
      expect((await request(`host: attacker.example:${running.port}\r\n`)).answer).toMatch(/ 403 /);
      const foreignPage = `host: 127.0.0.1:${running.port}\r\norigin: http://attacker.example\r\n`;
      expect((await request(foreignPage)).answer).toMatch(/ 403 /);
    } finally {
      await running.close();
    }
  });
});
