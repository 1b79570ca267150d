import type { SessionCreatedEvent, SessionEndedEvent } from '../events/schemas';
import type { SeenEvent, SessionEventSignal } from '../shared/definitions';

/**
 * What a session workflow has received. Delivery is at-least-once, so the same event can be signalled many times:
 * it is kept once, by svix-id, and only the first of each event type counts (the platform sends each once per
 * session; a second `session.ended` under a new svix-id must still not rerun the post-call work).
 */
export class SessionLedger {
  readonly seen: SeenEvent[] = [];
  duplicatesIgnored = 0;
  created?: SessionCreatedEvent;
  ended?: SessionEndedEvent;

  /** Records the event; returns false when it was already seen. */
  accept({ svixId, receivedAt, event }: SessionEventSignal): boolean {
    // A redelivery keeps its svix-id and so its event type: one check covers both kinds of repeat.
    if (this.seen.some((s) => s.eventType === event.eventType)) {
      this.duplicatesIgnored += 1;
      return false;
    }
    this.seen.push({ eventType: event.eventType, svixId, receivedAt });
    if (event.eventType === 'session.created') this.created = event;
    else this.ended = event;
    return true;
  }
}
