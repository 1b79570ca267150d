import { randomUUID } from 'node:crypto';
import { example } from '../../src/dev/examples';
import { scriptedTranscript, sessionCreatedEvent, sessionEndedEvent } from '../../src/dev/sandbox/script';
import type { Dice } from './random';
import type { FaultSettings } from './settings';

/** How a planned session ends, as the platform sees it. */
export type SessionKind = 'ends' | 'end-lost' | 'never-ends' | 'ends-late';
export type EventName = 'session.created' | 'session.ended';

export interface PlannedSession {
  id: string;
  kind: SessionKind;
  callback: boolean;
  created: Record<string, unknown>;
  ended: Record<string, unknown>;
  messages: Array<Record<string, unknown>>;
  /** Milliseconds after the traffic starts: when the call begins, and when the platform considers it over. */
  beginsAt: number;
  endsAt?: number;
  /** For an `ends-late` session: whether its session.ended comes inside the expired run's late-end window. */
  lateEnd?: LateEnd;
  /** Every delivery of the session's events, in the (shuffled) order they are sent. */
  deliveries: Array<{ at: number; event: EventName }>;
}

/**
 * When an `ends-late` session's session.ended is first sent, after its beginning. Under the suite's timers
 * (serviceTimers: 20 s ttl + 10 s grace, then checks at once and twice 10 s apart) a session expires about 50 to 62 s
 * after its created arrives and listens for a late end for 30 s more (SESSION_LATE_END_WINDOW_SECONDS). Every other
 * late end comes inside that window, to be taken by the expired run; the rest well after it, to be taken by a new run
 * that follows the expiry. Each then has 0 to 6 s of redeliveries.
 */
const LATE_END_MS = { 'inside-window': 66_000, 'after-window': 110_000 } as const;
export type LateEnd = keyof typeof LATE_END_MS;

/**
 * The sessions of one run. Each event is one Svix message delivered `redeliveries` times; a session's deliveries take
 * shuffled slots within a few seconds, so session.ended often arrives before session.created, and duplicates interleave.
 */
export function planSessions(settings: FaultSettings, dice: Dice): PlannedSession[] {
  const n = settings.sessions;
  const kinds: SessionKind[] = dice.shuffle([
    ...Array<SessionKind>(Math.round(n * settings.neverEndsShare)).fill('never-ends'),
    ...Array<SessionKind>(Math.round(n * settings.lostEndShare)).fill('end-lost'),
    ...Array<SessionKind>(Math.round(n * settings.lateEndShare)).fill('ends-late'),
  ]);
  while (kinds.length < n) kinds.splice(dice.int(0, kinds.length), 0, 'ends');
  const endingIndexes = kinds.flatMap((kind, i) => (kind === 'never-ends' ? [] : [i]));
  const callbacks = new Set(dice.shuffle(endingIndexes).slice(0, Math.round(n * settings.callbackShare)));
  const variables = example<{ metadata: { sessionVariables: Record<string, string> } }>(
    'session-created.voice-outbound.json',
  ).metadata.sessionVariables;
  const spacing = (settings.trafficSeconds * 1000) / Math.max(1, n);
  let lateEnds = 0;

  return kinds.map((kind, i) => {
    const script = {
      id: randomUUID(),
      variables: { ...variables, crmContactId: `CRM-F${String(i).padStart(4, '0')}`, taskId: `TASK-F${i}` },
      messages: scriptedTranscript(),
    };
    const callback = callbacks.has(i);
    const beginsAt = Math.round(i * spacing + dice() * spacing);
    const events: EventName[] = [
      ...Array<EventName>(settings.redeliveries).fill('session.created'),
      ...(kind === 'ends' ? Array<EventName>(settings.redeliveries).fill('session.ended') : []),
    ];
    const slots = events.map(() => beginsAt + dice.int(0, 12_000)).sort((a, b) => a - b);
    const deliveries = dice.shuffle(events).map((event, k) => ({ at: slots[k]!, event }));
    const lateEnd: LateEnd | undefined =
      kind === 'ends-late' ? (lateEnds++ % 2 === 0 ? 'inside-window' : 'after-window') : undefined;
    if (lateEnd) {
      const late = Array.from(
        { length: settings.redeliveries },
        () => beginsAt + LATE_END_MS[lateEnd] + dice.int(0, 6_000),
      );
      deliveries.push(...late.sort((a, b) => a - b).map((at) => ({ at, event: 'session.ended' as const })));
    }
    const firstEnded = deliveries.find((d) => d.event === 'session.ended')?.at;
    // The platform's state says CLOSED just before session.ended is sent; a lost one closes a few seconds in.
    const endsAt = kind === 'never-ends' ? undefined : Math.max(beginsAt, (firstEnded ?? beginsAt + 5_000) - 500);
    return {
      id: script.id,
      kind,
      callback,
      created: sessionCreatedEvent(script),
      ended: sessionEndedEvent(script, { callbackRequested: callback }),
      messages: script.messages,
      beginsAt,
      endsAt,
      ...(lateEnd ? { lateEnd } : {}),
      deliveries,
    };
  });
}
