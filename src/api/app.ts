import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../logging';
import { traceRequests } from '../observability/httpTracing';
import type { ConnectionBudget } from './connectionBudget';
import type { DeliveryDigests } from './deliveries/digests';
import type { IngestMetrics } from './metrics';
import type { SessionSignaler } from './sessionSignaler';
import { transcriptRouter, type TranscriptRouteDeps } from './transcriptRoute';
import type { Verification } from './signature';
import { webhookRouter } from './webhookRoute';

/** Everything the ingest app needs, built once by the entry point (src/api/server.ts) or a test. */
export interface AppDeps {
  verify: (raw: Buffer, headers: Request['headers']) => Verification;
  signaler: SessionSignaler;
  logger: Logger;
  metrics: IngestMetrics;
  maxBodyBytes: number;
  deadlineMs: number;
  retryAfterSeconds: number;
  /** The first body of each Svix message (src/api/deliveries); without it a conflicting body is not detected. */
  digests?: DeliveryDigests;
  /** Told which connections carried a signed delivery, so idle ones that did not give way first. */
  connections?: Pick<ConnectionBudget, 'markSigned'>;
  /** Serves the signed transcript links when transcripts live in the shared store (DATABASE_URL). */
  transcripts?: Omit<TranscriptRouteDeps, 'logger'>;
}

/** Builds the HTTP app. Tests pass a real signaler pointed at the test server. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    try {
      await deps.signaler.ping(new Date(Date.now() + 2000));
      res.json({ status: 'ready' });
    } catch (err) {
      // The gRPC error names internal addresses and TLS details: the log has it, the (often public) probe does not.
      deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'readiness: Temporal did not answer');
      res.status(503).json({ status: 'unavailable', message: 'Temporal did not answer' });
    }
  });

  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.use('/webhooks/agntix', traceRequests('/webhooks/agntix'));
  app.use(webhookRouter(deps));
  if (deps.transcripts) app.use(transcriptRouter({ ...deps.transcripts, logger: deps.logger }));

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });

  app.use((err: { status?: number; message?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status ?? 500;
    if (status >= 500) deps.logger.error({ err }, 'request failed');
    res
      .status(status)
      .json(
        status >= 500
          ? { error: 'internal_error', message: 'internal error' }
          : { error: 'bad_request', message: err.message },
      );
  });

  return app;
}
