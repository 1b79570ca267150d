import type { ClientRequest, IncomingMessage } from 'node:http';

/** Thrown when HubSpot has not answered in full within the deadline (HUBSPOT_TIMEOUT_MS). */
export class HubSpotTimeout extends Error {
  override name = 'HubSpotTimeout';
}

/** Thrown when an answer is longer than HUBSPOT_MAX_RESPONSE_BYTES. */
export class HubSpotResponseTooLarge extends Error {
  override name = 'HubSpotResponseTooLarge';
}

/** Thrown for a 3xx: a redirect would carry the access token to wherever it points. */
export class HubSpotRedirect extends Error {
  override name = 'HubSpotRedirect';
  constructor(readonly status: number) {
    super(`HubSpot answered ${status} (a redirect, not followed)`);
  }
}

/**
 * Bounds one request of the official client: it fails with one of the errors above, and its socket is destroyed,
 * when the whole exchange outlasts `timeoutMs`, the answer passes `maxResponseBytes` (announced or counted as it
 * arrives: the client buffers the whole body before it parses it), or HubSpot redirects. The client's transport
 * rejects with the error the request or its answer is destroyed with.
 */
export function boundRequest(req: ClientRequest, limits: { timeoutMs: number; maxResponseBytes: number }): void {
  let response: IncomingMessage | undefined;
  const fail = (err: Error) => {
    clearTimeout(deadline);
    if (response) response.destroy(err);
    else req.destroy(err);
  };
  const deadline = setTimeout(
    () => fail(new HubSpotTimeout(`HubSpot did not answer within ${limits.timeoutMs} ms`)),
    limits.timeoutMs,
  );
  const tooLarge = () =>
    new HubSpotResponseTooLarge(
      `HubSpot answered more than ${limits.maxResponseBytes} bytes (HUBSPOT_MAX_RESPONSE_BYTES)`,
    );
  req.once('close', () => clearTimeout(deadline));
  req.once('response', (res) => {
    response = res;
    res.once('end', () => clearTimeout(deadline));
    res.once('close', () => clearTimeout(deadline));
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400) return fail(new HubSpotRedirect(status));
    if (Number(res.headers['content-length']) > limits.maxResponseBytes) return fail(tooLarge());
    let received = 0;
    res.on('data', (chunk: Buffer) => {
      received += chunk.byteLength;
      if (received > limits.maxResponseBytes) fail(tooLarge());
    });
  });
}
