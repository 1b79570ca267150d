import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  patched,
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
import type { ContactDetails, ExternalEvent, OutcomeEvent, OutcomeKind, TranscriptRef } from '../shared/outcome';
import { chainOf } from '../shared/followUp';
import { SearchAttributes } from '../shared/searchAttributes';
import { correlationOf } from '../shared/sessionView';
import { buildOutcome, endDeadlineMs, endedFromDetail, isClosed } from './decisions';
import { SessionLedger } from './sessionLedger';
import { API_OPTIONS, SINK_OPTIONS } from './activityOptions';
import { followUpAfterSession } from './scheduleFollowUp';
import { startAutomation } from './startAutomation';
import { evaluateRules, type PostCallContext } from '../shared/postCall';

const { loadSessionPolicy, loadPostCallRules } = proxyLocalActivities<SessionActivities>({
  startToCloseTimeout: '10 seconds',
});

const api = proxyActivities<SessionActivities>(API_OPTIONS);

export interface SessionResult {
  sessionId: string;
  phase: SessionPhase;
  source: OutcomeEvent['source'];
  outcome?: string;
  followUpDue: boolean;
  /** The follow-up workflow this session scheduled, if any. */
  followUp?: { followUpId: string; scheduledAt: string };
  /** The post-call rules that matched, and the workflows they started. */
  rules?: { matched: string[]; started: string[] };
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
export async function sessionWorkflow({ sessionId, placedCall }: SessionWorkflowInput): Promise<SessionResult> {
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
    const event = buildOutcomeNow(kind, source, ended, transcript);
    await tellEverywhere(event);
    return event;
  }

  function buildOutcomeNow(
    kind: OutcomeKind,
    source: OutcomeEvent['source'],
    ended?: SessionEndedEvent,
    transcript?: TranscriptRef,
  ): OutcomeEvent {
    return buildOutcome({
      kind,
      sessionId,
      source,
      created: ledger.created,
      ended,
      transcript,
      phase,
      policy,
      now: new Date(),
      correlation: placedCall?.sessionVariables,
    });
  }

  function correlationNow(ended?: SessionEndedEvent): Record<string, string> {
    const event = ended ?? ledger.created;
    return event ? correlationOf(event) : { ...placedCall?.sessionVariables };
  }

  /** How a CRM finds the customer; passed beside the event, which carries no phone number. */
  function contactNow(): ContactDetails {
    const phoneNumber =
      (ledger.ended ?? ledger.created)?.metadata.customerPhoneNumber ?? placedCall?.customerPhoneNumber;
    return phoneNumber ? { phoneNumber } : {};
  }

  async function tellEverywhere(event: ExternalEvent) {
    const contact = contactNow();
    await Promise.all(
      policy.sinks.map((sink) =>
        step(`record ${event.kind} in ${sink}`, () =>
          api.recordOutcome.executeWithOptions({ ...SINK_OPTIONS, summary: `${event.kind} → ${sink}` }, [
            sink,
            event,
            contact,
          ]),
        ),
      ),
    );
  }

  /** Schedules the next follow-up, or tells the external systems how the chain ended; undefined when none. */
  async function followUpAfter(ended: SessionEndedEvent | undefined, followUpDue: boolean) {
    if (!policy.followUp) return undefined; // a session begun before follow-ups existed replays as it ran
    const next = await followUpAfterSession({
      sessionId,
      created: ledger.created,
      ended,
      placedCall,
      policy,
      followUpDue,
      correlation: correlationNow(ended),
      tell: tellEverywhere,
    });
    if (next && 'notScheduled' in next) {
      failures.push({ step: 'schedule follow-up', message: `not scheduled: ${next.notScheduled}` });
      return undefined;
    }
    return next;
  }

  // A call placed by a follow-up is followed from the start; any other session begins with its first webhook.
  if (!placedCall) await condition(() => ledger.seen.length > 0);
  const policy = await loadSessionPolicy();

  const inFlight = ledger.ended ? undefined : recordEverywhere('in-flight', 'none');

  /** session.ended, or the API's word that the session closed; undefined when it never ends. */
  async function awaitEnd(): Promise<{ ended: SessionEndedEvent; source: 'webhook' | 'reconciled' } | undefined> {
    setCurrentDetails('**awaiting-end** · waiting for session.ended');
    let wait =
      !ledger.created && placedCall
        ? (placedCall.ttlSeconds + policy.endGraceSeconds) * 1000
        : endDeadlineMs(ledger.created, policy);
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
    const followUp = await followUpAfter(undefined, false);
    if (followUp) moveTo('follow-up-scheduled');
    return {
      sessionId,
      phase,
      source: 'none',
      outcome: 'EXPIRED',
      followUpDue: false,
      followUp,
      seen: ledger.seen,
      failures,
    };
  }

  moveTo('post-call');
  const archived = await step('archive transcript', () => api.archiveTranscript(sessionId));
  const transcript = archived && !isSkipped(archived) ? archived : undefined;
  let outcome: OutcomeEvent;
  let followUp: SessionResult['followUp'];
  let rules: SessionResult['rules'];
  if (patched('post-call-rules')) {
    // The rules are captured here, once: a changed rules file never alters a session already past this point.
    const ruleSet = await loadPostCallRules();
    const context: PostCallContext = {
      sessionId,
      created: ledger.created,
      ended: end.ended,
      analysis: end.ended.analysis,
      transcript,
      correlation: correlationNow(end.ended),
      chain: chainOf(end.ended.metadata.sessionVariables),
      source: end.source,
    };
    const { matched, actions } = evaluateRules(ruleSet, context);
    outcome = buildOutcomeNow('completed', end.source, end.ended, transcript);
    if (actions.some((a) => a.action === 'recordOutcome')) await tellEverywhere(outcome);
    if (actions.some((a) => a.action === 'scheduleCallback'))
      followUp = await followUpAfter(end.ended, outcome.followUpDue);
    const started: string[] = [];
    for (const action of actions) {
      if (action.action !== 'startWorkflow') continue;
      const id = await startAutomation(action, context).catch((err: Error) => {
        failures.push({ step: `start ${action.workflow}`, message: err.message });
        return undefined;
      });
      if (id) started.push(id);
    }
    rules = { matched, started };
  } else {
    // Sessions that reached post-call before rules existed finish as they began (replay-safe; see the replay test).
    outcome = await recordEverywhere('completed', end.source, end.ended, transcript);
    followUp = await followUpAfter(end.ended, outcome.followUpDue);
  }
  moveTo(followUp ? 'follow-up-scheduled' : 'done', outcome.outcome);
  return {
    sessionId,
    phase,
    source: end.source,
    outcome: outcome.outcome,
    followUpDue: outcome.followUpDue,
    followUp,
    rules,
    transcript,
    seen: ledger.seen,
    failures,
  };
}
