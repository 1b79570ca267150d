import type { Payload, PayloadCodec } from '@temporalio/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createServer, type Server } from 'node:http';
import { z } from 'zod';
import type { Config } from '../config';
import type { Logger } from '../logging';
import { codecAuth, type CodecAuth } from './codecAuth';
import { dataConverterFor } from './dataConverter';

/*
 * The remote codec endpoint the Temporal Web UI (and `temporal --codec-endpoint`) decodes payloads through, as
 * Temporal specifies it: POST /decode and /encode with `{ payloads: [...] }` of JSON-form payloads (base64 metadata
 * values and data), the namespace in X-Namespace, the user's token in Authorization. The browser calls it directly,
 * so it answers CORS for the UI's origin only.
 */

/** The development Web UI of `npm start`: the dev server's, on TEMPORAL_DEV_UI_PORT (gRPC port + 1000). */
export const devUiOrigins = (uiPort = 8233) => [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`];

// `temporal --codec-endpoint` encodes an absent input as `{}` (protobuf JSON leaves out an empty list).
const JsonPayloads = z.object({
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), z.string().max(4096)).nullish(),
        data: z.string().nullish(),
      }),
    )
    .max(10_000)
    .default([]),
});
type JsonPayload = z.infer<typeof JsonPayloads>['payloads'][number];

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: data ? Buffer.from(data, 'base64') : undefined,
});

const toJson = ({ metadata, data }: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: data ? Buffer.from(data).toString('base64') : undefined,
});

export interface CodecAppOptions {
  codec: PayloadCodec;
  /** Origins of the Web UI allowed to call from a browser. */
  origins: string[];
  /** Undefined: no authentication (development, on the loopback interface only). */
  auth?: CodecAuth;
  /**
   * Host names (with port) a request may name. Set for the unauthenticated development server: a page the developer
   * visits could otherwise point a DNS name at 127.0.0.1 and read decoded payloads (DNS rebinding).
   */
  hosts?: string[];
  /** The namespace whose payloads it serves; a request for another is refused. */
  namespace: string;
  logger: Logger;
  maxBodyBytes?: number;
}

/** The codec server's HTTP app. */
export function createCodecApp(options: CodecAppOptions): express.Express {
  const { codec, auth, logger } = options;
  const origins = new Set(options.origins);
  const app = express();
  app.disable('x-powered-by');

  if (options.hosts) app.use(loopbackOnly(new Set(options.hosts), origins, logger));

  app.use((req, res, next) => {
    const origin = req.header('origin');
    if (origin && origins.has(origin)) {
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Access-Control-Allow-Credentials', 'true');
    }
    res.vary('Origin');
    if (req.method !== 'OPTIONS') return next();
    // The preflight carries no credentials: it only says which origin, method and headers may follow.
    if (!origin || !origins.has(origin)) return void res.status(403).end();
    res.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.set('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    // A UI served from a public origin (Temporal Cloud) calling a codec server on a private network.
    if (req.header('access-control-request-private-network') === 'true') {
      res.set('Access-Control-Allow-Private-Network', 'true');
    }
    res.set('Access-Control-Max-Age', '600');
    res.status(204).end();
  });

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));

  const guard = async (req: Request, res: Response, next: NextFunction) => {
    const decision = auth ? await auth(req.header('authorization')) : { allowed: true as const };
    if (!decision.allowed) {
      // Who was refused and why; never the token, never what the request carried.
      logger.warn({ path: req.path, reason: decision.reason, subject: decision.subject }, 'codec request refused');
      return void res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized' });
    }
    const namespace = req.header('x-namespace');
    if (namespace && namespace !== options.namespace) {
      return void res
        .status(403)
        .json({ error: 'forbidden', message: `this codec serves namespace ${options.namespace}` });
    }
    next();
  };

  const json = express.json({ limit: options.maxBodyBytes ?? 8 * 1024 * 1024 });
  for (const [path, run] of [
    ['/decode', (p: Payload[]) => codec.decode(p)],
    ['/encode', (p: Payload[]) => codec.encode(p)],
  ] as const) {
    app.post(path, guard, json, async (req, res) => {
      const body = JsonPayloads.safeParse(req.body);
      if (!body.success) return void res.status(400).json({ error: 'invalid_payloads', message: body.error.message });
      try {
        const payloads = (await run(body.data.payloads.map(fromJson))).map(toJson);
        // An audit line: who asked is the token's business; what was read stays out of the log.
        logger.info({ path, namespace: req.header('x-namespace'), payloads: payloads.length }, 'codec request');
        res.json({ payloads });
      } catch (err) {
        res.status(400).json({ error: 'codec_failed', message: (err as Error).message });
      }
    });
  }

  app.use((_req, res) => void res.status(404).json({ error: 'not_found' }));
  app.use((err: { status?: number; message?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ err: err.message }, 'codec server failed');
    res.status(status).json({ error: status === 500 ? 'internal_error' : 'bad_request' });
  });
  return app;
}

/** Refuses a request naming a Host other than the loopback one it listens on, or a browser Origin not allowed. */
function loopbackOnly(hosts: Set<string>, origins: Set<string>, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const host = req.header('host')?.toLowerCase();
    const origin = req.header('origin');
    if (host && hosts.has(host) && (!origin || origins.has(origin))) return next();
    logger.warn({ path: req.path }, 'codec request refused: unexpected Host or Origin');
    res.status(403).json({ error: 'forbidden' });
  };
}

export interface RunningCodecServer {
  /** The endpoint to give the Web UI (`--ui-codec-endpoint`, or its "Configure data encoder" setting). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts the codec server from configuration. It needs the payload keys; in production, a bearer token or a
 * userinfo endpoint and the UI's origin too. Without authentication (development) it listens on 127.0.0.1 only.
 */
export async function startCodecServer(
  config: Config,
  logger: Logger,
  overrides: { port?: number; origins?: string[]; devUiPort?: number } = {},
): Promise<RunningCodecServer> {
  const production = config.NODE_ENV === 'production';
  const codec = dataConverterFor(config).payloadCodecs?.[0];
  if (!codec) throw new Error('Invalid configuration: PAYLOAD_ENCRYPTION_KEYS is required to run the codec server');
  const auth = codecAuth({
    tokens: config.CODEC_AUTH_TOKENS,
    userinfoUrl: config.CODEC_AUTH_USERINFO_URL,
    allowedUsers: config.CODEC_ALLOWED_USERS,
  });
  if (!auth && production) {
    throw new Error(
      'Invalid configuration: CODEC_AUTH_TOKENS or CODEC_AUTH_USERINFO_URL is required when NODE_ENV=production',
    );
  }
  if (production && config.CODEC_AUTH_USERINFO_URL && (config.CODEC_ALLOWED_USERS ?? []).length === 0) {
    throw new Error(
      'Invalid configuration: CODEC_ALLOWED_USERS is required with CODEC_AUTH_USERINFO_URL when NODE_ENV=production',
    );
  }
  const origins =
    overrides.origins ?? config.CODEC_CORS_ORIGINS ?? (production ? undefined : devUiOrigins(overrides.devUiPort));
  if (!origins) throw new Error('Invalid configuration: CODEC_CORS_ORIGINS is required when NODE_ENV=production');

  const host = auth ? undefined : '127.0.0.1';
  // Listening before the app exists: the Host check needs the port, known only once bound (port 0 in tests).
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(overrides.port ?? config.CODEC_SERVER_PORT, host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.CODEC_SERVER_PORT;
  const hosts = host ? { hosts: [`127.0.0.1:${port}`, `localhost:${port}`] } : {};
  server.on(
    'request',
    createCodecApp({ codec, origins, auth, namespace: config.TEMPORAL_NAMESPACE, logger, ...hosts }),
  );
  return {
    url: `http://${host ?? 'localhost'}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
