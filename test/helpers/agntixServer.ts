import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sessions,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type FakeAgntix = Awaited<ReturnType<typeof startFakeAgntix>>;
