import { getExternalWorkflowHandle, patched, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { RuleSet } from '../../automations/ruleSchema';
import {
  FollowUpVariables,
  SearchAttributes,
  chainOf,
  correlationOf,
  outcomeClass,
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
import { settings, tellEverySink } from '../activityProxies';
import { ExternalWrites, type OutcomeWrites } from '../externalWrites';
import { SharedWrites } from '../sharedWrites';
import { followUpAfterSession } from '../followUp/schedule';
import { DEFAULT_TRANSCRIPT_WAIT_SECONDS, type SessionPolicy } from '../policy';
import { evaluateRules, type PostCallContext } from '../postCall/rules';
import { startAutomation } from '../postCall/startAutomation';
import { countExpiry, countFinishedSession } from '../observability/metrics';
import { endDeadlineMs } from './decisions';
import { waitAskingAtEachCheck, waitThenAskUntilClosed, type SessionEnd } from './endWait';
import { SessionLedger } from './ledger';
import { buildOutcome } from './outcome';
import { archiveBoundedByWait, archiveWithTimer, type TranscriptInTime } from './transcriptWait';

export type { SessionEnd } from './endWait';

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
    const { ledger, policy, placedCall, sessionId } = this;
    const firstWaitMs =
      !ledger.created && placedCall
        ? (placedCall.ttlSeconds + policy.endGraceSeconds) * 1000
        : endDeadlineMs(ledger.created, policy);
    const overdue = { sessionId, ledger, policy, firstWaitMs, onFailure: (f: StepFailure) => this.failures.push(f) };
    return this.fewerActions ? waitThenAskUntilClosed(overdue) : waitAskingAtEachCheck(overdue);
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

  /** Enters a phase operators search on: the index (AgntixPhase, AgntixOutcome) and the Web UI's details. */
  private moveTo(next: SessionPhase, outcome?: string): void {
    upsertSearchAttributes([
      { key: SearchAttributes.phase, value: next },
      // The outcome label is the agent's free text: the index holds it only when it is one of the configured classes.
      ...(outcome ? [{ key: SearchAttributes.outcome, value: outcomeClass(outcome, this.policy.searchIndex) }] : []),
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
