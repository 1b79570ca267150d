import { sleep } from '@temporalio/workflow';
import type { SinkWriteFailure } from '../activities';
import type { ContactDetails, ExternalEvent, StepFailure } from '../contracts';
import { MAX_RETRY_AFTER_MS } from '../contracts/failures';
import { failureMessage, writeEverywhere, writeToSink, type Recipients } from './activityProxies';

/**
 * The writes of one workflow to the external systems, in the background: the workflow's own steps never wait for
 * them, and it awaits them once, at its end. One activity per event (or per batch, `sendWith`) for all the systems
 * while they all answer (an activity attempt is a billed action, and in the usual case every system takes every event at the first try).
 * Failures stay each system's own: a system that failed retryably leaves the shared write for the rest of the
 * workflow and takes this event and every later one in its own queue (one activity per event, retried for 24 hours,
 * shown apart in the Web UI), so a system that is down delays only its own writes; a final refusal is a failure at once.
 */
export class OutcomeWrites {
  private shared: Promise<void> = Promise.resolve();
  private readonly own = new Map<string, Promise<void>>();
  private sent = 0;

  constructor(
    private readonly to: Recipients,
    private readonly onFailure: (failure: StepFailure) => void,
  ) {}

  /**
   * Queues the event for every external system (or those named), after the events before it; returns at once.
   * `local` writes it in a local activity (./activityProxies.ts: only for news sent while a local activity holds
   * the workflow task open, where it costs no action of its own).
   */
  send(event: ExternalEvent, contact: ContactDetails, how: { sinks?: string[]; local?: boolean } = {}): void {
    this.sent += 1;
    const sinks = how.sinks ?? this.to.sinks;
    this.shared = this.shared.then(() =>
      this.write([event], contact, sinks, undefined, how.local).then(() => undefined),
    );
  }

  /**
   * Writes `events` and, in the same activity, `handedOver`: news another workflow goes on to tell (a follow-up's
   * scheduling). The events are this workflow's, queued as `send` queues them; the handed-over one is written only
   * where the shared write takes it, never queued here, so that the other workflow's later news reaches each system
   * after it. Resolves, once written, with the systems that took it; the other workflow tells the rest.
   */
  async sendWith(events: ExternalEvent[], handedOver: ExternalEvent, contact: ContactDetails): Promise<string[]> {
    this.sent += 1;
    const written = this.shared.then(() => this.write(events, contact, this.to.sinks, handedOver));
    this.shared = written.then(() => undefined);
    return written;
  }

  /** Settles when every queued write has landed or given up. */
  async settled(): Promise<void> {
    for (let seen = -1; seen !== this.sent;) {
      seen = this.sent;
      await this.shared;
      await Promise.all(this.own.values());
    }
  }

  /** One shared activity for the events and a handed-over one; resolves with the systems that took the handed-over. */
  private async write(
    events: ExternalEvent[],
    contact: ContactDetails,
    sinks: string[],
    handedOver?: ExternalEvent,
    local?: boolean,
  ): Promise<string[]> {
    const together = sinks.filter((sink) => !this.own.has(sink));
    for (const sink of sinks)
      if (this.own.has(sink)) for (const event of events) this.sendOnItsOwn(sink, event, contact);
    if (together.length === 0) return [];
    const all = handedOver ? [...events, handedOver] : events;
    const failures = await writeEverywhere(together, all, contact, this.to.sharing, local).catch((err: unknown) => {
      // The shared activity itself gave up (its attempts timed out): every system in it goes on in its own queue.
      const message = failureMessage(err);
      return together.flatMap((sink) =>
        all.map((e): SinkWriteFailure => ({ sink, key: e.idempotencyKey, message, final: false })),
      );
    });
    for (const { sink, key, message, final, retryAfterMs } of failures) {
      const event = events.find((e) => e.idempotencyKey === key);
      if (!event) continue; // the handed-over event: the workflow it is about tells this system itself
      if (final) {
        this.onFailure({ step: `record ${event.kind} in ${sink}`, message });
        continue;
      }
      // A Retry-After is honoured as Temporal would honour it in the system's own activity (bounded: a payload of
      // the system's answer must not park the write for days; the own activity's backoff takes over past it).
      this.sendOnItsOwn(sink, event, contact, retryAfterMs && Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
    }
    return together.filter((sink) => !failures.some((f) => f.sink === sink && f.key === handedOver?.idempotencyKey));
  }

  /** Queues the event in the system's own queue, after the events already in it; `afterMs` for a Retry-After. */
  private sendOnItsOwn(sink: string, event: ExternalEvent, contact: ContactDetails, afterMs?: number): void {
    this.sent += 1;
    const previous = this.own.get(sink) ?? Promise.resolve();
    const next = (afterMs ? previous.then(() => sleep(afterMs)) : previous).then(() =>
      writeToSink(sink, event, contact, this.to.sharing).catch((err: unknown) =>
        this.onFailure({ step: `record ${event.kind} in ${sink}`, message: failureMessage(err) }),
      ),
    );
    this.own.set(sink, next);
  }
}
