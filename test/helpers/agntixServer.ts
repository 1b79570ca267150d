import express from 'express';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake answers one calls/start request; the default places the call and returns its session id. */
export type CallBehaviour = { status: number; retryAfter?: string } | { hang: true };

export interface PlacedCallRecord {
  phoneNumberId: string;
  body: {
    to_phone_number: string;
    agent_id: string;
    ttl: number;
    session_variables: Record<string, string>;
  };
  at: number;
  /** The session id it answered with; undefined when it did not place the call (or hung). */
  sessionId?: string;
  status?: number;
}

export interface FakeSession {
  detail?: Record<string, unknown>;
  messages?: Array<Record<string, unknown>>;
}

/**
 * A local Agntix API following the documented contract (API.md 7.2, 7.3, 9): x-api-key auth, session detail,
 * paged messages with its own page size (it clamps `limit` silently, as the docs say), the documented error envelope.
 */
export async function startFakeAgntix(apiKey: string, pageSize = 3) {
  const sessions = new Map<string, FakeSession>();
  const requests: string[] = [];
  const calls: PlacedCallRecord[] = [];
  const callScript: CallBehaviour[] = [];
  const app = express();
  app.use((req, res, next) => {
    requests.push(`${req.method} ${req.path}`);
    if (req.header('x-api-key') !== apiKey) {
      res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'bad key', requestId: 'req_auth' } });
      return;
    }
    next();
  });
  const notFound = (res: express.Response) =>
    res.status(404).json({ error: { code: 'SESSION_NOT_FOUND', message: 'Session not found', requestId: 'req_404' } });
  app.get('/api/v1/chat/sessions/:id', (req, res) => {
    const detail = sessions.get(req.params.id)?.detail;
    if (!detail) return void notFound(res);
    res.json(detail);
  });
  app.get('/api/v1/chat/sessions/:id/messages', (req, res) => {
    const messages = sessions.get(req.params.id)?.messages;
    if (!messages) return void notFound(res);
    const limit = Math.min(Number(req.query.limit ?? 50), pageSize);
    const page = Math.max(1, Number(req.query.page ?? 1));
    res.json({
      data: messages.slice((page - 1) * limit, page * limit),
      pagination: { page, limit, total: messages.length, totalPages: Math.ceil(messages.length / limit) },
    });
  });
  // POST calls/start (API.md 7.1): the call is "placed" on a 2xx; a hang receives the request and never answers.
  app.post('/api/v1/phone-numbers/:id/calls/start', express.json(), (req, res) => {
    const record: PlacedCallRecord = {
      phoneNumberId: req.params.id,
      body: req.body as PlacedCallRecord['body'],
      at: Date.now(),
    };
    calls.push(record);
    const behaviour = callScript.shift() ?? { status: 200 };
    if ('hang' in behaviour) return;
    record.status = behaviour.status;
    if (behaviour.status >= 200 && behaviour.status < 300) {
      record.sessionId = randomUUID();
      res.status(behaviour.status).json({ sessionId: record.sessionId });
      return;
    }
    if (behaviour.retryAfter) res.setHeader('Retry-After', behaviour.retryAfter);
    res.status(behaviour.status).json({ error: { code: 'RATE_LIMITED', message: 'slow down', requestId: 'req_429' } });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sessions,
    requests,
    calls,
    callScript,
    /** Calls that placed a call (2xx). */
    placed: () => calls.filter((c) => c.sessionId !== undefined),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
export type FakeAgntix = Awaited<ReturnType<typeof startFakeAgntix>>;
