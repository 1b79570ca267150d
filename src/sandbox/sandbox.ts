import express from 'express';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signedDelivery } from './deliver';
import { scriptedTranscript, sessionCreatedEvent, sessionEndedEvent, type SandboxSession } from './script';

/*
 * A local stand-in for Agntix, so the whole pipeline runs on a fresh machine with no account: it implements the
 * documented endpoints this service calls (session detail, paged messages, calls/start; API.md 7.1-7.3) and sends
 * properly signed webhooks to the service, as Svix would. `npm start` runs it when no AGNTIX_API_KEY is set.
 */

export const SANDBOX_API_KEY = 'pk_sandbox_local';
export const SANDBOX_PHONE_NUMBER_ID = '00000000-0000-4000-8000-00000000a9e1';

export interface SandboxOptions {
  port: number;
  /** Where to deliver webhooks, e.g. http://localhost:3000/webhooks/agntix. */
  webhookUrl: string;
  webhookSecret: string;
  /** Seconds a follow-up call "lasts" before its session.ended. */
  callSeconds?: number;
  log?: (line: string) => void;
}

export interface Sandbox {
  url: string;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const log = options.log ?? (() => undefined);
  const sessions = new Map<string, SandboxSession>();
  const app = express();
  app.use(express.json({ limit: '256kb' }));

  const deliver = async (event: Record<string, unknown>) => {
    const { status, body } = await signedDelivery(options.webhookUrl, options.webhookSecret, event);
    log(`sandbox → ${String(event.eventType)} ${String(event.id)}: ${status} ${JSON.stringify(body)}`);
    return { status, body };
  };

  // The demo's controls: start a scripted outbound call, then end it with a callback request.
  app.post('/sandbox/sessions', async (_req, res) => {
    const session: SandboxSession = {
      id: randomUUID(),
      state: 'OPEN',
      variables: undefined,
      messages: scriptedTranscript(),
    };
    sessions.set(session.id, session);
    res.json({ sessionId: session.id, delivery: await deliver(sessionCreatedEvent(session)) });
  });
  app.post('/sandbox/sessions/:id/end', async (req, res) => {
    const session = sessions.get(req.params.id);
    if (!session) return void res.status(404).json({ error: 'unknown sandbox session' });
    session.state = 'CLOSED';
    res.json({
      sessionId: session.id,
      delivery: await deliver(sessionEndedEvent(session, { callbackRequested: true })),
    });
  });

  // The Agntix API, as documented. Everything below requires the sandbox key, like the real x-api-key.
  const api = express.Router();
  api.use((req, res, next) => {
    if (req.header('x-api-key') === SANDBOX_API_KEY) return next();
    res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'unknown API key', requestId: 'req_sandbox' } });
  });
  const notFound = (res: express.Response) =>
    res
      .status(404)
      .json({ error: { code: 'SESSION_NOT_FOUND', message: 'Session not found', requestId: 'req_sandbox' } });
  api.get('/api/v1/chat/sessions/:id', (req, res) => {
    const session = sessions.get(req.params.id);
    if (!session) return void notFound(res);
    // The detail is the webhook's shape without its event name (API.md 7.2).
    const detail =
      session.state === 'CLOSED' ? sessionEndedEvent(session, session.outcome) : sessionCreatedEvent(session);
    delete detail.eventType;
    res.json(detail);
  });
  api.get('/api/v1/chat/sessions/:id/messages', (req, res) => {
    const session = sessions.get(req.params.id);
    if (!session) return void notFound(res);
    // A small page size of its own, whatever is asked for, so the service's paging is exercised.
    const limit = Math.min(Number(req.query.limit ?? 50) || 50, 4);
    const page = Math.max(1, Number(req.query.page ?? 1) || 1);
    res.json({
      data: session.messages.slice((page - 1) * limit, page * limit),
      pagination: {
        page,
        limit,
        total: session.messages.length,
        totalPages: Math.ceil(session.messages.length / limit),
      },
    });
  });
  api.post('/api/v1/phone-numbers/:id/calls/start', (req, res) => {
    const body = req.body as { to_phone_number?: string; session_variables?: Record<string, string> };
    if (req.params.id !== SANDBOX_PHONE_NUMBER_ID || !body.to_phone_number) {
      return void res.status(422).json({ detail: [{ loc: ['body', 'to_phone_number'], msg: 'field required' }] });
    }
    const session: SandboxSession = {
      id: randomUUID(),
      state: 'OPEN',
      variables: body.session_variables ?? {},
      messages: scriptedTranscript(),
    };
    sessions.set(session.id, session);
    res.json({ sessionId: session.id });
    log(`sandbox ← calls/start: follow-up call ${session.id} (attempt ${session.variables?.followUpAttempt ?? '?'})`);
    // The call rings and is answered: its own webhooks follow, like the platform's.
    setTimeout(() => {
      void deliver(sessionCreatedEvent(session)).then(() =>
        setTimeout(
          () => {
            session.state = 'CLOSED';
            session.outcome = { callbackRequested: false };
            void deliver(sessionEndedEvent(session, session.outcome));
          },
          (options.callSeconds ?? 3) * 1000,
        ),
      );
    }, 500);
  });
  app.use(api);

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
