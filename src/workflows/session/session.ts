import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  patched,
  setCurrentDetails,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { RuleSet } from '../../automations/ruleSchema';
import {
  FollowUpVariables,
  SearchAttributes,
  chainOf,
  correlationOf,
  fitsKeyword,
  followUpConfirmedSignal,
  followUpWorkflowId,
  type ContactDetails,
  type ExternalEvent,
  type FollowUpConfirmation,
  type OutcomeEvent,
  type OutcomeKind,
  type PlacedCall,
  type SessionEndedEvent,
  type SessionPhase,
  type SessionResult,
  type SessionStatus,
  type StepFailure,
  type TranscriptRef,
} from '../../contracts';
import { agntixApi, askUntilClosed, failureMessage, settings, tellEverySink } from '../activityProxies';
import { ExternalWrites, type OutcomeWrites } from '../externalWrites';
import { SharedWrites } from '../sharedWrites';
import { followUpAfterSession } from '../followUp/schedule';
import { DEFAULT_TRANSCRIPT_WAIT_SECONDS, type SessionPolicy } from '../policy';
import { evaluateRules, type PostCallContext } from '../postCall/rules';
import { startAutomation } from '../postCall/startAutomation';
import { countExpiry, countFinishedSession, countReconciliation } from '../observability/metrics';
import { endDeadlineMs, endedFromDetail, isClosed, SESSION_STILL_OPEN } from './decisions';
import { SessionLedger } from './ledger';
import { buildOutcome } from './outcome';
import { archiveBoundedByWait, archiveWithTimer, isSkipped, type TranscriptInTime } from './transcriptWait';

/** How a session ended: its session.ended webhook, or the API's word after the webhook was lost. */
export interface SessionEnd {
  ended: SessionEndedEvent;
  source: 'webhook' | 'reconciled';
}

/** A reconciliation that asked every time and found the session open: not a failure, the session just expires. */
const stillOpen = (err: unknown) =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === SESSION_STILL_OPEN;

/**
 * The state one session workflow shares between its steps, and the steps. The workflow function (./workflow.ts)
 * tells the story; this class keeps the books: what was seen, the phase, what failed, and the result.
 */
export class Session {
  readonly ledger = new SessionLedger();
  private readonly failures: StepFailure[] = [];
  private phase: SessionPhase = 'awaiting-end';
  private policy!: SessionPolicy;
  /** The post-call rules, captured with the policy (sessions begun before that capture them at post-call). */
  private rules?: RuleSet;
  private writes!: OutcomeWrites;
  /** Writes to the external systems go in the background (the `writes-in-background` patch, read in begin). */
  private background = false;
  /**
   * The `fewer-actions` patch (issue #16): settings and rules in one local activity, one write activity per event
   * for all the systems, the transcript wait without a timer, one reconcile activity, no upsert for post-call.
   */
  private fewerActions = false;

  constructor(
    readonly sessionId: string,
    private readonly placedCall?: PlacedCall,
  ) {}

  status(): SessionStatus {
    const { sessionId, phase, ledger, failures } = this;
    return { sessionId, phase, seen: ledger.seen, duplicatesIgnored: ledger.duplicatesIgnored, failures };
  }

  /** Captures the settings in force, and confirms the dial of a follow-up when this session is its call. */
  async begin(): Promise<void> {
    // Patches are read before the local activity: a patch marker recorded after a local activity's marker in the
    // same workflow task is not matched on replay (a legacy query of such a session failed as nondeterministic).
    this.background = patched('writes-in-background');
    this.fewerActions = this.background && patched('fewer-actions');
    this.confirmFollowUpDial();
    const onFailure = (failure: StepFailure) => this.failures.push(failure);
    if (this.fewerActions) {
      ({ policy: this.policy, rules: this.rules } = await settings.loadSessionSettings());
      this.writes = new SharedWrites(this.policy, onFailure);
    } else {
      this.policy = await settings.loadSessionPolicy();
      this.writes = new ExternalWrites(this.policy, onFailure);
    }
  }

  /** Marks the session in flight in every external system; not awaited, so the wait for the end starts at once. */
  markInFlight(): Promise<void> | undefined {
    if (this.ledger.ended) return undefined;
    return this.record('in-flight', 'none').then(() => undefined);
  }

