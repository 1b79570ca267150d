import {
  condition,
  getExternalWorkflowHandle,
  patched,
  setCurrentDetails,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Skipped } from '../../activities';
import {
  FollowUpVariables,
  SearchAttributes,
  chainOf,
  correlationOf,
  followUpConfirmedSignal,
  followUpWorkflowId,
  type ExternalEvent,
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
import { agntixApi, failureMessage, settings, tellEverySink } from '../activityProxies';
import { followUpAfterSession } from '../followUp/schedule';
import type { SessionPolicy } from '../policy';
import { evaluateRules, type PostCallContext } from '../postCall/rules';
import { startAutomation } from '../postCall/startAutomation';
import { endDeadlineMs, endedFromDetail, isClosed } from './decisions';
import { SessionLedger } from './ledger';
import { buildOutcome } from './outcome';

/** How a session ended: its session.ended webhook, or the API's word after the webhook was lost. */
export interface SessionEnd {
  ended: SessionEndedEvent;
  source: 'webhook' | 'reconciled';
}

const isSkipped = (value: unknown): value is Skipped =>
  typeof value === 'object' && value !== null && 'skipped' in value;

/**
 * The state one session workflow shares between its steps, and the steps. The workflow function (./workflow.ts)
 * tells the story; this class keeps the books: what was seen, the phase, what failed, and the result.
 */
export class Session {
  readonly ledger = new SessionLedger();
  private readonly failures: StepFailure[] = [];
  private phase: SessionPhase = 'awaiting-end';
  private policy!: SessionPolicy;

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
    this.policy = await settings.loadSessionPolicy();
    this.confirmFollowUpDial();
  }

  /** Marks the session in flight in every external system; not awaited, so the wait for the end starts at once. */
  markInFlight(): Promise<void> | undefined {
    return this.ledger.ended ? undefined : this.record('in-flight', 'none').then(() => undefined);
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
    for (let check = 0; check <= policy.reconcileAttempts; check++) {
      if (await condition(() => ledger.ended !== undefined, wait, { summary: 'wait for session.ended' })) break;
      const detail = await this.step('reconcile with the session API', () =>
        agntixApi.getSessionDetail(this.sessionId),
      );
      if (ledger.ended) break; // the webhook arrived while we asked: it wins
      if (detail && !isSkipped(detail) && isClosed(detail)) {
        return { ended: endedFromDetail(detail, ledger.created), source: 'reconciled' };
      }
      wait = policy.reconcileIntervalSeconds * 1000;
    }
    return ledger.ended ? { ended: ledger.ended, source: 'webhook' } : undefined;
  }

  /** The session ended: archive the transcript, record the outcome, follow the rules and the follow-up chain. */
  async postCall(end: SessionEnd): Promise<SessionResult> {
    this.moveTo('post-call');
    const archived = await this.step('archive transcript', () => agntixApi.archiveTranscript(this.sessionId));
    const transcript = archived && !isSkipped(archived) ? archived : undefined;
    if (!patched('post-call-rules')) {
      // Sessions that reached post-call before rules existed finish as they began (see the replay test).
      const outcome = await this.record('completed', end.source, end.ended, transcript);
      const followUp = await this.followUpAfter(end.ended, outcome.followUpDue);
      return this.finish(outcome, end, { followUp, transcript });
    }
    // The rules are captured here, once: a changed rules file never alters a session already past this point.
    const ruleSet = await settings.loadPostCallRules();
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
    // Core bookkeeping (the outcome, the chain's end) always runs; rules add to it. Sessions that captured rules
    // before that was so keep the rules' word (replay-safe).
    const bookkeeping = patched('core-bookkeeping-always');
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
    return this.finish(outcome, end, { followUp, transcript, rules: { matched, started } });
  }

  /** The session never ended, even by the API's word: recorded as expired, and an unanswered follow-up retried. */
  async expire(): Promise<SessionResult> {
    this.moveTo('expired', 'EXPIRED');
    const outcome = await this.record('expired', 'none');
    const followUp = await this.followUpAfter(undefined, false);
    if (followUp) this.moveTo('follow-up-scheduled');
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
    const variables = (this.ledger.created ?? this.ledger.ended)?.metadata.sessionVariables ?? {};
    const chain = chainOf(variables);
    const attemptId = variables[FollowUpVariables.attemptId];
    if (!chain || typeof attemptId !== 'string' || !patched('session-confirms-follow-up')) return;
    // Not awaited: the confirmation must not delay this session's own work. It fails only when the follow-up has
    // closed, which is the usual case after a clean dial (it knew the call's session id at once): nothing to do.
    const followUp = getExternalWorkflowHandle(followUpWorkflowId(chain.root, chain.attempt));
    void followUp.signal(followUpConfirmedSignal, { attemptId, sessionId: this.sessionId }).catch(() => undefined);
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

  private moveTo(next: SessionPhase, outcome?: string): void {
    this.phase = next;
    upsertSearchAttributes([
      { key: SearchAttributes.phase, value: next },
      ...(outcome ? [{ key: SearchAttributes.outcome, value: outcome }] : []),
    ]);
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

  private async tell(event: ExternalEvent): Promise<void> {
    this.failures.push(...(await tellEverySink(this.policy, event)));
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
