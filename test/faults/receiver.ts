import express from 'express';
import { listenOnLoopback } from '../../src/dev/sandbox/loopbackServer';
import { Webhook } from 'svix';
import type { Dice } from './random';

/** What the receiver holds for one idempotency key (webhook-id). */
export interface RecordedKey {
  type: string;
  data: Record<string, unknown>;
  /** Deliveries of this key that reached the record step (the first included). */
  deliveries: number;
  /** For each later delivery whose content differed from the first: the fields of `data` that differed. */
  differing: string[][];
}

/** JSON with sorted keys, so two bodies compare by content, not by key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * The outcome webhook's receiver, as a CRM middleware would be: verifies the Standard Webhooks signature and dedupes
 * on webhook-id. It keeps the first content of each key and compares every later delivery with it (recordedAt
 * aside). A share of posts fail: half are refused with 500 before recording, half are recorded and then the
 * connection is dropped, so the sender never learns it succeeded and sends again.
 */
export async function startFaultyReceiver(secret: string, failShare: number, dice: Dice) {
  const webhook = new Webhook(secret);
  const keys = new Map<string, RecordedKey>();
  const counts = { posts: 0, refused: 0, answerLost: 0, badSignature: 0 };

  const app = express();
  app.post('/outcomes', express.raw({ type: '*/*', limit: '5mb' }), (req, res) => {
    counts.posts++;
    let body: { type: string; data: Record<string, unknown> };
    try {
      // svix 2 verifies only; the body is parsed once it is known to be genuine.
      webhook.verify(req.body as Buffer, req.headers as Record<string, string>);
      body = JSON.parse((req.body as Buffer).toString('utf8')) as typeof body;
    } catch {
      counts.badSignature++;
      return void res.status(401).end();
    }
    const fault = dice() < failShare ? (dice() < 0.5 ? 'refuse' : 'lose-answer') : undefined;
    if (fault === 'refuse') {
      counts.refused++;
      return void res.status(500).end();
    }
    const key = req.header('webhook-id') ?? '';
    const data = { ...body.data };
    delete data.recordedAt; // when it was recorded is not part of what was recorded
    const known = keys.get(key);
    if (!known) {
      keys.set(key, { type: body.type, data, deliveries: 1, differing: [] });
    } else {
      known.deliveries++;
      if (canonical(known.data) !== canonical(data)) {
        const fields = new Set([...Object.keys(known.data), ...Object.keys(data)]);
        known.differing.push([...fields].filter((f) => canonical(known.data[f]) !== canonical(data[f])));
      }
    }
    if (fault === 'lose-answer') {
      counts.answerLost++;
      return void res.socket?.destroy();
    }
    res.status(204).end();
  });

  const { url, close } = await listenOnLoopback(app);
  return {
    url: `${url}/outcomes`,
    keys,
    counts,
    close,
  };
}

export type FaultyReceiver = Awaited<ReturnType<typeof startFaultyReceiver>>;
