import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  patched,
  setCurrentDetails,
  sleep,
  upsertSearchAttributes,
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
import { DIAL_OPTIONS, dialler, tellEverySink } from '../activityProxies';
import { startDetachedChild } from '../children';
import { insideCallingHours } from './callingTime';
import type { FollowUpInput } from './workflow';

const failureType = (err: ActivityFailure) => (err.cause instanceof ApplicationFailure ? err.cause.type : undefined);

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

  constructor(private readonly input: FollowUpInput) {
    this.scheduledAt = new Date(input.scheduledAt);
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
    };
  }

  show(): void {
    const reason = this.reason ? ` · ${this.reason}` : '';
    setCurrentDetails(`**${this.state}** · ${this.scheduledAt.toISOString()}${reason}`);
  }

  /** A call's session workflow saw the attempt id of one of our dials echoed: that dial placed the call. */
  confirm(confirmation: FollowUpConfirmation): void {
    if (!this.confirmation && this.dials.includes(confirmation.attemptId)) this.confirmation = confirmation;
  }

  mustBeScheduled(): void {
    if (this.state !== 'scheduled') throw new Error(`the follow-up is ${this.state}, no longer scheduled`);
  }

  cancel(why?: string): FollowUpStatus {
    this.state = 'cancelled';
    this.reason = why ? `cancelled: ${why}` : 'cancelled by an operator';
    this.show();
    return this.status();
  }

  validateReschedule(at: string, force?: boolean): void {
    this.mustBeScheduled();
    const when = new Date(at);
    if (Number.isNaN(when.getTime())) throw new Error(`"${at}" is not an ISO 8601 time`);
    if (when.getTime() <= Date.now()) throw new Error(`${when.toISOString()} is in the past`);
    const { rules } = this.input.policy;
    if (!force && !insideCallingHours(when, rules)) {
      throw new Error(`${when.toISOString()} is outside calling hours in ${rules.timeZone}; pass force`);
    }
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
      if (this.state === 'scheduled' && patched('tell-reschedules')) await this.tell('follow-up.scheduled');
    }
  }

  /** Dials until the call is placed, a failure proves a redial is pointless, or the dials run out. */
  async dialUntilPlaced(): Promise<void> {
    const { policy } = this.input;
    for (let dial = 1; dial <= policy.maxDials && this.state !== 'placed'; dial++) {
      this.state = 'dialling';
      const attemptId = `${this.followUpId}:dial-${dial}`;
      this.dials.push(attemptId);
      this.show();
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
          ],
        );
        this.callSessionId = started.sessionId;
        this.state = 'placed';
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        const type = failureType(err);
        this.reason = err.cause?.message ?? err.message;
        if (type === 'CallRejected') {
          this.state = 'failed';
          break;
        }
        if (type === 'CallNotStarted') {
          const retryAfter = err.cause instanceof ApplicationFailure ? Number(err.cause.details?.[0]) : NaN;
          await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 2 ** dial * 1000);
          continue;
        }
        // Ambiguous (a timeout after sending, a reset, a 5xx, or a worker lost mid-call): the call may be ringing.
        this.state = 'awaiting-confirmation';
        this.show();
        const grace = policy.confirmGraceSeconds * 1000;
        if (await condition(() => this.confirmation !== undefined, grace)) this.state = 'placed';
      }
    }
  }

  /** The follow-up is over: the external systems are told how, and the status is its result. */
  async finish(kind: 'follow-up.cancelled' | 'follow-up.failed' | 'follow-up.placed'): Promise<FollowUpStatus> {
    if (kind === 'follow-up.failed') {
      this.state = 'failed';
      this.reason ??= 'no dial attempt left';
      this.show();
    }
    if (kind === 'follow-up.placed') {
      this.reason = undefined;
      this.show();
    }
    await this.tell(kind);
    return this.status();
  }

  /** Tells every external system; one that stays down past its retry budget is counted, and the follow-up goes on. */
  async tell(kind: FollowUpEventKind): Promise<void> {
    const scheduledAt = this.scheduledAt.toISOString();
    const failures = await tellEverySink(this.input, {
      idempotencyKey: `${this.followUpId}:${kind}${kind === 'follow-up.scheduled' ? `:${scheduledAt}` : ''}`,
      kind,
      followUpId: this.followUpId,
      originalSessionId: this.input.rootSessionId,
      attempt: this.input.attempt,
      scheduledAt,
      callSessionId: this.placedSessionId(),
      reason: this.reason,
      correlation: this.input.sessionVariables,
      recordedAt: new Date().toISOString(),
    });
    this.failedWrites += failures.length;
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
      typedSearchAttributes: sessionSearchAttributes({ placedCall }, 'awaiting-end'),
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
