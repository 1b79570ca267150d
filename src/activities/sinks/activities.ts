import { ApplicationFailure, log } from '@temporalio/activity';
import { FAILURE, finalFailure } from '../../contracts/failures';
import { msToNumber } from '@temporalio/common/lib/time';
import type { ContactDetails, ExternalEvent } from '../../contracts';
import type { OutcomeSink } from './types';

/** One event for one external system: what that system may see of it, and how it finds the customer. */
export interface SinkWrite {
  sink: string;
  event: ExternalEvent;
  contact?: ContactDetails;
}

/**
 * A write a system did not take: it refused or failed it (`final` when asking again cannot help: a 401, a rejected
 * payload), or it was not tried because an earlier event to the same system failed retryably.
 */
export interface SinkWriteFailure {
  sink: string;
  /** The idempotency key of the event not taken. */
  key: string;
  message: string;
  final: boolean;
  /** How long the system asked to be left alone before the next try (a 429's Retry-After). */
  retryAfterMs?: number;
  /** Not tried: an earlier event to the same system failed (not a failure of the system's own). */
  notTried?: true;
}

/** The activities that write to the external systems. */
export const createSinkActivities = (sinks: OutcomeSink[]) => {
  const sinkNamed = (name: string) => {
    const sink = sinks.find((s) => s.name === name);
    if (!sink) throw finalFailure(FAILURE.unknownSink, `no external system named ${name}`);
    return sink;
  };
  return {
    /** Writes one outcome event to one external system, so a failing system never blocks the others. */
    async recordOutcome(sinkName: string, event: ExternalEvent, contact?: ContactDetails): Promise<void> {
      await sinkNamed(sinkName).record(event, contact);
    },

    /**
     * Writes events to several external systems at once, in one activity (an attempt is a billed action), and
     * returns the writes not taken instead of failing: the workflow hands those to each system's own `recordOutcome`
     * queue, so one system's outage never holds the others (src/workflows/writes.ts). A system takes its events in
     * the order given; after a retryable failure its later events are not tried, so its own queue keeps that order.
     * No heartbeat: a heartbeat is a billed action, the attempt lasts seconds, and a retried attempt (the worker
     * died) may write a system again because every system is idempotent on the event's key.
     */
    async recordOutcomeEverywhere(writes: SinkWrite[]): Promise<SinkWriteFailure[]> {
      const failures: SinkWriteFailure[] = [];
      const bySink = new Map<string, SinkWrite[]>();
      for (const write of writes) bySink.set(write.sink, [...(bySink.get(write.sink) ?? []), write]);
      await Promise.all(
        [...bySink.entries()].map(async ([sink, ofSink]) => {
          for (const [i, { event, contact }] of ofSink.entries()) {
            const failure = await recordOne(sinkNamed, sink, event, contact);
            if (!failure) continue;
            failures.push(failure);
            if (failure.final) continue;
            const message = `not tried: ${event.kind} failed first`;
            for (const later of ofSink.slice(i + 1)) {
              failures.push({ sink, key: later.event.idempotencyKey, message, final: false, notTried: true });
            }
            return;
          }
        }),
      );
      return failures;
    },
  };
};

/** One write of a shared activity: undefined when the system took it, else why not. */
async function recordOne(
  sinkNamed: (name: string) => OutcomeSink,
  sink: string,
  event: ExternalEvent,
  contact?: ContactDetails,
): Promise<SinkWriteFailure | undefined> {
  try {
    await sinkNamed(sink).record(event, contact);
    return undefined;
  } catch (err) {
    const failure = err instanceof ApplicationFailure ? err : undefined;
    const final = failure?.nonRetryable === true;
    const message = err instanceof Error ? err.message : String(err);
    log.warn('external system failed a write', { sink, kind: event.kind, final, message });
    const retryAfter = failure?.nextRetryDelay;
    const key = event.idempotencyKey;
    return { sink, key, message, final, ...(retryAfter ? { retryAfterMs: msToNumber(retryAfter) } : {}) };
  }
}
