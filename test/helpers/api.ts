import type { Client } from '@temporalio/client';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type AppDeps } from '../../src/api/app';
import { createIngestMetrics } from '../../src/api/metrics';
import { createSessionSignaler } from '../../src/api/sessionSignaler';
import { createVerifier } from '../../src/api/verifier';
import { createLogger } from '../../src/logging';

export interface TestApi {
  url: string;
  close(): Promise<void>;
}

/** The real ingest app on a free port, signalling through the given client. */
export async function startTestApi(
  client: Client,
  taskQueue: string,
  secrets: string[],
  overrides: { deadlineMs?: number; maxBodyBytes?: number; transcripts?: AppDeps['transcripts'] } = {},
): Promise<TestApi> {
  const signaler = createSessionSignaler(client, taskQueue);
  const app = createApp({
    verify: createVerifier(secrets),
    signaler,
    logger: createLogger('silent'),
    metrics: createIngestMetrics(),
    maxBodyBytes: overrides.maxBodyBytes ?? 1024 * 1024,
    deadlineMs: overrides.deadlineMs ?? 10_000,
    retryAfterSeconds: 5,
    transcripts: overrides.transcripts,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await signaler.drain();
    },
  };
}
