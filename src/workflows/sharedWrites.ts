import type { SinkWriteFailure } from '../activities';
import type { ContactDetails, ExternalEvent, StepFailure } from '../contracts';
import { MAX_RETRY_AFTER_MS } from '../contracts/failures';
import { failureMessage, writeEverywhere, type Recipients } from './activityProxies';
import { ExternalWrites, type OutcomeWrites } from './externalWrites';

/**
 * The writes of one session to the external systems, one activity per event for all of them while they all answer:
 * an activity attempt is a billed action, and in the usual case every system takes every event at the first try.
 * Failures stay each system's own: the shared activity reports which systems failed instead of retrying them, and
 * a system that failed retryably leaves the shared path for the rest of the session, taking this event and every
 * later one in its own queue (ExternalWrites: an activity per event, retried for 24 hours, shown apart in the Web
 * UI). So a system that is down delays only its own writes; a final refusal is a failure at once.
 */
export class SharedWrites implements OutcomeWrites {
  private shared: Promise<void> = Promise.resolve();
  private sent = 0;
  /** Systems that failed a shared write: they take their events in their own queue from then on. */
  private readonly onTheirOwn = new Set<string>();
  private readonly own: ExternalWrites;

  constructor(
    private readonly to: Recipients,
    private readonly onFailure: (failure: StepFailure) => void,
  ) {
    this.own = new ExternalWrites(to, onFailure);
  }

  /** Queues the event for every external system, after the events before it; returns at once. */
  send(event: ExternalEvent, contact: ContactDetails): void {
    this.sent += 1;
    this.shared = this.shared.then(() => this.write(event, contact));
  }

  /** Settles when every queued write has landed or given up. */
  async settled(): Promise<void> {
    for (let seen = -1; seen !== this.sent;) {
      seen = this.sent;
      await this.shared;
    }
    await this.own.settled();
  }

  private async write(event: ExternalEvent, contact: ContactDetails): Promise<void> {
    const together = this.to.sinks.filter((sink) => !this.onTheirOwn.has(sink));
    for (const sink of this.onTheirOwn) this.own.sendTo(sink, event, contact);
    if (together.length === 0) return;
    const failures = await writeEverywhere(together, event, contact, this.to.sharing).catch((err: unknown) => {
      // The shared activity itself gave up (its attempts timed out): every system in it goes on in its own queue.
      const message = failureMessage(err);
      return together.map((sink): SinkWriteFailure => ({ sink, message, final: false }));
    });
    for (const { sink, message, final, retryAfterMs } of failures) {
      if (final) {
        this.onFailure({ step: `record ${event.kind} in ${sink}`, message });
        continue;
      }
      this.onTheirOwn.add(sink);
      // A Retry-After is honoured as Temporal would honour it in the system's own activity (bounded: a payload of
      // the system's answer must not park the write for days; the own activity's backoff takes over past it).
      this.own.sendTo(sink, event, contact, retryAfterMs && Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
    }
  }
}
