import { randomUUID } from 'node:crypto';
import { freshSession } from '../../src/dev/examples';
import { sign, type SignedDelivery } from '../../src/dev/signing';

const CREATED = 'session-created.voice-outbound.json';
const ENDED = 'session-ended.voice-callback-requested.json';

export interface PlannedSession {
  id: string;
  /** Messages the fake Agntix API holds for it (paged). */
  messages: number;
  callback: boolean;
}

/** Every fourth session asks for a callback; transcripts of 5 to 124 messages, so one to three pages. */
export function planSessions(count: number): PlannedSession[] {
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    messages: 5 + ((i * 7) % 120),
    callback: i % 4 === 0,
  }));
}

export interface Delivery {
  sessionId: string;
  /** Index of the API replica it goes to. */
  replica: number;
  label: 'created' | 'ended' | 'redelivery' | 'resent';
  signed: SignedDelivery;
}

/**
 * A session's deliveries in order, alternating between the replicas: created to one, ended to the other. Some are
 * delivered twice, as Svix does after a lost acknowledgement (the same svix-id, to the other replica), and some
 * are sent again by the platform (a new svix-id).
 */
export function deliveriesFor(session: PlannedSession, index: number, secret: string): Delivery[] {
  const created = freshSession(CREATED, session.id);
  const ended = freshSession(ENDED, session.id) as { analysis: { extractedData: Record<string, unknown> } };
  ended.analysis.extractedData.callbackRequested = session.callback;
  const first = index % 2;
  const other = 1 - first;
  const list: Delivery[] = [{ sessionId: session.id, replica: first, label: 'created', signed: sign(secret, created) }];
  if (index % 7 === 0)
    list.push({ sessionId: session.id, replica: other, label: 'resent', signed: sign(secret, created) });
  const endedDelivery = sign(secret, ended);
  list.push({ sessionId: session.id, replica: other, label: 'ended', signed: endedDelivery });
  if (index % 5 === 0) list.push({ sessionId: session.id, replica: first, label: 'redelivery', signed: endedDelivery });
  return list;
}

export interface DeliveryResult {
  status: number;
  outcome?: string;
  attempts: number;
}

/**
 * POSTs a delivery like Svix: a 5xx or a connection failure is retried (1 s apart here, minutes in production),
 * so every event is eventually acknowledged. The signature is recomputed per attempt only by Svix; the same
 * bytes are resent here, inside the 5-minute tolerance.
 */
export async function deliver(url: string, delivery: Delivery, maxAttempts = 30): Promise<DeliveryResult> {
  for (let attempts = 1; ; attempts++) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: delivery.signed.headers,
        body: delivery.signed.body,
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await res.json().catch(() => ({}))) as { status?: string };
      if (res.status < 500 || attempts >= maxAttempts) return { status: res.status, outcome: body.status, attempts };
    } catch {
      if (attempts >= maxAttempts) return { status: 0, attempts };
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function inParallel<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}