  /** session.ended, or the API's word that the session closed; undefined when it never ends. */
  async awaitEnd(): Promise<SessionEnd | undefined> {
    if (this.ledger.ended) return { ended: this.ledger.ended, source: 'webhook' };
    setCurrentDetails('**awaiting-end** · waiting for session.ended');
    const { ledger, policy, placedCall } = this;
    let wait =
      !ledger.created && placedCall
        ? (placedCall.ttlSeconds + policy.endGraceSeconds) * 1000
        : endDeadlineMs(ledger.created, policy);
    if (this.fewerActions) return this.awaitEndAskingOnce(wait);
    for (let check = 0; check <= policy.reconcileAttempts; check++) {
      if (await condition(() => ledger.ended !== undefined, wait, { summary: 'wait for session.ended' })) break;
      const detail = await this.step('reconcile with the session API', () =>
        agntixApi.getSessionDetail(this.sessionId),
      );
      countReconciliation(detail);
      if (ledger.ended) break; // the webhook arrived while we asked: it wins
      if (detail && !isSkipped(detail) && isClosed(detail)) {
        return { ended: endedFromDetail(detail, ledger.created), source: 'reconciled' };
      }
      wait = policy.reconcileIntervalSeconds * 1000;
    }
    return ledger.ended ? { ended: ledger.ended, source: 'webhook' } : undefined;
  }

  /**
   * Waits for session.ended until overdue, then asks the API in one activity whose retries are the checks (see
   * askUntilClosed), while the webhook may still arrive: it wins, and the question is cancelled.
   */
  private async awaitEndAskingOnce(wait: number): Promise<SessionEnd | undefined> {
    const { ledger, policy } = this;
    const ended = () => ledger.ended !== undefined;
    const webhook = (): SessionEnd => ({ ended: ledger.ended!, source: 'webhook' });
    if (await condition(ended, wait, { summary: 'wait for session.ended' })) return webhook();
    const asking = new CancellationScope();
    const answer = asking
      .run(() => askUntilClosed(this.sessionId, policy.reconcileAttempts + 1, policy.reconcileIntervalSeconds))
      .then(
        (detail) => ({ detail }),
        (err: unknown) => ({ err }),
      );
    const first = await Promise.race([answer, condition(ended).then(() => undefined)]);
    if (ended() || first === undefined) {
      asking.cancel();
      return webhook();
    }
    const step = 'reconcile with the session API';
    if ('err' in first) {
      if (stillOpen(first.err)) return undefined; // open at every check: it expires
      this.failures.push({ step, message: failureMessage(first.err) });
      // A question that failed at every check has used the reconcile window already.
      if (!(first.err instanceof ActivityFailure && first.err.retryState === 'NON_RETRYABLE_FAILURE')) return undefined;
    } else if (isSkipped(first.detail)) {
      this.failures.push({ step, message: `skipped: ${first.detail.skipped}` });
    } else {
      return { ended: endedFromDetail(first.detail, ledger.created), source: 'reconciled' };
    }
    // Asking again cannot help (no API key, a 404): the webhook keeps the rest of the reconcile window to arrive in
    // (Svix retries it for a day).
    const window = policy.reconcileAttempts * policy.reconcileIntervalSeconds * 1000;
    if (window > 0) await condition(ended, window, { summary: 'wait for session.ended' });
    return ledger.ended ? webhook() : undefined;
  }

