import type { Client } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, type AppDeps } from '../../src/api/app';
import { connectionBudget, type ConnectionBudgetLimits } from '../../src/api/connectionBudget';
import type { DeliveryDigests } from '../../src/api/deliveries/digests';
import { createSqliteDigests } from '../../src/api/deliveries/sqliteDigests';
import { HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, listenHttp, type HttpLimits } from '../../src/api/httpServer';
import { createIngestMetrics } from '../../src/api/metrics';
import { createSessionSignaler } from '../../src/api/sessionSignaler';
import { createVerifier } from '../../src/api/signature';
import { loadConfig } from '../../src/config';
import type { SearchIndexPolicy } from '../../src/contracts';
import { createLogger, type Logger } from '../../src/logging';

export interface TestApi {
  url: string;
  close(): Promise<void>;
}

/** The real ingest app on a free port, on the production server settings unless a test overrides one. */
export async function startTestApi(
  client: Client,
  taskQueue: string,
  secrets: string[],
  overrides: {
    deadlineMs?: number;
    maxBodyBytes?: number;
    logger?: Logger;
    http?: Partial<HttpLimits>;
    connections?: Partial<ConnectionBudgetLimits>;
    transcripts?: AppDeps['transcripts'];
    digests?: DeliveryDigests;
    /** What the index may hold (CRM_CONTACT_VARIABLE among it); the built-in defaults when absent. */
    searchIndex?: SearchIndexPolicy;
  } = {},
): Promise<TestApi> {
  const defaults = loadConfig({});
  const signaler = createSessionSignaler(client, taskQueue, { policy: overrides.searchIndex });
  // As in production without DATABASE_URL: the API's own SQLite file, here one per test API.
  const digestDir = mkdtempSync(path.join(tmpdir(), 'agntix-digests-'));
  const digests = overrides.digests ?? createSqliteDigests(path.join(digestDir, 'deliveries.sqlite'));
  const connections = connectionBudget({
    maxConnections: defaults.HTTP_MAX_CONNECTIONS,
    maxPerClient: defaults.HTTP_MAX_CONNECTIONS_PER_CLIENT,
    unsignedIdleMs: defaults.HTTP_UNSIGNED_IDLE_TIMEOUT_MS,
    clientAddressHeader: defaults.HTTP_CLIENT_ADDRESS_HEADER,
    ...overrides.connections,
  });
  const app = createApp({
    verify: createVerifier(secrets),
    signaler,
    logger: overrides.logger ?? createLogger('silent'),
    metrics: createIngestMetrics(),
    maxBodyBytes: overrides.maxBodyBytes ?? defaults.WEBHOOK_MAX_BODY_BYTES,
    deadlineMs: overrides.deadlineMs ?? defaults.INGEST_DEADLINE_MS,
    retryAfterSeconds: defaults.INGEST_RETRY_AFTER_SECONDS,
    transcripts: overrides.transcripts,
    digests,
    connections,
  });
  const server = await listenHttp(
    app,
    0,
    '127.0.0.1',
    {
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: defaults.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      ...overrides.http,
    },
    connections,
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await signaler.drain();
      await digests.close();
      rmSync(digestDir, { recursive: true, force: true });
    },
  };
}
