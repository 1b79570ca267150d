import { sleep } from '@temporalio/workflow';
import type { SinkWriteFailure } from '../activities';
import type { ContactDetails, ExternalEvent, StepFailure } from '../contracts';
import { failureMessage, writeEverywhere, writeToSink, type Recipients } from './activityProxies';

/** The longest Retry-After a shared write's failure waits for before the system's own write: a write's max backoff. */
const MAX_RETRY_AFTER_MS = 10 * 60 * 1000;

/**
 * The writes of one workflow to the external systems, in the background: sent at once, in order, and settled at the
 * workflow's end. One activity per event writes every system while they all answer: an activity attempt is a billed
 * action, and in the usual case every system takes every event at the first try. Failures stay each system's own:
 * the shared activity reports which systems failed instead of retrying them, and a system that failed retryably
 * leaves the shared path for the rest of the workflow, taking this event and every later one in its own queue (an
 * activity per event, retried for 24 hours, shown apart in the Web UI). So a system that is down delays only its own
 * writes, never the transcript, the follow-up or the automations; a final refusal is a failure at once.
 */
export class ExternalWrites {
  private shared: Promise<void> = Promise.resolve();
  private sent = 0;
  /** Systems that failed a shared write: they take their events in their own queue from then on. */
  private readonly onTheirOwn = new Set<string>();
  private readonly own: SystemQueues;

  constructor(
    private readonly to: Recipients,
    private readonly onFailure: (failure: StepFailure) => void,
  ) {
    this.own = new SystemQueues(to, onFailure);
  }

  /** Queues the event (and, beside it, how a CRM finds the customer) for every external system; returns at once. */
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
    for (const sink of this.onTheirOwn) this.own.send(sink, event, contact);
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
      this.own.send(sink, event, contact, retryAfterMs && Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
    }
  }
}

/**
 * One queue per external system that left the shared path: each system receives its events in order, one after the
 * other, independently of the other systems, each write its own activity with the 24-hour budget.
 */
class SystemQueues {
  private readonly queues = new Map<string, Promise<void>>();
  private sent = 0;

  constructor(
    private readonly to: Recipients,
    private readonly onFailure: (failure: StepFailure) => void,
  ) {}

  /** Queues the event for one system, after the events already queued for it; `afterMs` when it asked to wait. */
  send(sink: string, event: ExternalEvent, contact: ContactDetails, afterMs?: number): void {
    this.sent += 1;
    const previous = this.queues.get(sink) ?? Promise.resolve();
    const next = (afterMs ? previous.then(() => sleep(afterMs)) : previous).then(() =>
      writeToSink(sink, event, contact, this.to.sharing).catch((err: unknown) =>
        this.onFailure({ step: `record ${event.kind} in ${sink}`, message: failureMessage(err) }),
      ),
    );
    this.queues.set(sink, next);
  }

  async settled(): Promise<void> {
    for (let seen = -1; seen !== this.sent;) {
      seen = this.sent;
      await Promise.all(this.queues.values());
    }
  }
}
