import { randomUUID } from 'node:crypto';
import { sign } from '../../src/dev/signing';

/*
 * Delivers to the webhook endpoint as Svix does: each attempt of a message is signed afresh (same svix-id, new
 * timestamp), a non-2xx answer or a connection error is retried on a schedule, and a message that is never accepted
 * is dead-lettered. Svix's own schedule (5 s, 5 min, 30 min, 2 h, ...) is compressed to about 30 s so a run stays
 * short; that still outlasts an API restart or a Temporal restart.
 */

const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 15_000];
const ATTEMPT_TIMEOUT_MS = 15_000; // Svix's own

/** Who sends a delivery, which decides what it must be answered and what is retried. */
export type DeliveryClass =
  | 'genuine' // the run's sessions, signed with the endpoint's secret
  | 'platform' // the webhooks of the calls follow-ups place (from the fake Agntix)
  | 'forged' // signed with another secret
  | 'stale' // validly signed 10 minutes ago
  | 'tampered' // validly signed, then the body changed
  | 'fuzz-unsigned' // generated bodies without a valid signature
  | 'fuzz-signed' // generated bodies, validly signed
  | 'named-hostile'; // the hostile payloads, validly signed

export const SIGNED_CLASSES: readonly DeliveryClass[] = ['genuine', 'platform', 'fuzz-signed', 'named-hostile'];
export const REFUSED_CLASSES: readonly DeliveryClass[] = ['forged', 'stale', 'tampered', 'fuzz-unsigned'];

export interface Attempt {
  status?: number;
  error?: string;
}

export interface Delivery {
  cls: DeliveryClass;
  /** What was sent, for the report: an event name, a fuzz family, a hostile case. */
  label: string;
  sessionId?: string;
  svixId: string;
  bodyBytes: number;
  attempts: Attempt[];
  final?: 'accepted' | 'refused' | 'dead-lettered';
  /** The last answer's JSON body, when it had one. */
  answer?: Record<string, unknown>;
}

export interface Message {
  cls: DeliveryClass;
  label: string;
  sessionId?: string;
  body: string;
  /** The signature headers of one attempt; undefined sends none. */
  headers?: (svixId: string, body: string) => Record<string, string>;
  /** The body actually sent, when it differs from the one signed (tampering). */
  sentBody?: string;
  svixId?: string;
}

/** Headers of a genuine Svix attempt: signed now with the endpoint's secret. */
export const signedBy =
  (secret: string, timestamp?: () => Date) =>
  (svixId: string, body: string): Record<string, string> =>
    sign(secret, undefined, { msgId: svixId, body, timestamp: timestamp?.() }).headers;

const isRetried = (cls: DeliveryClass, attempt: Attempt): boolean => {
  if (attempt.status === undefined) return true; // no answer at all: every sender tries again
  if (attempt.status >= 200 && attempt.status < 300) return false;
  if (cls === 'genuine' || cls === 'platform') return true; // Svix retries every non-2xx
  return (cls === 'fuzz-signed' || cls === 'named-hostile') && attempt.status >= 500;
};

export function createSvix(url: string) {
  const deliveries: Delivery[] = [];
  const pending = new Set<Promise<Delivery>>();

  async function attempt(body: string, headers: Record<string, string>): Promise<Attempt & { json?: unknown }> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      return { error: cause?.code ?? (err as Error).name };
    }
  }

  async function run(message: Message): Promise<Delivery> {
    const svixId = message.svixId ?? `msg_${randomUUID().replace(/-/g, '')}`;
    const sent = message.sentBody ?? message.body;
    const delivery: Delivery = {
      cls: message.cls,
      label: message.label,
      sessionId: message.sessionId,
      svixId,
      bodyBytes: Buffer.byteLength(sent),
      attempts: [],
    };
    deliveries.push(delivery);
    for (let i = 0; ; i++) {
      const headers = message.headers?.(svixId, message.body) ?? {};
      const { json, ...result } = await attempt(sent, headers);
      delivery.attempts.push(result);
      if (typeof json === 'object' && json !== null) delivery.answer = json as Record<string, unknown>;
      if (!isRetried(message.cls, result)) {
        const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
        delivery.final = ok ? 'accepted' : 'refused';
        return delivery;
      }
      const delay = RETRY_DELAYS_MS[i];
      if (delay === undefined) {
        delivery.final = 'dead-lettered';
        return delivery;
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  return {
    deliveries,
    /** Messages still being delivered (retries included). */
    get pending() {
      return pending.size;
    },
    /** Sends one message (with its retries) in the background; `settled` waits for all of them. */
    send(message: Message): Promise<Delivery> {
      const p = run(message);
      pending.add(p);
      void p.finally(() => pending.delete(p));
      return p;
    },
    async settled(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

export type Svix = ReturnType<typeof createSvix>;
