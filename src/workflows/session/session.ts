import {
  getExternalWorkflowHandle,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RuleAction, RuleSet } from '../../automations/ruleSchema';
import {
  FollowUpVariables,
  SearchAttributes,
  chainOf,
  correlationOf,
  crmContactIdOf,
  indexedOutcome,
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
  type SessionWorkflowInput,
  type StepFailure,
  type TranscriptRef,
} from '../../contracts';
import { settings } from '../activityProxies';
import { OutcomeWrites } from '../writes';
import { followUpAfterSession } from '../followUp/schedule';
import { DEFAULT_LATE_END_WINDOW_SECONDS, DEFAULT_TRANSCRIPT_WAIT_SECONDS, type SessionPolicy } from '../policy';
import { evaluateRules, type PostCallContext } from '../postCall/rules';
import { startAutomation } from '../postCall/startAutomation';
import { countExpiry, countFinishedSession } from '../observability/metrics';
import { endDeadlineMs } from './decisions';
import { awaitLateEnd, awaitSessionEnd, type SessionEnd } from './endWait';
import { SessionLedger } from './ledger';
import { buildOutcome } from './outcome';
import { archiveBoundedByWait } from './transcriptWait';

export type { SessionEnd } from './endWait';

/** This session's expiry, recorded by this run or an earlier one: what a late session.ended replaces. */
interface Expiry {
  /** The follow-up the expiry scheduled (an unanswered follow-up call's next attempt), if any. */
  followUp?: { followUpId: string; scheduledAt: string };
}

/**
 * The state one session workflow shares between its steps, and the steps. The workflow function (./workflow.ts)
 * tells the story; this class keeps the books: what was seen, the phase, what failed, and the result.
 */
export class Session {
  readonly ledger = new SessionLedger();
  private readonly failures: StepFailure[] = [];
  private phase: SessionPhase = 'awaiting-end';
  private policy!: SessionPolicy;
  /** Captured with the policy: a changed rules file never alters a session already running. */
  private rules!: RuleSet;
  private writes!: OutcomeWrites;
  private expiry?: Expiry;
  /** The store holds this session's final outcome already (set in begin). */
  alreadyRecorded = false;

  constructor(
    readonly sessionId: string,
    private readonly placedCall?: PlacedCall,
    followsExpiry?: SessionWorkflowInput['followsExpiry'],
  ) {
    if (followsExpiry) this.expiry = { followUp: followsExpiry.followUp };
  }

  status(): SessionStatus {
    const { sessionId, phase, ledger, failures } = this;
    return { sessionId, phase, seen: ledger.seen, duplicatesIgnored: ledger.duplicatesIgnored, failures };
  }

  /**
   * Captures the settings in force, with what the store already holds of this session (a run whose history is gone
   * is known there), and confirms the dial of a follow-up when this session is its call.
   */
  async begin(): Promise<void> {
    this.confirmFollowUpDial();
    // Only a run that begins a chain asks the store. A reset run (same chain) is an operator redoing the work on
    // purpose (docs/operations.md: re-run a write by a reset), and must not find its own outcome and stop.
    const { runId, originalExecutionRunId } = workflowInfo();
    const loaded = await settings.loadSessionSettings(runId === originalExecutionRunId ? this.sessionId : undefined);
    ({ policy: this.policy, rules: this.rules } = loaded);
    this.writes = new OutcomeWrites(this.policy, (failure) => this.failures.push(failure));
    this.alreadyRecorded = loaded.recorded === 'completed';
    if (loaded.recorded === 'expired') this.expiry ??= {};
  }

  /**
   * Marks the session in flight in every external system, in the background: the wait for the end starts at once.
   * Sent right after the settings' local activity, in a local activity of its own: both are recorded in the first
   * workflow task's one batch of markers (one billed action), where an activity would cost one more.
   */
  markInFlight(): void {
    if (!this.ledger.ended && !this.expiry)
      this.writes.send(this.buildOutcome('in-flight', 'none'), this.contact(), { local: true });
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
    return awaitSessionEnd(overdue);
  }

  /**
   * The session ended: the outcome is recorded once the transcript is archived or its wait is over, then the rules
   * and the follow-up chain run, and a late transcript follows the outcome as its own event.
   */
  async postCall(end: SessionEnd): Promise<SessionResult> {
    // Shown in the Web UI's details, not in the index: nobody searches on post-call, and an upsert is a billed action.
    this.showPhase('post-call');
    const waitSeconds = this.policy.transcriptWaitSeconds ?? DEFAULT_TRANSCRIPT_WAIT_SECONDS;
    const inTime = await archiveBoundedByWait(this.sessionId, waitSeconds, (f) => this.failures.push(f));
    const context = this.postCallContext(end, inTime.transcript);
    const { matched, actions } = evaluateRules(this.rules, context);
    const outcome = this.buildOutcome('completed', end.source, end.ended, inTime.transcript);
    const callbackWanted = actions.some((a) => a.action === 'scheduleCallback');
    const followUp = await this.followUpAfter(outcome, end.ended, outcome.followUpDue && callbackWanted);
    const rules = { matched, started: await this.startAutomations(actions, context) };
    this.moveTo(followUp ? 'follow-up-scheduled' : 'done', outcome.outcome);

    const transcript = inTime.late ? await inTime.late : inTime.transcript;
    if (inTime.late && transcript)
      this.tell(this.buildOutcome('transcript-archived', end.source, end.ended, transcript));
    await this.writes.settled();
    return this.result(outcome, { source: end.source, followUp, transcript, rules });
  }

