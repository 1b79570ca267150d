import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { SessionActivities, Skipped } from '../activities';
import type { SessionEndedEvent } from '../events/schemas';
import {
  sessionEventSignal,
  statusQuery,
  type SessionPhase,
  type SessionStatus,
  type SessionWorkflowInput,
  type StepFailure,
} from '../shared/definitions';
import type { OutcomeEvent, OutcomeKind, TranscriptRef } from '../shared/outcome';
import { SearchAttributes } from '../shared/searchAttributes';
import { buildOutcome, endDeadlineMs, endedFromDetail, isClosed } from './decisions';
import { SessionLedger } from './sessionLedger';

const { loadSessionPolicy } = proxyLocalActivities<SessionActivities>({ startToCloseTimeout: '10 seconds' });

const api = proxyActivities<SessionActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
});

// External systems get a longer, still bounded, retry budget (about an hour): the outcome must not be lost to a
// receiver's short outage, and each system is its own activity so one failing never holds up the others.
const SINK_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 12 },
} as const;

export interface SessionResult {
  sessionId: string;
  phase: SessionPhase;
  source: OutcomeEvent['source'];
  outcome?: string;
  followUpDue: boolean;
  transcript?: TranscriptRef;
  seen: SessionStatus['seen'];
  failures: StepFailure[];
}

const isSkipped = (value: unknown): value is Skipped =>
  typeof value === 'object' && value !== null && 'skipped' in value;

/**
 * One run per Agntix session (workflow id = session id), fed by the ingest endpoint's signals: marks the task in
 * flight, waits for session.ended (reconciling with the API when it is overdue), archives the transcript, records
 * the outcome in every external system, and says whether a follow-up is due. It always ends with an outcome
 * recorded: completed, or expired after a bounded number of reconciliations.
 */
export async function sessionWorkflow({ sessionId }: SessionWorkflowInput): Promise<SessionResult> {
  const ledger = new SessionLedger();
  const failures: StepFailure[] = [];
  let phase: SessionPhase = 'awaiting-end';

  setHandler(sessionEventSignal, (signal) => {
    ledger.accept(signal);
  });
  setHandler(statusQuery, () => ({
    sessionId,
    phase,
    seen: ledger.seen,
    duplicatesIgnored: ledger.duplicatesIgnored,
    failures,
  }));

  /** Runs a step; a failure is recorded (status query, result) instead of failing the whole session. */
  async function step<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await run();
      if (isSkipped(result)) failures.push({ step: name, message: `skipped: ${result.skipped}` });
      return result;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      const cause = err.cause instanceof ApplicationFailure ? err.cause.message : (err.cause?.message ?? err.message);
      failures.push({ step: name, message: cause });
      return undefined;
    }
  }

  function moveTo(next: SessionPhase, outcome?: string) {
    phase = next;
    upsertSearchAttributes([
      { key: SearchAttributes.phase, value: next },
      ...(outcome ? [{ key: SearchAttributes.outcome, value: outcome }] : []),
    ]);
    setCurrentDetails(
      `**${next}**${outcome ? ` · outcome ${outcome}` : ''} · seen ${ledger.seen.map((s) => s.eventType).join(', ')}`,
    );
  }

  async function recordEverywhere(
    kind: OutcomeKind,
    source: OutcomeEvent['source'],
    ended?: SessionEndedEvent,
    transcript?: TranscriptRef,
  ) {
    const event = buildOutcome({
      kind,
      sessionId,
      source,
      created: ledger.created,
      ended,
      transcript,
      phase,
      policy,
      now: new Date(),
    });
    await Promise.all(
      policy.sinks.map((sink) =>
        step(`record ${kind} in ${sink}`, () =>
          api.recordOutcome.executeWithOptions({ ...SINK_OPTIONS, summary: `${kind} → ${sink}` }, [sink, event]),
        ),
      ),
    );
    return event;
  }

  await condition(() => ledger.seen.length > 0);
  const policy = await loadSessionPolicy();

  const inFlight = ledger.ended ? undefined : recordEverywhere('in-flight', 'none');

  /** session.ended, or the API's word that the session closed; undefined when it never ends. */
  async function awaitEnd(): Promise<{ ended: SessionEndedEvent; source: 'webhook' | 'reconciled' } | undefined> {
    setCurrentDetails('**awaiting-end** · waiting for session.ended');
    let wait = endDeadlineMs(ledger.created, policy);
    for (let check = 0; check <= policy.reconcileAttempts; check++) {
      if (await condition(() => ledger.ended !== undefined, wait, { summary: 'wait for session.ended' })) break;
      const detail = await step('reconcile with the session API', () => api.getSessionDetail(sessionId));
      if (ledger.ended) break; // the webhook arrived while we asked: it wins
      if (detail && !isSkipped(detail) && isClosed(detail)) {
        return { ended: endedFromDetail(detail, ledger.created), source: 'reconciled' };
      }
      wait = policy.reconcileIntervalSeconds * 1000;
    }
    return ledger.ended ? { ended: ledger.ended, source: 'webhook' } : undefined;
  }

  const end = ledger.ended ? { ended: ledger.ended, source: 'webhook' as const } : await awaitEnd();
  await inFlight;

  if (!end) {
    moveTo('expired', 'EXPIRED');
    await recordEverywhere('expired', 'none');
    return { sessionId, phase, source: 'none', outcome: 'EXPIRED', followUpDue: false, seen: ledger.seen, failures };
  }

  moveTo('post-call');
  const archived = await step('archive transcript', () => api.archiveTranscript(sessionId));
  const transcript = archived && !isSkipped(archived) ? archived : undefined;
  const outcome = await recordEverywhere('completed', end.source, end.ended, transcript);
  moveTo('done', outcome.outcome);
  return {
    sessionId,
    phase,
    source: end.source,
    outcome: outcome.outcome,
    followUpDue: outcome.followUpDue,
    transcript,
    seen: ledger.seen,
    failures,
  };
}
