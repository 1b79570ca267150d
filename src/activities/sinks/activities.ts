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

/** A system that refused or failed a write; `final` when asking again cannot help (a 401, a rejected payload). */
export interface SinkWriteFailure {
  sink: string;
  message: string;
  final: boolean;
  /** How long the system asked to be left alone before the next try (a 429's Retry-After). */
  retryAfterMs?: number;
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
     * Writes one event to several external systems at once, in one activity (an attempt is a billed action), and
     * returns the systems that failed instead of failing: the workflow hands each of those to its own
     * `recordOutcome` queue, so one system's outage never holds the others (src/workflows/externalWrites.ts). No
     * heartbeat: a heartbeat is a billed action, the attempt lasts seconds, and a retried attempt (the worker died)
     * may write a system again because every system is idempotent on the event's key.
     */
    async recordOutcomeEverywhere(writes: SinkWrite[]): Promise<SinkWriteFailure[]> {
      const failures: SinkWriteFailure[] = [];
      await Promise.all(
        writes.map(async ({ sink, event, contact }) => {
          try {
            await sinkNamed(sink).record(event, contact);
          } catch (err) {
            const failure = err instanceof ApplicationFailure ? err : undefined;
            const final = failure?.nonRetryable === true;
            const message = err instanceof Error ? err.message : String(err);
            log.warn('external system failed a write', { sink, kind: event.kind, final, message });
            const retryAfter = failure?.nextRetryDelay;
            failures.push({ sink, message, final, ...(retryAfter ? { retryAfterMs: msToNumber(retryAfter) } : {}) });
          }
        }),
      );
      return failures;
    },
  };
};
