import type { AgntixEventSignal, SeenEvent, SessionCreatedEvent, SessionEndedEvent } from '../../contracts';

/**
 * What a session workflow has received. Delivery is at-least-once, so an event can be signalled many times: only
 * the first of each event type counts, whatever its svix-id. A redelivery keeps its svix-id and its type, and the
 * platform sends each type once per session, so a second `session.ended` under a new svix-id is a repeat too and
 * must not rerun the post-call work. Repeats are counted, never stored.
 */
export class SessionLedger {
  readonly seen: SeenEvent[] = [];
  duplicatesIgnored = 0;
  created?: SessionCreatedEvent;
  ended?: SessionEndedEvent;

  /** Records the event; returns false when one of its type was already seen. */
  accept({ svixId, receivedAt, event }: AgntixEventSignal): boolean {
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