  /** The session ended: archive the transcript, record the outcome, follow the rules and the follow-up chain. */
  async postCall(end: SessionEnd): Promise<SessionResult> {
    // Sessions with fewer actions show post-call in the Web UI's details, not in the index: nobody searches on it.
    if (this.fewerActions) this.showPhase('post-call');
    else this.moveTo('post-call');
    const onFailure = (failure: StepFailure) => this.failures.push(failure);
    const waitSeconds = this.policy.transcriptWaitSeconds ?? DEFAULT_TRANSCRIPT_WAIT_SECONDS;
    const inTime: TranscriptInTime = this.fewerActions
      ? await archiveBoundedByWait(this.sessionId, waitSeconds, onFailure)
      : await archiveWithTimer(this.sessionId, waitSeconds, this.background, onFailure);
    let transcript = inTime.transcript;
    if (!this.fewerActions && !patched('post-call-rules')) {
      // Sessions that reached post-call before rules existed finish as they began (see the replay test).
      const outcome = await this.record('completed', end.source, end.ended, transcript);
      const followUp = await this.followUpAfter(end.ended, outcome.followUpDue);
      return this.finish(outcome, end, { followUp, transcript });
    }
    // Core bookkeeping (the outcome, the chain's end) always runs; rules add to it. Sessions that captured rules
    // before that was so keep the rules' word (replay-safe). Read before the local activity below (see begin).
    const bookkeeping = this.fewerActions || patched('core-bookkeeping-always');
    // The rules are captured once, with the policy (or here, for sessions begun before that): a changed rules file
    // never alters a session already running.
    const ruleSet = this.rules ?? (await settings.loadPostCallRules());
    const context: PostCallContext = {
      sessionId: this.sessionId,
      created: this.ledger.created,
      ended: end.ended,
      analysis: end.ended.analysis,
      transcript,
      correlation: correlationOf({ ended: end.ended }),
      chain: chainOf(end.ended.metadata.sessionVariables),
      source: end.source,
    };
    const { matched, actions } = evaluateRules(ruleSet, context);
    const wants = (action: string) => actions.some((a) => a.action === action);
    const outcome = this.buildOutcome('completed', end.source, end.ended, transcript);
    if (bookkeeping || wants('recordOutcome')) await this.tell(outcome);
    const followUp =
      bookkeeping || wants('scheduleCallback')
        ? await this.followUpAfter(end.ended, outcome.followUpDue && wants('scheduleCallback'))
        : undefined;
    const started: string[] = [];
    for (const action of actions) {
      if (action.action !== 'startWorkflow') continue;
      const id = await startAutomation(action, context).catch((err: Error) => {
        this.failures.push({ step: `start ${action.workflow}`, message: err.message });
        return undefined;
      });
      if (id) started.push(id);
    }
    const rules = { matched, started };
    if (!this.background) return this.finish(outcome, end, { followUp, transcript, rules });

    this.moveTo(followUp ? 'follow-up-scheduled' : 'done', outcome.outcome);
    if (inTime.late) {
      transcript = await inTime.late;
      if (transcript) await this.tell(this.buildOutcome('transcript-archived', end.source, end.ended, transcript));
    }
    await this.writes.settled();
    return this.result(outcome, { source: end.source, followUp, transcript, rules });
  }

  /** The session never ended, even by the API's word: recorded as expired, and an unanswered follow-up retried. */
  async expire(): Promise<SessionResult> {
    this.moveTo('expired', 'EXPIRED');
    countExpiry(this.ledger.created !== undefined);
    const outcome = await this.record('expired', 'none');
    const followUp = await this.followUpAfter(undefined, false);
    if (followUp) this.moveTo('follow-up-scheduled');
    await this.writes.settled();
    return this.result(outcome, { source: 'none', followUp });
  }

  private finish(
    outcome: OutcomeEvent,
    end: SessionEnd,
    extra: Pick<SessionResult, 'followUp' | 'transcript' | 'rules'>,
  ): SessionResult {
    this.moveTo(extra.followUp ? 'follow-up-scheduled' : 'done', outcome.outcome);
    return this.result(outcome, { source: end.source, ...extra });
  }

  /** The one place a session's result is built. */
  private result(
    outcome: OutcomeEvent,
    extra: Pick<SessionResult, 'source' | 'followUp' | 'transcript' | 'rules'>,
  ): SessionResult {
    countFinishedSession(this.phase, outcome, extra.source);
    return {
      sessionId: this.sessionId,
      phase: this.phase,
      outcome: outcome.outcome,
      followUpDue: outcome.followUpDue,
      ...extra,
      seen: this.ledger.seen,
      failures: this.failures,
    };
  }