  /**
   * The session never ended, even by the API's word: recorded as expired, and an unanswered follow-up retried. The
   * expiry is provisional: a late session.ended replaces it (awaitLateEnd).
   */
  async expire(): Promise<void> {
    this.moveTo('expired', 'EXPIRED');
    countExpiry(this.ledger.created !== undefined);
    const outcome = this.buildOutcome('expired', 'none');
    const followUp = await this.followUpAfter(outcome, undefined, false);
    if (followUp) this.moveTo('follow-up-scheduled');
    this.expiry = { followUp };
  }

  /**
   * One timer for the platform's retry window (it retries a webhook for 24 hours): a session.ended within it
   * replaces the expiry in every system. After it, the ingest starts a new run for a late end (followsExpiry).
   */
  async awaitLateEnd(): Promise<SessionEnd | undefined> {
    return awaitLateEnd(this.ledger, this.policy.lateEndWindowSeconds ?? DEFAULT_LATE_END_WINDOW_SECONDS);
  }

  /** The expiry stands: no session.ended came within the platform's retry window. */
  async expired(): Promise<SessionResult> {
    await this.writes.settled();
    return this.result(this.buildOutcome('expired', 'none'), { source: 'none', followUp: this.expiry?.followUp });
  }

  /** A run whose history is gone, for a session whose outcome the store holds: nothing is recorded again as new. */
  alreadyRecordedResult(): SessionResult {
    this.showPhase('done');
    // Not counted as a finished session: the run that recorded it was.
    const { sessionId, phase, ledger, failures } = this;
    return { sessionId, phase, source: 'none', followUpDue: false, alreadyRecorded: true, seen: ledger.seen, failures };
  }

  private postCallContext(end: SessionEnd, transcript?: TranscriptRef): PostCallContext {
    const correlation = correlationOf({ ended: end.ended });
    return {
      sessionId: this.sessionId,
      created: this.ledger.created,
      ended: end.ended,
      analysis: end.ended.analysis,
      transcript,
      correlation,
      crmContactId: crmContactIdOf(correlation, this.policy.searchIndex?.crmContactVariable),
      chain: chainOf(end.ended.metadata.sessionVariables),
      source: end.source,
    };
  }

  /** Starts the automations the rules ask for; one that cannot start is noted and the others go on. */
  private async startAutomations(actions: RuleAction[], context: PostCallContext): Promise<string[]> {
    const started: string[] = [];
    for (const action of actions) {
      if (action.action !== 'startWorkflow') continue;
      const id = await startAutomation(action, context).catch((err: Error) => {
        this.failures.push({ step: `start ${action.workflow}`, message: err.message });
        return undefined;
      });
      if (id) started.push(id);
    }
    return started;
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
      ...(outcome.supersedes ? { supersedes: outcome.supersedes } : {}),
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
    if (!chain || typeof attemptId !== 'string') return;
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
      ...(outcome ? [{ key: SearchAttributes.outcome, value: indexedOutcome(outcome, this.policy.searchIndex) }] : []),
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
    const supersedes = kind === 'completed' && this.expiry ? `${sessionId}:expired` : undefined;
    return buildOutcome({
      supersedes,
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

  /** Hands the event to the external systems' writes, in the background (../writes.ts). */
  private tell(event: ExternalEvent): void {
    this.writes.send(event, this.contact());
  }

  /** How a CRM finds the customer; passed beside the event, which carries no phone number. */
  private contact(): ContactDetails {
    const { created, ended } = this.ledger;
    const phoneNumber = (ended ?? created)?.metadata.customerPhoneNumber ?? this.placedCall?.customerPhoneNumber;
    return phoneNumber ? { phoneNumber } : {};
  }

  /**
   * Tells the external systems the session's outcome, and schedules the next follow-up or tells how the chain ended;
   * undefined when none. A follow-up's scheduling goes in the same write as the outcome: one activity, not two.
   */
  private async followUpAfter(outcome: OutcomeEvent, ended: SessionEndedEvent | undefined, callbackWanted: boolean) {
    // A follow-up this session's expiry scheduled stays the one (its id is taken): before it dials, it asks the
    // platform about this call, and a call answered without asking for a callback is not called again.
    if (this.expiry?.followUp) {
      this.tell(outcome);
      return this.expiry.followUp;
    }
    if (!this.policy.followUp) {
      this.tell(outcome);
      return undefined; // follow-ups not configured: no chain to continue or end
    }
    let outcomeSent = false;
    const sendOutcome = () => {
      if (!outcomeSent) this.tell(outcome);
      outcomeSent = true;
    };
    const facts = { created: this.ledger.created, ended, placedCall: this.placedCall };
    const next = await followUpAfterSession({
      sessionId: this.sessionId,
      facts,
      policy: this.policy,
      callbackWanted,
      tell: (event) => {
        sendOutcome();
        this.tell(event);
      },
      announce: (event) => {
        outcomeSent = true;
        return this.writes.sendWith([outcome], event, this.contact());
      },
    });
    sendOutcome();
    if (next && 'notScheduled' in next) {
      this.failures.push({ step: 'schedule follow-up', message: `not scheduled: ${next.notScheduled}` });
      return undefined;
    }
    return next;
  }
}
