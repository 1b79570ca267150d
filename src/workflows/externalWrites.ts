import type { ContactDetails, ExternalEvent, StepFailure } from '../contracts';
import { sleep } from '@temporalio/workflow';
import { failureMessage, writeToSink, type Recipients } from './activityProxies';

/** How a workflow hands its events to the external systems: at once, in order, and settled at its end. */
export interface OutcomeWrites {
  send(event: ExternalEvent, contact: ContactDetails): void;
  settled(): Promise<void>;
}

/**
 * The writes of one workflow to the external systems, in the background. Each system receives its events in order,
 * one after the other, independently of the other systems and of the workflow's own steps: a system that is down
 * delays only its own writes (for up to its retry budget), never the transcript, the follow-up or the automations.
 * The workflow waits for them once, at its end, and counts a write that gave up as a failure.
 */
export class ExternalWrites implements OutcomeWrites {
  private readonly queues = new Map<string, Promise<void>>();
  private sent = 0;

  constructor(
    private readonly to: Recipients,
    private readonly onFailure: (failure: StepFailure) => void,
  ) {}

  /** Queues the event (and, beside it, how a CRM finds the customer) for every external system; returns at once. */
  send(event: ExternalEvent, contact: ContactDetails): void {
    for (const sink of this.to.sinks) this.sendTo(sink, event, contact);
  }

  /**
   * Queues the event for one external system, after the events already queued for it; `afterMs` when the system
   * asked to be left alone that long first (a 429's Retry-After in a shared write: ../sharedWrites.ts).
   */
  sendTo(sink: string, event: ExternalEvent, contact: ContactDetails, afterMs?: number): void {
    this.sent += 1;
    const previous = this.queues.get(sink) ?? Promise.resolve();
    const next = (afterMs ? previous.then(() => sleep(afterMs)) : previous).then(() =>
      writeToSink(sink, event, contact, this.to.sharing).catch((err: unknown) =>
        this.onFailure({ step: `record ${event.kind} in ${sink}`, message: failureMessage(err) }),
      ),
    );
    this.queues.set(sink, next);
  }

  /** Settles when every queued write has landed or given up. */
  async settled(): Promise<void> {
    for (let seen = -1; seen !== this.sent;) {
      seen = this.sent;
      await Promise.all(this.queues.values());
    }
  }
}
