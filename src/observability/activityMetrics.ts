import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptorsFactory,
  Next,
} from '@temporalio/worker';
import type { SessionActivities, SinkWrite, SinkWriteFailure, Skipped } from '../activities';
import type { SessionDetail } from '../activities/agntix/client';
import type { TranscriptRef } from '../contracts';
import { reconciliationResult, WorkflowCounters } from '../contracts/metrics';
import { FAILURE } from '../contracts/failures';

/*
 * The activities' counters, counted where every activity execution passes, so the activities stay about their I/O.
 * They go through the activity's metric meter to the worker's Prometheus endpoint (the SDK adds namespace,
 * taskQueue, activityType and workflowType). Names are the exported ones without `_total`, which the exporter adds.
 */

export const ActivityCounters = {
  externalWrites: { name: 'agntix_external_writes', help: 'Attempts to write to an external system' },
  transcriptPages: { name: 'agntix_transcript_pages', help: 'Transcript pages fetched and archived' },
  dials: { name: 'agntix_follow_up_dials', help: 'calls/start attempts of follow-ups, by what each proved' },
} as const;

type ActivityName = keyof SessionActivities;
export const RECORD_OUTCOME: ActivityName = 'recordOutcome';
export const RECORD_OUTCOME_EVERYWHERE: ActivityName = 'recordOutcomeEverywhere';
export const GET_CLOSED_SESSION: ActivityName = 'getClosedSession';
export const ARCHIVE_TRANSCRIPT: ActivityName = 'archiveTranscript';
export const START_FOLLOW_UP_CALL: ActivityName = 'startFollowUpCall';

export const DIAL_RESULTS = ['placed', 'not-started', 'rejected', 'unknown'] as const;
export type DialResult = (typeof DIAL_RESULTS)[number];

/** What one calls/start attempt proved, from the failure type the calls client gives it (activities/agntix/calls.ts). */
export function dialResult(err?: unknown): DialResult {
  if (err === undefined) return 'placed';
  const type = err instanceof ApplicationFailure ? err.type : undefined;
  if (type === FAILURE.callNotStarted) return 'not-started';
  if (type === FAILURE.callRejected) return 'rejected';
  return 'unknown';
}

/**
 * Counts every attempt to write to an external system (by system, ok or failed), the transcript pages archived, the
 * dials of follow-up calls (by what each proved) and the checks of an overdue session's end (getClosedSession's
 * attempts). `sinkNames` are the configured systems: a name outside them
 * is counted as `unknown`, so no label takes a value the configuration did not give.
 */
export function activityMetrics(sinkNames: readonly string[]): ActivityInterceptorsFactory {
  const systems = new Set(sinkNames);
  return (ctx) => ({ inbound: new ActivityMetricsInterceptor(ctx, systems) });
}

class ActivityMetricsInterceptor implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: Context,
    private readonly systems: ReadonlySet<string>,
  ) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    try {
      const result = await next(input);
      this.count(input.args, { result });
      return result;
    } catch (err) {
      this.count(input.args, { err });
      throw err;
    }
  }

  private count(args: readonly unknown[], ended: { result?: unknown; err?: unknown }): void {
    const counter = ({ name, help }: { name: string; help: string }) =>
      this.ctx.metricMeter.createCounter(name, undefined, help);
    const systemOf = (name: unknown) => (typeof name === 'string' && this.systems.has(name) ? name : 'unknown');
    switch (this.ctx.info.activityType) {
      case RECORD_OUTCOME: {
        counter(ActivityCounters.externalWrites).add(1, {
          system: systemOf(args[0]),
          result: 'err' in ended ? 'failed' : 'ok',
        });
        return;
      }
      case RECORD_OUTCOME_EVERYWHERE: {
        // One attempt writes several events to several systems: each write counts apart, a write not tried (after
        // an earlier one to its system failed) not at all: it is counted where it is tried. An attempt that failed
        // whole counts each failed.
        const failures = (ended.result ?? []) as SinkWriteFailure[];
        const notTried = new Set(failures.filter((f) => f.notTried).map((f) => `${f.sink} ${f.key}`));
        const failed = new Set(failures.map((f) => `${f.sink} ${f.key}`));
        for (const write of (args[0] ?? []) as SinkWrite[]) {
          const which = `${write.sink} ${write.event.idempotencyKey}`;
          if (!('err' in ended) && notTried.has(which)) continue;
          const result = 'err' in ended || failed.has(which) ? 'failed' : 'ok';
          counter(ActivityCounters.externalWrites).add(1, { system: systemOf(write.sink), result });
        }
        return;
      }
      case GET_CLOSED_SESSION: {
        const stillOpen = ended.err instanceof ApplicationFailure && ended.err.type === FAILURE.sessionStillOpen;
        const result = stillOpen ? 'open' : reconciliationResult(ended.result as SessionDetail | Skipped | undefined);
        counter(WorkflowCounters.reconciliations).add(1, { result });
        return;
      }
      case ARCHIVE_TRANSCRIPT: {
        const archived = ended.result as TranscriptRef | Skipped | undefined;
        if (archived && 'pages' in archived) {
          counter(ActivityCounters.transcriptPages).add(archived.pages);
        }
        return;
      }
      case START_FOLLOW_UP_CALL:
        counter(ActivityCounters.dials).add(1, { result: dialResult('err' in ended ? ended.err : undefined) });
        return;
    }
  }
}