  /**
   * A follow-up's call echoes the dial's attempt id in its session variables: its first webhook is the proof that
   * the call started, which the follow-up waits for after an ambiguous calls/start failure. Signalled from here, so
   * the routing is durable and in history. A follow-up that has already finished needs no confirmation.
   */
  private confirmFollowUpDial(): void {
    const event = this.ledger.created ?? this.ledger.ended;
    const variables = event?.metadata.sessionVariables ?? {};
    const chain = chainOf(variables);
    const attemptId = variables[FollowUpVariables.attemptId];
    if (!chain || typeof attemptId !== 'string' || !patched('session-confirms-follow-up')) return;
    // What the follow-up checks before it believes us: only its own outbound voice call to its customer confirms.
    const confirmation: FollowUpConfirmation = {
      attemptId,
      sessionId: this.sessionId,
      type: event?.type,
      direction: event?.direction,
      agentId: event?.agentId,
      customerPhoneNumber: event?.metadata.customerPhoneNumber,
    };
    // Not awaited: the confirmation must not delay this session's own work. It fails only when the follow-up has
    // closed, which is the usual case after a clean dial (it knew the call's session id at once): nothing to do.
    const followUp = getExternalWorkflowHandle(followUpWorkflowId(chain.root, chain.attempt));
    void followUp.signal(followUpConfirmedSignal, confirmation).catch(() => undefined);
  }

  /** Runs a step; a failure is recorded (status query, result) instead of failing the whole session. */
  private async step<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await run();
      if (isSkipped(result)) this.failures.push({ step: name, message: `skipped: ${result.skipped}` });
      return result;
    } catch (err) {
      this.failures.push({ step: name, message: failureMessage(err) });
      return undefined;
    }
  }

  /** Enters a phase operators search on: the index (AgntixPhase, AgntixOutcome) and the Web UI's details. */
  private moveTo(next: SessionPhase, outcome?: string): void {
    upsertSearchAttributes([
      { key: SearchAttributes.phase, value: next },
      // The outcome label is the agent's free text: left out of the index when it is too long for one.
      ...(outcome && fitsKeyword(outcome) ? [{ key: SearchAttributes.outcome, value: outcome }] : []),
    ]);
    this.showPhase(next, outcome);
  }

  /** Shows a phase in the status query and the Web UI's current details, without an upsert (a billed action). */
  private showPhase(next: SessionPhase, outcome?: string): void {
    this.phase = next;
    const seen = this.ledger.seen.map((s) => s.eventType).join(', ');
    setCurrentDetails(`**${next}**${outcome ? ` · outcome ${outcome}` : ''} · seen ${seen}`);
  }

  private buildOutcome(
    kind: OutcomeKind,
    source: OutcomeEvent['source'],
    ended?: SessionEndedEvent,
    transcript?: TranscriptRef,
  ): OutcomeEvent {
    const { sessionId, phase, policy, placedCall } = this;
    const now = new Date();
    return buildOutcome({
      kind,
      sessionId,
      source,
      created: this.ledger.created,
      ended,
      placedCall,
      transcript,
      phase,
      policy,
      now,
    });
  }

  private async record(
    kind: OutcomeKind,
    source: OutcomeEvent['source'],
    ended?: SessionEndedEvent,
    transcript?: TranscriptRef,
  ): Promise<OutcomeEvent> {
    const event = this.buildOutcome(kind, source, ended, transcript);
    await this.tell(event);
    return event;
  }

  /** Tells every external system: in the background, or, for sessions begun before that, waiting for them all. */
  private async tell(event: ExternalEvent): Promise<void> {
    if (this.background) return this.writes.send(event, this.contact());
    this.failures.push(...(await tellEverySink(this.policy, event, this.contact())));
  }

  /** How a CRM finds the customer; passed beside the event, which carries no phone number. */
  private contact(): ContactDetails {
    const { created, ended } = this.ledger;
    const phoneNumber = (ended ?? created)?.metadata.customerPhoneNumber ?? this.placedCall?.customerPhoneNumber;
    return phoneNumber ? { phoneNumber } : {};
  }

  /** Schedules the next follow-up, or tells the external systems how the chain ended; undefined when none. */
  private async followUpAfter(ended: SessionEndedEvent | undefined, callbackWanted: boolean) {
    if (!this.policy.followUp) return undefined; // a session begun before follow-ups existed replays as it ran
    const facts = { created: this.ledger.created, ended, placedCall: this.placedCall };
    const next = await followUpAfterSession({
      sessionId: this.sessionId,
      facts,
      policy: this.policy,
      callbackWanted,
      tell: (event) => this.tell(event),
    });
    if (next && 'notScheduled' in next) {
      this.failures.push({ step: 'schedule follow-up', message: `not scheduled: ${next.notScheduled}` });
      return undefined;
    }
    return next;
  }
}
