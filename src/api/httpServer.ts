import type { Express } from 'express';
import http from 'node:http';
import type { ConnectionBudget } from './connectionBudget';

/**
 * How long a client may hold the API. Svix gives up on a delivery after 15 s, so no request still arriving after
 * that is a live delivery: its whole request (headers and the 64 KiB body) must arrive within REQUEST_TIMEOUT_MS, the
 * headers within HEADERS_TIMEOUT_MS (a sender writes them at once; a client trickling them is holding a slot). Both
 * count only while a request is arriving; the time the API then spends waiting for Temporal is bounded by
 * INGEST_DEADLINE_MS (10 s), inside the same 15 s.
 */
export const HEADERS_TIMEOUT_MS = 5_000;
export const REQUEST_TIMEOUT_MS = 15_000;

export interface HttpLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /**
   * Idle keep-alive. Behind a load balancer it must exceed the balancer's idle timeout (60 s on AWS ALB and nginx), so
   * the balancer, never the server, closes a connection it might be about to reuse (that race shows as a reset
   * delivery). Exposed directly, a few seconds frees idle slots sooner. HTTP_KEEP_ALIVE_TIMEOUT_MS.
   */
  keepAliveTimeoutMs: number;
}

/**
 * Starts the app on a Node HTTP server with those limits and the connection budget (connectionBudget.ts, which
 * replaces Node's plain `maxConnections`); resolves once it listens.
 */
export function listenHttp(
  app: Express,
  port: number,
  host: string | undefined,
  limits: HttpLimits,
  budget: ConnectionBudget,
): Promise<http.Server> {
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node enforces the two timeouts on this sweep (30 s by default), which would let a stalled request live 45 s.
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    app,
  );
  budget.attach(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
