import {
  ActivityFailure,
  condition,
  log,
  setCurrentDetails,
  sleep,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import {
  FollowUpVariables,
  SESSION_WORKFLOW_TYPE,
  SearchAttributes,
  sessionSearchAttributes,
  type FollowUpConfirmation,
  type FollowUpEventKind,
  type FollowUpState,
  type FollowUpStatus,
  type PlacedCall,
} from '../../contracts';
import { applicationFailureOf, FAILURE, retryDelayOf } from '../../contracts/failures';
import { DIAL_OPTIONS, dialler } from '../activityProxies';
import { startDetachedChild } from '../children';
import { inheritedHashes } from '../customerHashes';
import { FollowUpStateCounter } from '../observability/metrics';
import { OutcomeWrites } from '../writes';
import { DEFAULT_OPERATOR_GRACE_SECONDS } from '../policy';
import { confirmsDial } from './decisions';
import { followUpEvent } from './events';
import { settleUncertainDial } from './dialCheck';
import { lastCallAnswered } from './lastCall';
import type { FollowUpInput } from './workflow';

/**
 * The state one follow-up workflow shares between its steps and its handlers, and the steps. The workflow function
 * (./workflow.ts) tells the story.
 */
export class FollowUp {
  readonly followUpId = workflowInfo().workflowId;
  state: FollowUpState = 'scheduled';
  private scheduledAt: Date;
  private reason?: string;
  private callSessionId?: string;
  private confirmation?: FollowUpConfirmation;
  private readonly dials: string[] = [];
  private failedWrites = 0;
  private readonly stateCounter = new FollowUpStateCounter();
  private readonly writes: OutcomeWrites;
  private placedBy?: FollowUpStatus['placedBy'];
  private dialsAllowed = 0;

  constructor(private readonly input: FollowUpInput) {
    this.scheduledAt = new Date(input.scheduledAt);
    this.writes = new OutcomeWrites(input, () => (this.failedWrites += 1));
  }

  status(): FollowUpStatus {
    return {
      followUpId: this.followUpId,
      state: this.state,
      attempt: this.input.attempt,
      scheduledAt: this.scheduledAt.toISOString(),
      dials: [...this.dials],
      callSessionId: this.placedSessionId(),
      confirmed: this.confirmation !== undefined,
      reason: this.reason,
      failedWrites: this.failedWrites,
      placedBy: this.placedBy,
    };
  }

  show(): void {
    this.stateCounter.observe(this.state);
    const reason = this.reason ? ` · ${this.reason}` : '';
    const ask =
      this.state === 'needs-operator'
        ? ' · did the customer get the call? Update markPlaced (with its session id) or dialAgain, or cancel'
        : '';
    setCurrentDetails(`**${this.state}** · ${this.scheduledAt.toISOString()}${reason}${ask}`);
  }

  /**
   * A call's session workflow saw the attempt id of one of our dials echoed: that dial placed the call, provided
   * the session is the outbound voice call we dialled (a chat or another call carrying the variables proves nothing).
   */
  confirm(confirmation: FollowUpConfirmation): void {
    if (this.confirmation || !this.dials.includes(confirmation.attemptId)) return;
    if (!confirmsDial(confirmation, this.input)) {
      log.warn('ignored a confirmation from a session that is not the dialled call', {
        sessionId: confirmation.sessionId,
        type: confirmation.type,
        direction: confirmation.direction,
      });
      return;
    }
    this.confirmation = confirmation;
  }

  /** An operator says the uncertain dial did reach the customer, as session `sessionId`. */
  markPlaced(sessionId: string, note?: string): FollowUpStatus {
    this.callSessionId = sessionId;
    this.placedBy = 'operator';
    this.state = 'placed';
    this.reason = note ? `marked placed: ${note}` : 'marked placed by an operator';
    this.show();
    return this.status();
  }

  /** An operator says no call reached the customer: one more dial, even past the policy's number of dials. */
  dialAgain(why?: string): FollowUpStatus {
    this.dialsAllowed = Math.max(this.dialsAllowed, this.dials.length + 1);
    this.state = 'dialling';
    this.reason = why ? `dial again: ${why}` : 'an operator asked to dial again';
    this.show();
    return this.status();
  }

  cancel(why?: string): FollowUpStatus {
    this.state = 'cancelled';
    this.reason = why ? `cancelled: ${why}` : 'cancelled by an operator';
    this.show();
    return this.status();
  }

  reschedule(at: Date): FollowUpStatus {
    this.scheduledAt = at;
    upsertSearchAttributes([{ key: SearchAttributes.followUpAt, value: at }]);
    this.show();
    return this.status();
  }

  /** Waits for the slot; an update may cancel the follow-up or move the slot, which restarts the wait. */
  async waitForSlot(): Promise<void> {
    while (this.state === 'scheduled') {
      const due = this.scheduledAt.getTime() - Date.now();
      if (due <= 0) break;
      const waitingFor = this.scheduledAt;
      const moved = () => this.state !== 'scheduled' || this.scheduledAt !== waitingFor;
      if (!(await condition(moved, due, { summary: 'wait for the slot' }))) continue;
      // A moved slot is news to the external systems (its idempotency key carries the new time).
      if (this.state === 'scheduled') this.tell('follow-up.scheduled');
    }
  }

  /**
   * Before a next attempt (the last call was a follow-up's, which expired), asks the platform about that call: one
   * it shows answered without asking for a callback again was reached, its webhooks only late, and the customer is
   * not called again (cancelled, with the reason). Asked at the slot, not when scheduled, so the platform has had
   * the whole wait to catch up. When the API cannot say, the dial goes ahead as it would have.
   */
  async askAboutLastCall(): Promise<void> {
    if (this.state !== 'scheduled') return;
    const answered = await lastCallAnswered(this.input);
    if (answered && this.state === 'scheduled') this.cancel(answered);
  }

  /** Dials until the call is placed, a failure proves a redial is pointless, or the dials run out. */
  async dialUntilPlaced(): Promise<void> {
    const { policy } = this.input;
    this.dialsAllowed = policy.maxDials;
    for (let dial = 1; dial <= this.dialsAllowed && this.state !== 'placed' && this.state !== 'cancelled'; dial++) {
      // Unguessable, so no webhook that merely carries a likely value can pass for this dial's call.
      const attemptId = uuid4();
      const dialledAt = new Date();
      this.dials.push(attemptId);
      this.moveTo('dialling');
      try {
        const started = await dialler.startFollowUpCall.executeWithOptions(
          { ...DIAL_OPTIONS, summary: `dial ${dial}` },
          [
            {
              phoneNumberId: policy.phoneNumberId ?? '',
              to: this.input.customerPhoneNumber,
              agentId: this.input.agentId,
              ttlSeconds: policy.ttlSeconds,
              sessionVariables: this.callVariables(attemptId),
            },
            dial,
          ],
        );
        this.callSessionId = started.sessionId;
        this.placed('answer');
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        const type = applicationFailureOf(err)?.type;
        this.reason = err.cause?.message ?? err.message;
        if (type === FAILURE.callRejected) {
          this.state = 'failed';
          break;
        }
        // An earlier run of this follow-up made this dial (the ledger outlives every history): only an operator knows.
        if (type === FAILURE.dialAlreadyMade) {
          await this.askOperator();
          continue;
        }
        if (type === FAILURE.callNotStarted) {
          await sleep(retryDelayOf(err) ?? 2 ** dial * 1000);
          continue;
        }
        // Ambiguous (a timeout after sending, a reset, a 5xx, or a worker lost mid-call): the call may be ringing.
        this.moveTo('awaiting-confirmation');
        const grace = policy.confirmGraceSeconds * 1000;
        if (await condition(() => this.confirmation !== undefined, grace)) this.placed('webhook');
        else await this.settleUncertainDial(attemptId, dialledAt);
      }
    }
  }

  /**
   * No webhook confirmed an ambiguous dial within the first grace: the Agntix API settles it (./dialCheck.ts). A call
   * proven absent is dialled again by the loop; when nothing can say, an operator decides (needs-operator: the Web
   * UI, the state search attribute and the external systems say so), and until then a late webhook still settles it.
   */
  private async settleUncertainDial(attemptId: string, dialledAt: Date): Promise<void> {
    const grace = (this.input.policy.operatorGraceSeconds ?? DEFAULT_OPERATOR_GRACE_SECONDS) * 1000;
    const lookup = { agentId: this.input.agentId, attemptId, dialledAt };
    const settled = await settleUncertainDial(
      lookup,
      dialledAt.getTime() + grace,
      () => this.confirmation !== undefined,
    );
    if ('placedBy' in settled) {
      if (settled.placedBy === 'api') this.callSessionId = settled.sessionId;
      return this.placed(settled.placedBy);
    }
    if ('absent' in settled) {
      this.reason = settled.absent;
      return;
    }
    this.reason = `the call may have started: calls/start gave no clear answer, no webhook came, and ${settled.unsettled}`;
    await this.askOperator();
  }

  /** Waits in needs-operator (the Web UI, the state search attribute and the external systems say why) until an
   * operator decides or a late webhook confirms a dial. */
  private async askOperator(): Promise<void> {
    this.moveTo('needs-operator');
    this.tell('follow-up.needs-operator');
    await condition(() => this.state !== 'needs-operator' || this.confirmation !== undefined);
    if (this.state === 'needs-operator') this.placed('webhook');
  }

  private placed(by: NonNullable<FollowUpStatus['placedBy']>): void {
    this.placedBy = by;
    this.state = 'placed';
  }

  /** Enters a state the operators see: the Web UI's details, and the follow-up's state search attribute. */
  private moveTo(state: FollowUpState): void {
    this.state = state;
    this.show();
    upsertSearchAttributes([{ key: SearchAttributes.followUpState, value: state }]);
  }

  /** The follow-up is over (placed, cancelled, or failed when neither): the external systems are told how. */
  finish(): void {
    if (this.state !== 'placed' && this.state !== 'cancelled') {
      this.state = 'failed';
      this.reason ??= 'no dial attempt left';
    }
    if (this.state === 'placed' && this.placedBy !== 'operator') this.reason = undefined;
    this.moveTo(this.state);
    this.tell(`follow-up.${this.state}`);
  }

  /** The result, once every write to the external systems has landed or given up. */
  async done(): Promise<FollowUpStatus> {
    await this.writes.settled();
    return this.status();
  }

  /**
   * Tells every external system, in the background: one that is down delays only its own writes, never the dial;
   * one that stays down past its retry budget is counted.
   */
  tell(kind: FollowUpEventKind, sinks?: string[]): void {
    const event = followUpEvent(this.followUpId, this.input, kind, {
      scheduledAt: this.scheduledAt.toISOString(),
      callSessionId: this.placedSessionId(),
      reason: this.reason,
      dials: this.dials.length,
    });
    this.writes.send(event, { phoneNumber: this.input.customerPhoneNumber }, { sinks });
  }

  /** Tells the systems the scheduling session could not that this follow-up is scheduled (FollowUpInput.announcedTo). */
  announce(): void {
    const { announcedTo = [], sinks } = this.input;
    this.tell(
      'follow-up.scheduled',
      sinks.filter((sink) => !announcedTo.includes(sink)),
    );
  }

  /**
   * Starts the call's own session workflow, so the session is followed (timers, reconciliation, the next attempt of
   * the chain) even if its webhooks never arrive. When its first webhook got there first, that workflow already runs.
   */
  async trackCallSession(): Promise<void> {
    const sessionId = this.placedSessionId();
    if (!sessionId) return;
    const placedCall: PlacedCall = {
      agentId: this.input.agentId,
      ttlSeconds: this.input.policy.ttlSeconds,
      sessionVariables: this.callVariables(),
      customerPhoneNumber: this.input.customerPhoneNumber,
    };
    await startDetachedChild(SESSION_WORKFLOW_TYPE, {
      workflowId: sessionId,
      args: [{ sessionId, placedCall }],
      typedSearchAttributes: sessionSearchAttributes(
        { placedCall },
        'awaiting-end',
        this.input.searchIndex,
        inheritedHashes(),
      ),
      staticSummary: `follow-up call ${this.input.attempt} of ${this.input.rootSessionId.slice(0, 8)}`,
    });
  }

  private placedSessionId(): string | undefined {
    return this.confirmation?.sessionId ?? this.callSessionId;
  }

  /** The session variables of this follow-up's call: the original ones, plus where it sits in the chain. */
  private callVariables(attemptId?: string): Record<string, string> {
    return {
      ...this.input.sessionVariables,
      [FollowUpVariables.of]: this.input.rootSessionId,
      [FollowUpVariables.attempt]: String(this.input.attempt),
      ...(attemptId ? { [FollowUpVariables.attemptId]: attemptId } : {}),
    };
  }
}
