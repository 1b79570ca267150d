import { sleep } from '@temporalio/workflow';
import type { SinkWriteFailure } from '../activities';
import type { ContactDetails, ExternalEvent, StepFailure } from '../contracts';
import { failureMessage, writeEverywhere, writeToSink, type Recipients } from './activityProxies';

/** The longest Retry-After a shared write's failure waits for before the system's own write: a write's max backoff. */
const MAX_RETRY_AFTER_MS = 10 * 60 * 1000;

/**
 * The writes of one workflow to the external systems, in the background: the workflow's own steps never wait for
 * them, and it awaits them once, at its end. One activity per event for all the systems while they all answer (an
 * activity attempt is a billed action, and in the usual case every system takes every event at the first try).
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
      await Promise.all(this.own.values());
    }
  }

  private async write(event: ExternalEvent, contact: ContactDetails): Promise<void> {
    const together = this.to.sinks.filter((sink) => !this.own.has(sink));
    for (const sink of this.own.keys()) this.sendOnItsOwn(sink, event, contact);
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
      // A Retry-After is honoured as Temporal would honour it in the system's own activity (bounded: a payload of
      // the system's answer must not park the write for days; the own activity's backoff takes over past it).
      this.sendOnItsOwn(sink, event, contact, retryAfterMs && Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
    }
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
