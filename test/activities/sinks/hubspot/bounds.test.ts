import { ApplicationFailure } from '@temporalio/common';
import type { ServerResponse } from 'node:http';
import { createHubSpotPort } from '../../../../src/activities/sinks/hubspot/sink';
import type { CrmCall } from '../../../../src/activities/sinks/crm/port';
import { listenOnLoopback, type LoopbackServer } from '../../../../src/dev/sandbox/loopbackServer';
import { hubspotSettingsFor } from '../../../helpers/hubspot';

const PHONE = '+447700900412';
const NAME = 'Priya Raman';
const MB = 1024 * 1024;

/** A call carrying customer data, so a test can check none of it reaches the failure. */
const call: CrmCall = {
  sessionId: 'bounds-session-1',
  state: 'completed',
  title: `Call with ${NAME}`,
  body: `${NAME} (${PHONE}) asked for a callback`,
};

/** 300 MB of JSON-looking bytes, written as fast as the client reads, stopped when it hangs up. */
function answerHuge(res: ServerResponse, announce: boolean) {
  res.writeHead(200, { 'content-type': 'application/json', ...(announce ? { 'content-length': 300 * MB } : {}) });
  const chunk = Buffer.alloc(MB, 'x');
  let sent = 0;
  const more = () => {
    while (sent < 300 && !res.destroyed) {
      sent += 1;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end();
  };
  more();
}

/**
 * The HubSpot client through the limits every outbound call has, against a stand-in that misbehaves the ways a
 * proxy or a hijacked HUBSPOT_BASE_URL can: the write fails fast, with a message naming the limit and no customer
 * data, and the worker's memory stays bounded.
 */
describe('HubSpot requests are bounded', () => {
  let hub: LoopbackServer;
  let elsewhere: LoopbackServer;
  const landed: string[] = [];
  const trickles: ServerResponse[] = [];

  beforeAll(async () => {
    elsewhere = await listenOnLoopback((req, res) => {
      landed.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.end('{}');
    });
    hub = await listenOnLoopback((req, res) => {
      req.resume();
      if (req.url?.startsWith('/huge-announced/')) return answerHuge(res, true);
      if (req.url?.startsWith('/huge/')) return answerHuge(res, false);
      if (req.url?.startsWith('/moved/')) {
        res.writeHead(307, { location: `${elsewhere.url}${req.url}` });
        return void res.end();
      }
      // One byte every second: never silent for the socket's idle timeout, never done.
      res.writeHead(200, { 'content-type': 'application/json' });
      trickles.push(res);
      const timer = setInterval(() => res.write(' '), 1000);
      res.once('close', () => clearInterval(timer));
    });
  });
  afterAll(async () => {
    for (const res of trickles) res.destroy();
    await hub.close();
    await elsewhere.close();
  });

  const port = (prefix: string, env: Record<string, string> = {}) =>
    createHubSpotPort(hubspotSettingsFor({ url: `${hub.url}/${prefix}` } as never, env));

  const failureOf = async (run: () => Promise<unknown>) => {
    const started = Date.now();
    const err: unknown = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    const failure = err as ApplicationFailure;
    expect(failure.message).not.toContain(PHONE);
    expect(failure.message).not.toContain(NAME);
    return { failure, ms: Date.now() - started };
  };

  it.each([
    ['counted as it arrives', 'huge'],
    ['announced in Content-Length', 'huge-announced'],
  ])('refuses a 300 MB answer (%s) at the cap, and memory stays bounded', async (_how, prefix) => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const { failure, ms } = await failureOf(() => port(prefix).saveCall(call, undefined));
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const growthMb = (peak - before) / MB;
    console.log(`300 MB answer (${prefix}): failed in ${ms} ms, RSS grew ${growthMb.toFixed(1)} MB at its peak`);
    expect(failure).toMatchObject({ type: 'HubSpotRejected', nonRetryable: true });
    expect(failure.message).toBe(
      `HubSpot answered more than ${8 * MB} bytes (HUBSPOT_MAX_RESPONSE_BYTES) to write calls; check HUBSPOT_BASE_URL`,
    );
    expect(ms).toBeLessThan(3000);
    expect(growthMb).toBeLessThan(100);
  });

  it('ends an answer trickled a byte a second at the overall deadline, and lets Temporal retry', async () => {
    const { failure, ms } = await failureOf(() =>
      port('trickle', { HUBSPOT_TIMEOUT_MS: '3000' }).saveCall(call, undefined),
    );
    console.log(`trickled answer with a 3000 ms deadline: failed in ${ms} ms`);
    expect(failure).toMatchObject({ type: 'HubSpotUnavailable', nonRetryable: false });
    expect(failure.message).toBe('HubSpot unreachable to write calls: HubSpot did not answer within 3000 ms');
    expect(ms).toBeGreaterThanOrEqual(2900);
    expect(ms).toBeLessThan(4500);
  });

  it('follows no redirect: the access token never reaches the other host', async () => {
    const { failure, ms } = await failureOf(() => port('moved').saveCall(call, undefined));
    expect(failure).toMatchObject({ type: 'HubSpotRejected', nonRetryable: true });
    expect(failure.message).toBe(
      'HubSpot answered 307 (a redirect, not followed) to write calls; check HUBSPOT_BASE_URL',
    );
    expect(ms).toBeLessThan(1000);
    expect(landed).toEqual([]);
  });
});
