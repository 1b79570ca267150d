import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * GET /healthz on WORKER_HEALTH_PORT for an orchestrator's health check: 200 while the worker polls, 503 once it
 * is draining or has failed. Nothing else is served.
 */
export async function startWorkerHealth(
  port: number,
  running: () => boolean,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const ok = req.method === 'GET' && req.url === '/healthz';
    const healthy = ok && running();
    res.writeHead(!ok ? 404 : healthy ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: !ok ? 'not_found' : healthy ? 'ok' : 'unavailable' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
