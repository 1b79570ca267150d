import http from 'node:http';
import type { SignedDelivery } from '../src/dev/signing';

/**
 * Sends a delivery signed by `sign` (src/dev/signing.ts) as the load generators do: node:http over a keep-alive
 * agent, the lightest client, so the generator takes as little of the cores as it can. Resolves with the status.
 */
export function sendSigned(url: string, delivery: SignedDelivery, agent: http.Agent): Promise<number> {
  const headers = { ...delivery.headers, 'content-length': String(Buffer.byteLength(delivery.body)) };
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(delivery.body);
  });
}
