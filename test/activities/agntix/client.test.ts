import { ApplicationFailure } from '@temporalio/common';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAgntixClient } from '../../../src/activities/agntix/client';
import { isRetryableStatus } from '../../../src/activities/httpStatus';
import { retryAfterMs } from '../../../src/contracts/failures';

describe('Agntix API client', () => {
  let server: Server;
  let client: ReturnType<typeof createAgntixClient>;
  const seenKeys: string[] = [];

  beforeAll(async () => {
    const app = express();
    app.get('/s/:id', (req, res) => {
      seenKeys.push(req.header('x-api-key') ?? '');
      const { id } = req.params;
      if (id === 'busy')
        return void res
          .status(429)
          .set('Retry-After', '7')
          .json({ error: { code: 'RATE_LIMITED' } });
      if (id === 'down') return void res.status(503).json({ error: { code: 'GENERIC_ERROR' } });
      if (id === 'unimplemented') return void res.status(501).json({ error: { code: 'GENERIC_ERROR' } });
      if (id === 'gone')
        return void res.status(404).json({ error: { code: 'SESSION_NOT_FOUND', message: 'x', requestId: 'req_9' } });
      if (id === 'weird') return void res.json({ id: 42 });
      res.json({ id, state: 'CLOSED', summary: 'flat shape', extractedData: { callOutcome: 'Confirmed' } });
    });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    client = createAgntixClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: 'pk_test_key',
      paths: { session: '/s/{id}', messages: '/s/{id}/m', sessions: '/v1/chat/chat/sessions' },
      timeoutMs: 2000,
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const failureOf = async (id: string) => {
    const err: unknown = await client.getSession(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  };

  it('sends the key as x-api-key and folds a flat analysis into `analysis`', async () => {
    const detail = await client.getSession('flat');
    expect(seenKeys.at(-1)).toBe('pk_test_key');
    expect(detail.analysis).toMatchObject({ summary: 'flat shape', extractedData: { callOutcome: 'Confirmed' } });
  });

  it('retries 429 after the Retry-After delay', async () => {
    const failure = await failureOf('busy');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(7000);
  });

  it('retries 5xx', async () => {
    expect((await failureOf('down')).nonRetryable).toBe(false);
  });

  it('retries a 5xx outside 500/502/503/504, such as 501', async () => {
    expect((await failureOf('unimplemented')).nonRetryable).toBe(false);
  });

  it('does not retry 404, and names the status and request id', async () => {
    const failure = await failureOf('gone');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('Agntix API 404 for GET /s/gone (SESSION_NOT_FOUND, requestId req_9)');
  });

  it('does not retry a response of an unexpected shape, and names the field', async () => {
    const failure = await failureOf('weird');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/unexpected shape at id/);
  });

  it.each([
    ['7', 7000],
    ['120', 120_000],
    ['3600', 600_000],
    [null, undefined],
    ['soon', undefined],
  ])('reads Retry-After %p as %p ms, capped at 10 minutes (the one rule)', (header, ms) => {
    expect(retryAfterMs(header)).toBe(ms);
  });

  it.each([
    [400, false],
    [401, false],
    [404, false],
    [408, true],
    [409, false],
    [422, false],
    [429, true],
    [500, true],
    [501, true],
    [504, true],
    [599, true],
  ])('treats HTTP %p as retryable: %p (one rule for every HTTP peer)', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });
});
