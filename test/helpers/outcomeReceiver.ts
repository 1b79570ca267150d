import express from 'express';
import { listenOnLoopback } from '../../src/dev/sandbox/loopbackServer';
import { Webhook } from 'svix';

/**
 * A receiver of the outcome webhook, as a Zapier/n8n/CRM middleware would be: verifies the Standard Webhooks
 * signature, dedupes on webhook-id, and can be told to fail the first N attempts of a kind with 500.
 */
export async function startOutcomeReceiver(secret: string) {
  const webhook = new Webhook(secret);
  const recorded = new Map<string, { type: string; data: Record<string, unknown> }>();
  const attempts: string[] = [];
  const failFirst = new Map<string, number>();
  const app = express();
  app.post('/outcomes', express.raw({ type: '*/*' }), (req, res) => {
    let body: { type: string; data: Record<string, unknown> };
    try {
      webhook.verify(req.body as Buffer, req.headers as Record<string, string>);
      body = JSON.parse((req.body as Buffer).toString('utf8')) as typeof body;
    } catch {
      res.status(401).end();
      return;
    }
    attempts.push(body.type);
    const remaining = failFirst.get(body.type) ?? 0;
    if (remaining > 0) {
      failFirst.set(body.type, remaining - 1);
      res.status(500).end();
      return;
    }
    recorded.set(req.header('webhook-id')!, body);
    res.status(204).end();
  });
  const { url, close } = await listenOnLoopback(app);
  return {
    url: `${url}/outcomes`,
    recorded,
    attempts,
    failFirst,
    forSession: (sessionId: string) => [...recorded.values()].filter((r) => r.data.sessionId === sessionId),
    close,
  };
}
