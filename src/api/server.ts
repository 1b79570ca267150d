import { Client, Connection } from '@temporalio/client';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../logging';
import { tracingClientInterceptors } from '../observability/temporalTracing';
import { createPostgresPool } from '../store/postgres';
import { createPostgresTranscriptStore } from '../store/postgresTranscripts';
import { createPostgresLinkKeys } from '../store/postgresLinkKeys';
import { transcriptLinkSettingsFrom } from '../store/transcriptLinks';
import { temporalConnectionOptions } from '../temporal/connection';
import { dataConverterFor } from '../temporal/dataConverter';
import { createApp } from './app';
import { connectionBudget } from './connectionBudget';
import { createPostgresDigests } from './deliveries/postgresDigests';
import { createSqliteDigests } from './deliveries/sqliteDigests';
import { HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, listenHttp } from './httpServer';
import { createIngestMetrics } from './metrics';
import { createSessionSignaler } from './sessionSignaler';
import { createVerifier } from './signature';
import { searchIndexFrom } from '../config/privacy';

export interface RunningApi {
  port: number;
  /** Stops accepting, lets in-flight requests finish, then closes the Temporal connection. */
  close(): Promise<void>;
}

/**
 * Starts the webhook API with one Temporal connection for the life of the process. The connection is lazy so the
 * API comes up (and answers 503, which Svix retries) even while Temporal is unreachable.
 */
export async function startApi(
  config: Config,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningApi> {
  const secrets = config.AGNTIX_WEBHOOK_SECRET;
  if (!secrets) throw new Error('Invalid configuration: AGNTIX_WEBHOOK_SECRET is required to verify deliveries');

  const connection = Connection.lazy(temporalConnectionOptions(config, env));
  const client = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    interceptors: tracingClientInterceptors(),
    dataConverter: dataConverterFor(config),
  });
  const signaler = createSessionSignaler(client, config.TEMPORAL_TASK_QUEUE, searchIndexFrom(config));
  const pool = config.DATABASE_URL ? createPostgresPool(config.DATABASE_URL, logger, 'agntix-api') : undefined;
  const links = transcriptLinkSettingsFrom(config);
  const digests = pool
    ? createPostgresDigests(pool)
    : createSqliteDigests(config.INGEST_DIGESTS_SQLITE_PATH ?? path.join(config.DATA_DIR, 'deliveries.sqlite'));
  const connections = connectionBudget({
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    maxPerClient: config.HTTP_MAX_CONNECTIONS_PER_CLIENT,
    unsignedIdleMs: config.HTTP_UNSIGNED_IDLE_TIMEOUT_MS,
    clientAddressHeader: config.HTTP_CLIENT_ADDRESS_HEADER,
  });
  const app = createApp({
    verify: createVerifier(secrets),
    signaler,
    logger,
    metrics: createIngestMetrics(),
    maxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
    deadlineMs: config.INGEST_DEADLINE_MS,
    retryAfterSeconds: config.INGEST_RETRY_AFTER_SECONDS,
    digests,
    connections,
    transcripts: pool && {
      transcripts: createPostgresTranscriptStore(pool, links, config.PAYLOAD_ENCRYPTION_KEYS),
      linkKeys: createPostgresLinkKeys(pool),
      linkSecret: links.secret,
    },
  });

  const server: Server = await listenHttp(
    app,
    config.PORT,
    undefined,
    {
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
    connections,
  );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;

  return {
    port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await signaler.drain();
      await connection.close();
      await digests.close();
      await pool?.end();
    },
  };
}
